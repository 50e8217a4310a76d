"""Legal holds, erasure requests and erasure: every write atomic, access-checked, audited.

**What erasure removes.** Erasing a person blanks, in the same transaction, everything that
names or describes her: on her record the names and aliases, languages, phone, e-mail,
address, identity document (type and number) and narrative, and her date of birth (her age
when she was first recorded stays); where she was screened, the screener's notes, the
answers and their explanation; the notes of age assessments, needs assessments, case steps,
reviews (topic and outcome), reflection-period extensions and services delivered; the
offences she was compelled to commit (their text and notes); what referrals said about her
and why they were declined or withdrawn; why she revoked a consent; the data that crossed a
border with a transnational referral (and the messages that carried it); the notes of her
links to incidents; the reasons of emergency accesses to her record; the free text of lifted
legal holds and of her erasure requests.

**What stays, anonymised, for national statistics** (the counts the national rapporteur,
SDG 16.2.2 and the NRM's own figures need, all codes and dates, nothing in words): the
person row under its pseudonymous reference, with sex, nationality, age band (her age when
first recorded), the disputed-age flag and the owning agency; screenings' results, rules,
indicator list, child flags, next steps and HTCDS coding; cases with their stages, kind,
forms of exploitation, risk, dates, closure reasons and history (who moved them, from what
to what); consents' purposes, categories, recipients and dates; referrals' services,
agencies, states and dates, and services delivered by type and day; the non-punishment
decisions by category; incident links by role. Rows are never deleted: the counts, the
"victims are distinct persons" counting rule and the foreign keys between apps hold after
erasure.

**What erasure does not touch**: the audit trail. It is append-only and hash-chained
(`corridor audit verify`), names records by reference and keeps no victim's content — free
text is never written to it, and its reasons are encrypted. Its retention is its own.

Each erased person gets one audit event (action `delete`, record type `person`, her
reference) whose details name the rule, the cases concerned (references), the person fields
blanked and how many records of each kind were cleared — never a value.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import BreakGlassGrant
from corridor.audit.services import Action, record_event
from corridor.cases.models import (
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    ReflectionExtension,
)
from corridor.consent.models import Consent
from corridor.core.text import visible_text
from corridor.crossborder.models import OutboxMessage, TransnationalReferral
from corridor.incidents.counting import forget_figures
from corridor.incidents.models import IncidentVictim
from corridor.people.models import Person, PersonSearchKey
from corridor.referrals.models import Referral, ServiceDelivery
from corridor.retention import rules
from corridor.retention.models import Erasure, ErasureRequest, LegalHold
from corridor.retention.rules import RULES, Rule, grounds_to_keep
from corridor.screening.models import AgeAssessment, Screening

logger = logging.getLogger(__name__)

CHUNK = 500  # persons erased per transaction by the retention run
MIN_REASON = 10

# The person fields blanked (their values, not the fact they existed, are gone).
PERSON_FIELDS_ERASED = (
    "given_name",
    "family_name",
    "aliases",
    "languages",
    "phone",
    "email",
    "address",
    "document_type",
    "document_number",
    "narrative",
    "date_of_birth",
)

# Free text about her in the other apps: (kind, model, lookup to the person, values).
RELATED_ERASED = (
    (
        "screening",
        Screening,
        "person_id",
        {"location": "", "notes": "", "answers": {}, "explanation": {}},
    ),
    ("age_assessment", AgeAssessment, "person_id", {"notes": ""}),
    ("consent", Consent, "person_id", {"revocation_reason": ""}),
    ("case_event", CaseEvent, "case__person_id", {"note": ""}),
    ("reflection_extension", ReflectionExtension, "case__person_id", {"reason": ""}),
    ("needs_assessment", NeedsAssessment, "case__person_id", {"notes": ""}),
    ("case_review", CaseReview, "case__person_id", {"topic": "", "outcome": ""}),
    ("compelled_offence", CompelledOffence, "case__person_id", {"offence": "", "notes": ""}),
    (
        "referral",
        Referral,
        "case__person_id",
        {"note": "", "decline_reason": "", "withdraw_reason": ""},
    ),
    ("service_delivery", ServiceDelivery, "referral__case__person_id", {"notes": ""}),
    (
        "transnational_referral",
        TransnationalReferral,
        "case__person_id",
        {"payload_json": "", "decline_reason": "", "withdraw_reason": ""},
    ),
    (
        "partner_message",
        OutboxMessage,
        "referral__case__person_id",
        {"payload_json": "{}", "token": ""},
    ),
    ("incident_link", IncidentVictim, "person_id", {"notes": ""}),
    ("emergency_access", BreakGlassGrant, "person_id", {"reason": ""}),
    ("legal_hold", LegalHold, "person_id", {"reason": "", "lift_reason": ""}),
    ("erasure_request", ErasureRequest, "person_id", {"note": ""}),
)


def _cleaned_reason(reason: str, message: str) -> str:
    reason = visible_text(reason or "")
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": message})
    return reason


def _not_erased(person: Person) -> None:
    if Erasure.objects.filter(person_id=person.pk).exists():
        raise ValidationError(_("The records of this person were erased already."))


# --- legal holds -------------------------------------------------------------------------------


def place_legal_hold(
    person: Person, *, actor, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """Keep every record of `person` until the hold is lifted (nothing is erased meanwhile)."""
    if not access.can_place_legal_hold(actor, person):
        raise PermissionDenied(_("Your role does not place legal holds on this record."))
    reason = _cleaned_reason(
        reason,
        _(
            "Say why the records must be kept (at least {count} characters), e.g. the "
            "proceedings that need them."
        ).format(count=MIN_REASON),
    )
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        _not_erased(locked)
        hold = LegalHold.objects.create(
            person=locked, agency_id=actor.agency_id, placed_by=actor, reason=reason
        )
        record_event(
            Action.CREATE,
            actor=actor,
            object_type="legal_hold",
            object_ref=hold.reference,
            request=request,
            reason=reason,
            details={"person": locked.reference},
        )
    return hold


def lift_legal_hold(
    hold: LegalHold, *, actor, reason: str, request: HttpRequest | None = None
) -> LegalHold:
    """Lift a hold (the agency that placed it); the retention rules apply again."""
    if not access.can_lift_legal_hold(actor, hold):
        raise PermissionDenied(_("Only the agency that placed a legal hold lifts it."))
    reason = _cleaned_reason(
        reason,
        _("Say why the records need no longer be kept (at least {count} characters).").format(
            count=MIN_REASON
        ),
    )
    with transaction.atomic():
        lifted = LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=actor, lift_reason=reason
        )
        if not lifted:
            raise ValidationError(_("This legal hold was lifted already."))
        hold.refresh_from_db()
        record_event(
            Action.CHANGE,
            actor=actor,
            object_type="legal_hold",
            object_ref=hold.reference,
            request=request,
            reason=reason,
            details={"person": hold.person.reference, "lifted": True},
        )
    return hold


# --- the right to erasure ----------------------------------------------------------------------


def request_erasure(
    person: Person,
    *,
    actor,
    requested_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ErasureRequest:
    """Record that the person asked for her records to be erased, and carry it out — unless
    the law requires them to be kept (`rules.grounds_to_keep`: a legal hold, an open case or
    referral, a pending non-punishment decision, a message in transit), in which case the
    request is refused and the grounds recorded. Either way the request itself stays."""
    if not access.can_handle_erasure_request(actor, person):
        raise PermissionDenied(_("Only an NRM coordinator handles a request for erasure."))
    today = timezone.localdate()
    requested_on = requested_on or today
    if requested_on > today:
        raise ValidationError(
            {"requested_on": _("The day the person asked cannot be in the future.")}
        )
    now = timezone.now()
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        _not_erased(locked)
        grounds = grounds_to_keep(locked)
        erasure_request = ErasureRequest.objects.create(
            person=locked,
            requested_on=requested_on,
            note=visible_text(note or ""),
            agency_id=actor.agency_id,
            recorded_by=actor,
            recorded_at=now,
            status=ErasureRequest.Status.REFUSED if grounds else ErasureRequest.Status.CARRIED_OUT,
            refusal=grounds,
        )
        record_event(
            Action.CREATE,
            actor=actor,
            object_type="erasure_request",
            object_ref=erasure_request.reference,
            request=request,
            details={
                "person": locked.reference,
                "outcome": erasure_request.status,
                "grounds": [g["ground"] for g in grounds],
            },
        )
        if not grounds:
            _erase(
                [(locked.pk, locked.reference)],
                rule=Erasure.Rule.REQUEST,
                actor=actor,
                now=now,
                request=request,
                erasure_request=erasure_request,
            )
    return erasure_request


# --- retention ---------------------------------------------------------------------------------


@dataclass
class RuleReport:
    rule: Rule
    due: int = 0
    held: int = 0
    erased: int = 0


@dataclass
class RetentionReport:
    at: datetime
    dry_run: bool
    rules: list[RuleReport] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(r.due for r in self.rules)

    @property
    def erased(self) -> int:
        return sum(r.erased for r in self.rules)

    def outcome(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "due": {r.rule.code: r.due for r in self.rules},
            "erased": {r.rule.code: r.erased for r in self.rules},
            "kept_under_legal_hold": {r.rule.code: r.held for r in self.rules},
        }


Progress = Callable[[int, int], None]


def apply_retention(
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> RetentionReport:
    """Erase every person past the retention period of her rule (`rules.RULES`), a chunk of
    persons per transaction; with `dry_run`, only count them. Held persons are counted
    apart and never erased. Running it again erases nothing more."""
    now = now or timezone.now()
    report = RetentionReport(at=now, dry_run=dry_run)
    for rule in RULES:
        report.rules.append(
            RuleReport(rule, due=rule.due(now).count(), held=rule.due(now, held=True).count())
        )
    if dry_run:
        return report
    total, done = report.due, 0
    if progress:
        progress(0, total)
    for item in report.rules:
        last = 0
        while True:
            batch = list(
                item.rule.due(now)
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:chunk]
            )
            if not batch:
                break
            last = batch[-1]
            item.erased += _erase_due(item.rule, batch, now)
            done += len(batch)
            if progress:
                progress(min(done, total), total)
    if progress:
        progress(total, total)
    if report.erased:
        logger.info("retention: %s persons erased", report.erased)
    return report


def _erase_due(rule: Rule, ids: list[int], now: datetime) -> int:
    """Erase those of `ids` still due under `rule`, checked again under lock."""
    with transaction.atomic():
        persons = list(
            rule.due(now).filter(pk__in=ids).select_for_update().values_list("pk", "reference")
        )
        # A hold placed since the list was read (a new statement sees it) keeps the person.
        held = set(
            LegalHold.objects.active()
            .filter(person_id__in=[pk for pk, _ in persons])
            .values_list("person_id", flat=True)
        )
        persons = [(pk, ref) for pk, ref in persons if pk not in held]
        if persons:
            _erase(persons, rule=rule.code, actor=None, now=now)
    return len(persons)


def _erase(
    persons: list[tuple[int, str]],
    *,
    rule: str,
    actor,
    now: datetime,
    request: HttpRequest | None = None,
    erasure_request: ErasureRequest | None = None,
) -> list[Erasure]:
    """Blank everything about these (locked) persons, inside the caller's transaction."""
    ids = [pk for pk, _ in persons]
    counts = _counts(ids)
    cases = defaultdict(list)
    for person_id, reference in (
        ProtectionCase.objects.filter(person_id__in=ids)
        .order_by("opened_at", "pk")
        .values_list("person_id", "reference")
    ):
        cases[person_id].append(reference)
    _anonymise_persons(ids, now)
    for _kind, model, lookup, values in RELATED_ERASED:
        model.objects.filter(**{f"{lookup}__in": ids}).update(**values)
    TransnationalReferral.objects.filter(
        case__person_id__in=ids, data_erased_at__isnull=True
    ).update(data_erased_at=now)
    forget_figures()  # written in bulk: the kept figures would not hear of it
    erasures = Erasure.objects.bulk_create(
        [
            Erasure(
                person_id=pk,
                rule=rule,
                erased_at=now,
                erased_by=actor if getattr(actor, "pk", None) else None,
                request=erasure_request,
            )
            for pk in ids
        ]
    )
    period = {}
    if rule != Erasure.Rule.REQUEST:
        applied = rules.rule(rule)
        period = {"period": applied.period, "unit": applied.unit}
    for pk, reference in persons:
        details = {
            "erasure": rule,
            **period,
            "cases": cases.get(pk, []),
            "person_fields": list(PERSON_FIELDS_ERASED),
            "records": {kind: n for kind, per in counts.items() if (n := per.get(pk))},
        }
        if erasure_request is not None:
            details["request"] = erasure_request.reference
        record_event(
            Action.DELETE,
            actor=actor,
            object_type="person",
            object_ref=reference,
            request=request,
            details=details,
        )
    return erasures


