"""Who is who: "seen before?" at registration, the national review queue, link and unlink.

Every new record is checked against all the others by a background job (`tasks.py`); the
pairs that look alike go to the national coordinator's review queue, including those the
registering user could not see (they are never shown to that user). A coordinator confirms
a pair (the records join one identity) or rejects it; a link can be undone. Records are
never merged or changed, so a link widens no one's access and an unlink restores both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import Signal
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role
from corridor.audit.services import Action, record_event
from corridor.core.concurrency import save_versioned
from corridor.linkage.likeness import Likeness, likely_same
from corridor.linkage.model import find_pairs
from corridor.linkage.models import LinkageCheck, MatchCandidate, PersonLink
from corridor.people.models import Person
from corridor.people.services import EDITABLE_FIELDS, audit_look_alikes, view_person_list

Status = MatchCandidate.Status
PROPOSE_AT = 0.5  # pairs at least this likely go to the review queue
ENCRYPTED = ("given_name", "family_name", "phone", "document_number")
# What a full run reads of each person (`_record`).
RECORD_FIELDS = (
    "pk",
    "owner_agency_id",
    "sex",
    "date_of_birth",
    "age_estimate_min",
    "age_estimate_max",
    "created_at",
    "nationality",
    *ENCRYPTED,
)

# Records joined or parted (written in bulk, so no post_save): what counts persons listens.
identities_changed = Signal()


# --- at registration -----------------------------------------------------------------------


def seen_before(
    fields: dict, *, actor, request: HttpRequest | None = None, audit: bool = True
) -> list[Likeness]:
    """Records the actor may see that may be the person about to be registered, with why.

    What is shown is audited as a list of persons seen; the search itself as a search, with
    no term. Look-alikes outside the actor's scope are not shown: the background check puts
    them in the coordinator's queue once the record is saved.
    """
    person = Person(
        owner_agency_id=actor.agency_id,
        **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS},
    )
    found = likely_same(person, access.persons_visible_to(actor))
    if audit:
        audit_look_alikes(found, actor=actor, asked=1, request=request)
    return found


# --- the background check ------------------------------------------------------------------


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _identity_of(person_id: int) -> int | None:
    return PersonLink.objects.filter(person_id=person_id).values_list("identity", flat=True).first()


def check_person(person: Person) -> list[MatchCandidate]:
    """Propose for review every record that may be this person; returns the new proposals.

    A pair already decided (rejected, or confirmed then unlinked) is not proposed again.
    """
    proposed = []
    alike = likely_same(person, Person.objects.all(), threshold=PROPOSE_AT, limit=20)
    identities = dict(
        PersonLink.objects.filter(
            person_id__in=[person.pk, *(like.person.pk for like in alike)]
        ).values_list("person_id", "identity")
    )
    identity = identities.get(person.pk)
    for like in alike:
        if identity is not None and identities.get(like.person.pk) == identity:
            continue
        left, right = _ordered(person.pk, like.person.pk)
        try:
            with transaction.atomic():
                candidate, created = MatchCandidate.objects.get_or_create(
                    left_id=left,
                    right_id=right,
                    defaults={
                        "probability": like.probability,
                        "reasons": [r.as_json() for r in like.reasons],
                    },
                )
        except IntegrityError:  # the other record's check proposed it a moment ago
            continue
        if created:
            proposed.append(candidate)
    LinkageCheck.objects.update_or_create(person=person, defaults={"checked_at": timezone.now()})
    return proposed


def check_unchecked_persons(
    *, batch: int = 200, progress: Callable[[int, int], None] | None = None
) -> int:
    """Check every record not checked yet (new registrations, records seeded or restored in
    bulk); idempotent, so a job killed half-way goes on where it stopped."""
    unchecked = Person.objects.filter(linkage_check__isnull=True).order_by("pk")
    total, done = unchecked.count(), 0
    while chunk := list(unchecked.select_related("owner_agency")[:batch]):
        for person in chunk:
            check_person(person)
            done += 1
            if progress:
                progress(done, total)
    return done


# --- the review queue ----------------------------------------------------------------------


def can_review_matches(user) -> bool:
    return bool(user.is_active and user.agency_id and user.has_role(Role.COORDINATOR))


def candidates_visible_to(user) -> QuerySet[MatchCandidate]:
    """Pairs both of whose records the user may see in full; none for other roles."""
    if not can_review_matches(user):
        return MatchCandidate.objects.none()
    persons = access.persons_visible_to(user).values("pk")
    return MatchCandidate.objects.filter(left_id__in=persons, right_id__in=persons)


def review_queue(user) -> QuerySet[MatchCandidate]:
    return (
        candidates_visible_to(user)
        .filter(status=Status.PROPOSED)
        .select_related("left__owner_agency", "right__owner_agency")
        .order_by("-probability", "-created_at", "-pk")
    )


def get_candidate_for_user(user, pk: int) -> MatchCandidate:
    candidate = (
        candidates_visible_to(user)
        .select_related("left__owner_agency", "right__owner_agency")
        .filter(pk=pk)
        .first()
    )
    if candidate is None:
        raise Http404
    return candidate


def view_candidates(
    candidates: list[MatchCandidate], *, actor, request: HttpRequest | None = None
) -> None:
    """Seeing a pair is seeing both records: audited as such, redacted to what the viewer may
    see."""
    persons = [p for c in candidates for p in (c.left, c.right)]
    view_person_list(persons, actor=actor, request=request)


def _decide(candidate: MatchCandidate, status: str, *, actor, expected_version: int) -> None:
    if not candidates_visible_to(actor).filter(pk=candidate.pk).exists():
        raise PermissionDenied(
            _("Only a coordinator who sees both records decides whether they are one person.")
        )
    if candidate.status != Status.PROPOSED:
        raise ValidationError(_("This pair was already decided."))
    candidate.status, candidate.decided_by, candidate.decided_at = status, actor, timezone.now()
    save_versioned(candidate, expected_version, ["status", "decided_by", "decided_at"])


def _audit_link(action: str, person: Person, other: Person, *, actor, request, **details) -> None:
    for one, two in ((person, other), (other, person)):
        record_event(
            action,
            actor=actor,
            obj=one,
            request=request,
            details={"with": two.reference, **details},
        )


def confirm_match(
    candidate: MatchCandidate,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
) -> int:
    """The two records are one person: they (and the records already linked to either) join
    one identity, the smallest person id among them. Returns the identity."""
    with transaction.atomic():
        _decide(candidate, Status.CONFIRMED, actor=actor, expected_version=expected_version)
        ends = [candidate.left_id, candidate.right_id]
        identities = set(
            PersonLink.objects.select_for_update()
            .filter(person_id__in=ends)
            .values_list("identity", flat=True)
        )
        members = set(ends) | set(
            PersonLink.objects.filter(identity__in=identities).values_list("person_id", flat=True)
        )
        identity = min(members)
        PersonLink.objects.filter(person_id__in=members).update(identity=identity)
        linked = set(
            PersonLink.objects.filter(person_id__in=members).values_list("person_id", flat=True)
        )
        PersonLink.objects.bulk_create(
            PersonLink(person_id=pk, identity=identity, candidate=candidate, linked_by=actor)
            for pk in sorted(members - linked)
        )
        transaction.on_commit(lambda: identities_changed.send(sender=PersonLink))
        _audit_link(
            Action.LINK,
            candidate.left,
            candidate.right,
            actor=actor,
            request=request,
            probability=round(candidate.probability, 4),
        )
    return identity


def reject_match(
    candidate: MatchCandidate,
    *,
    actor,
    expected_version: int,
    request: HttpRequest | None = None,
) -> None:
    """Two different persons: the pair leaves the queue and is not proposed again."""
    with transaction.atomic():
        _decide(candidate, Status.REJECTED, actor=actor, expected_version=expected_version)
        record_event(
            Action.CHANGE,
            actor=actor,
            object_type="match_candidate",
            object_ref=str(candidate.pk),
            request=request,
            details={"decision": "different_persons"},
        )


def linked_records(person: Person, *, viewer) -> list[Person]:
    """The other records of this person's identity that the viewer may see (only those: a
    link tells no one about a record they could not open)."""
    identity = _identity_of(person.pk)
    if identity is None:
        return []
    return list(
        access.persons_visible_to(viewer)
        .filter(link__identity=identity)
        .exclude(pk=person.pk)
        .select_related("owner_agency")
        .order_by("created_at", "pk")
    )


def unlink_person(person: Person, *, actor, request: HttpRequest | None = None) -> None:
    """Take a record out of its identity; the others stay linked. Neither record changed
    when it was linked, so nothing has to be restored but the link itself."""
    if (
        not can_review_matches(actor)
        or not access.persons_visible_to(actor).filter(pk=person.pk).exists()
    ):
        raise PermissionDenied(_("Only a coordinator who sees the record may unlink it."))
    with transaction.atomic():
        link = PersonLink.objects.select_for_update().filter(person=person).first()
        if link is None:
            raise ValidationError(_("This record is not linked to another."))
        others = list(
            PersonLink.objects.filter(identity=link.identity)
            .exclude(pk=link.pk)
            .order_by("person_id")
        )
        link.delete()  # the others settle (link_deleted)
        MatchCandidate.objects.filter(
            Q(left=person) | Q(right=person), status=Status.CONFIRMED
        ).update(
            status=Status.UNLINKED,
            decided_by=actor,
            decided_at=timezone.now(),
            version=F("version") + 1,
        )
        for other in Person.objects.filter(pk__in=[o.person_id for o in others]):
            _audit_link(Action.UNLINK, person, other, actor=actor, request=request)
        transaction.on_commit(lambda: identities_changed.send(sender=PersonLink))


def link_deleted(sender, instance: PersonLink, **kwargs) -> None:
    """A record left its identity, unlinked or erased with its person (connected in
    LinkageConfig.ready): one left alone is no longer linked, and the others are named after
    the smallest id among them, so that an identity is always one of its records."""
    members = list(PersonLink.objects.filter(identity=instance.identity).order_by("person_id"))
    if len(members) == 1:
        members[0].delete()
    elif members and members[0].person_id != instance.identity:
        PersonLink.objects.filter(identity=instance.identity).update(identity=members[0].person_id)


def seen_before_at_registration(
    sender, fields: dict, actor, request=None, audit: bool = True, **kwargs
):
    """Answer people's `registering_person` (connected in LinkageConfig.ready)."""
    return seen_before(fields, actor=actor, request=request, audit=audit)


