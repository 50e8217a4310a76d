"""Business rules for person records: every write is audited, every read of a record too."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import BreakGlassGrant
from corridor.audit.services import Action, record_event
from corridor.core.concurrency import save_versioned
from corridor.core.text import visible_text
from corridor.people.models import Person
from corridor.people.search import INDEXED_FIELDS, index_persons

EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "aliases",
    "sex",
    "date_of_birth",
    "age_estimate_min",
    "age_estimate_max",
    "age_disputed",
    "nationality",
    "languages",
    "phone",
    "email",
    "address",
    "document_type",
    "document_number",
    "narrative",
)
# Fields whose values never go into the audit trail: only the fact they changed.
SENSITIVE_FIELDS = frozenset(
    {
        "given_name",
        "family_name",
        "aliases",
        "phone",
        "email",
        "address",
        "document_number",
        "narrative",
    }
)


NAME_FIELDS = ("given_name", "family_name", "aliases")

# Sent inside the registering transaction, whatever the way in (form, API, import, ODK,
# partner referral): linkage checks the new record against the others.
person_registered = Signal()
# Sent before a person is registered, to ask "seen before?": receivers (linkage) answer with
# look-alikes the user may see, each with `person`, `probability` and `agreeing` reasons.
registering_person = Signal()


def look_alikes(
    fields: dict, *, actor, request: HttpRequest | None = None, audit: bool = True
) -> list:
    """Records the actor may see that may be the person about to be registered. A caller
    that asks for many (a register's check) passes `audit=False` and audits them at once
    with `audit_look_alikes`."""
    found = []
    for _receiver, answer in registering_person.send(
        sender=Person, fields=fields, actor=actor, request=request, audit=audit
    ):
        found.extend(answer or [])
    return sorted(found, key=lambda like: -like.probability)


def _validated(person: Person) -> None:
    for name in NAME_FIELDS:  # an invisible character could disguise a name on screen
        value = getattr(person, name)
        if isinstance(value, str):
            setattr(person, name, visible_text(value))
    person.full_clean(exclude=["owner_agency", "created_by"])  # with Person.clean's rules


def audit_look_alikes(
    alikes: list, *, actor, asked: int, request: HttpRequest | None = None
) -> None:
    """One search (`asked` records looked for) and one view of the persons shown."""
    view_person_list([like.person for like in alikes], actor=actor, request=request)
    record_event(
        Action.SEARCH,
        actor=actor,
        object_type="person",
        request=request,
        details={"looked_for": ["seen_before"], "asked": asked, "found": len(alikes)},
    )


def register_person(*, actor, request: HttpRequest | None = None, **fields) -> Person:
    """Create a minimal person record owned by the actor's agency."""
    if not (actor.agency_id and actor.has_role(*access.OWNER_ROLES)):
        raise PermissionDenied(_("Your role does not register persons."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    person = Person(owner_agency_id=actor.agency_id, created_by=actor, **fields)
    _validated(person)
    with transaction.atomic():
        person.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=person,
            request=request,
            details={"fields": sorted(k for k, v in fields.items() if v not in ("", None))},
        )
        person_registered.send(sender=Person, person=person)
    return person


def update_person(
    person: Person, *, actor, expected_version: int, request: HttpRequest | None = None, **changes
) -> Person:
    """Apply changes unless someone else saved the record since `expected_version`."""
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may read this record but not change it."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name])
    _validated(person)
    if not changed:
        return person
    with transaction.atomic():
        save_versioned(person, expected_version, changed)
        if set(changed) & set(INDEXED_FIELDS):  # save_versioned sends no post_save
            index_persons([person])
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=person,
            request=request,
            details={
                "fields": changed,
                "values": {n: str(changes[n]) for n in changed if n not in SENSITIVE_FIELDS},
            },
        )
    return person


def redact_persons(persons, *, viewer) -> list[Person]:
    """Blank, in memory, the fields outside the data categories the viewer may see.

    An agency that knows a person only through a referral sees what that referral shares
    (`access.visible_categories`); a redacted instance refuses to be saved.
    """
    persons = list(persons)
    categories = access.visible_categories_many(viewer, persons)
    for person in persons:
        hidden = access.hidden_fields_for(categories[person.pk])
        for name in hidden:
            field = Person._meta.get_field(name)
            blank = None if field.null else (False if isinstance(field.default, bool) else "")
            setattr(person, name, blank)
        person.hidden_fields = hidden
    return persons


def view_person(
    person: Person, *, actor, request: HttpRequest | None = None, purpose: str = "detail"
) -> None:
    """Record that the actor saw this person's record (break-glass reason included), and
    leave on the instance only what the actor may see."""
    redact_persons([person], viewer=actor)
    grant = None
    if person.owner_agency_id != actor.agency_id:
        grant = access.break_glass_grant_active(actor, person)
    record_event(
        Action.VIEW,
        actor=actor,
        obj=person,
        request=request,
        reason=grant.reason if grant else "",
        details={"purpose": purpose, "break_glass": bool(grant)},
    )


def view_person_list(persons, *, actor, request: HttpRequest | None = None) -> None:
    """Record the page of persons the actor saw, redacted to what they may see."""
    persons = redact_persons(persons, viewer=actor)
    refs = [p.reference for p in persons]
    if refs:
        record_event(
            Action.VIEW,
            actor=actor,
            object_type="person_list",
            object_ref="",
            request=request,
            details={"references": refs},
        )


def break_glass(
    *, actor, reference: str, reason: str, request: HttpRequest | None = None
) -> BreakGlassGrant:
    """Open one record outside need-to-know for an emergency; the reason is audited."""
    if not access.can_break_glass(actor):
        raise PermissionDenied(_("Your role cannot use emergency access."))
    reason = (reason or "").strip()
    if len(reason) < 15:
        raise ValidationError(
            {"reason": _("Say why you need emergency access (at least 15 characters).")}
        )
    person = Person.objects.filter(reference=reference.strip().upper()).first()
    if person is None:
        raise ValidationError({"reference": _("No person has this reference.")})
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=actor,
            person=person,
            reason=reason,
            granted_at=now,
            expires_at=now + timedelta(hours=settings.CORRIDOR_BREAK_GLASS_HOURS),
        )
        record_event(
            Action.BREAK_GLASS,
            actor=actor,
            obj=person,
            request=request,
            reason=reason,
            details={"expires_at": grant.expires_at.isoformat()},
        )
    return grant