def _counts(ids: list[int]) -> dict[str, dict[int, int]]:
    """How many records of each kind hold free text about each of these persons."""
    counts: dict[str, dict[int, int]] = {}
    for kind, model, lookup, _values in RELATED_ERASED:
        rows = (
            model.objects.filter(**{f"{lookup}__in": ids})
            .values(lookup)
            .annotate(n=Count("pk"))
            .values_list(lookup, "n")
        )
        counts[kind] = dict(rows)
    return counts


def _anonymise_persons(ids: Iterable[int], now: datetime) -> None:
    """Blank the identifying fields; a known date of birth becomes the age she had when first
    recorded (statistics count victims by age, never by birthday)."""
    ids = list(ids)
    by_age: dict[int, list[int]] = defaultdict(list)
    for pk, born, created_at in Person.objects.filter(
        pk__in=ids, date_of_birth__isnull=False
    ).values_list("pk", "date_of_birth", "created_at"):
        day = timezone.localdate(created_at)
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        by_age[max(age, 0)].append(pk)
    for age, group in by_age.items():
        Person.objects.filter(pk__in=group).update(age_estimate_min=age, age_estimate_max=age)
    blank = {name: "" for name in PERSON_FIELDS_ERASED if name != "date_of_birth"}
    Person.objects.filter(pk__in=ids).update(
        **blank, date_of_birth=None, updated_at=now, version=F("version") + 1
    )
    PersonSearchKey.objects.filter(person_id__in=ids).delete()  # nothing left to find her by


def erasure_of(person: Person) -> Erasure | None:
    return Erasure.objects.filter(person_id=person.pk).select_related("request").first()