# --- a full run ----------------------------------------------------------------------------

# Splink's comparison names and level labels (corridor.linkage.model) as the review queue
# explains them (corridor.linkage.likeness.FIELDS and LEVELS).
RUN_FIELDS = {"birth_date": "birth", "estimated_age": "birth", "document_number": "document"}
RUN_LEVELS = {
    "same": "same",
    "same date": "same",
    "same sound or swapped": "alike",
    "similar spelling": "alike",
    "different": "different",
    "3-10 years apart": "different",
    "more than 10 years apart": "different",
    "3-5 years apart": "different",
    "more than 5 years apart": "different",
}


def _record(person: Person) -> dict:
    return {
        "record_id": str(person.pk),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "sex": person.sex,
        "birth_date": person.date_of_birth.isoformat() if person.date_of_birth else "",
        "nationality": person.nationality,
        "phone": person.phone,
        "document_number": person.document_number,
        "agency": str(person.owner_agency_id),
        # the age as estimated when the record was made: a birth-year range (`model`)
        "age_estimate_min": person.age_estimate_min,
        "age_estimate_max": person.age_estimate_max,
        "registered_on": person.created_at.date().isoformat() if person.created_at else "",
    }


@dataclass
class RunResult:
    records: int
    pairs: int
    proposed: int