HTCDS_GENDER = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}


def export_person_htcds(person: Person, *, actor, request: HttpRequest | None = None) -> dict:
    """The person and the cases the actor may see, under HTCDS 2.0 field names; audited."""
    redact_persons([person], viewer=actor)
    cases = access.cases_visible_to(actor).filter(person=person).order_by("opened_at")
    record = {
        "prs_Reference": person.reference,
        "prs_FirstName": person.given_name,
        "prs_SecondName": person.family_name,
        "prs_Birthdate": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "prs_Gender": HTCDS_GENDER.get(person.sex, "Unknown"),
        "prs_Citizenship": person.nationality or None,
        "prs_Email": person.email or None,
        "prs_MobilePhone": person.phone or None,
        "prs_MailingStreet": person.address or None,
        "cas_CaseOwner": person.owner_agency.name,
        "cases": [
            {
                "cas_Reference": case.reference,
                "cas_Status": case.status,
                "vic_TypeOfExploitation": case.forms_of_exploitation,
                "cas_OpenedDate": case.opened_at.date().isoformat(),
            }
            for case in cases
        ],
    }
    record_event(
        Action.EXPORT,
        actor=actor,
        obj=person,
        request=request,
        details={"format": "htcds-json", "cases": [c["cas_Reference"] for c in record["cases"]]},
    )
    return record