def run_linkage(
    *,
    threshold: float = PROPOSE_AT,
    progress: Callable[[str, int, int], None] | None = None,
    batch: int = 2000,
) -> RunResult:
    """Every record against every other with the Splink model trained on the records
    themselves; the likely pairs not decided yet go to the review queue. Pairs already in
    the queue keep their place, decided ones are not proposed again."""
    report = progress or (lambda stage, done, total: None)
    persons = Person.objects.only(*RECORD_FIELDS).order_by("pk")
    total, records = persons.count(), []
    for person in persons.iterator(chunk_size=batch):
        records.append(_record(person))
        if len(records) % batch == 0:
            report("read", len(records), total)
    report("read", len(records), total)
    pairs = find_pairs(records, threshold=threshold, progress=report)
    identity = dict(PersonLink.objects.values_list("person_id", "identity"))
    known = set(MatchCandidate.objects.values_list("left_id", "right_id"))
    new = []
    for pair in pairs:
        left, right = _ordered(int(pair.left), int(pair.right))
        if (left, right) in known or identity.get(left, -1) == identity.get(right, -2):
            continue
        reasons = [
            {
                "field": RUN_FIELDS.get(name, name),
                "level": RUN_LEVELS.get(label, "close"),
                "weight": weight,
            }
            for name, label, weight in pair.reasons
        ]
        new.append(
            MatchCandidate(
                left_id=left,
                right_id=right,
                probability=pair.probability,
                reasons=reasons,
                source=MatchCandidate.Source.RUN,
            )
        )
    MatchCandidate.objects.bulk_create(new, batch_size=batch, ignore_conflicts=True)
    report("propose", len(new), len(new))
    return RunResult(records=len(records), pairs=len(pairs), proposed=len(new))
