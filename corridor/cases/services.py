"""Business rules for protection cases: the NRM lifecycle and the case file.

Every change is one atomic, audited function taking the actor keyword-only. Who may make it
is declared below as data: `TRANSITIONS` for the lifecycle, `PERMISSIONS` for the rest of
the case file, both in terms of the part the actor plays for the case (`case_roles`).

Non-conditionality: the person's cooperation with the authorities is recorded
(`record_principles`) and read by no rule here; assistance never depends on it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import access
from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event
from corridor.cases.models import (
    COE_MINIMUM_REFLECTION_DAYS,
    NEED_CODES,
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    ReflectionExtension,
    reflection_days,
)
from corridor.core.concurrency import ConcurrentEdit, save_versioned
from corridor.jobs.services import first_time
from corridor.notifications.services import notify
from corridor.people.models import Person
from corridor.referrals.models import Referral
from corridor.vocabularies import Exploitation

Status = ProtectionCase.Status


def open_case(
    person: Person,
    *,
    actor,
    kind: str = ProtectionCase.Kind.TRAFFICKING,
    forms_of_exploitation: list[str] | None = None,
    risk_level: str = ProtectionCase.Risk.MEDIUM,
    request: HttpRequest | None = None,
) -> ProtectionCase:
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may not open a case for this person."))
    forms = list(dict.fromkeys(forms_of_exploitation or []))
    bad = [f for f in forms if f not in Exploitation.values]
    if bad:
        raise ValidationError(
            {
                "forms_of_exploitation": _("Unknown form of exploitation: {codes}.").format(
                    codes=", ".join(bad)
                )
            }
        )
    case = ProtectionCase(
        person=person,
        owner_agency_id=actor.agency_id,
        kind=kind,
        forms_of_exploitation=forms,
        risk_level=risk_level,
        coordinator=actor if actor.has_role(Role.COORDINATOR) else None,
    )
    case.full_clean(exclude=["person", "owner_agency", "coordinator"])
    with transaction.atomic():
        case.save()
        CaseEvent.objects.create(
            case=case, kind=CaseEvent.Kind.OPENED, to_value=case.status, actor=actor
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=case,
            request=request,
            details={"person": person.reference, "kind": kind},
        )
    return case


# --- who may do what ---------------------------------------------------------------------------
#
# The part a user plays for one case (see `case_roles`):
COORDINATOR = "coordinator"  # an NRM coordinator of the country of the owning agency
OWNER = "owner"  # a first responder or investigator of the owning agency
PROVIDER = "provider"  # a member of an agency that accepted a referral of the case

ROLE_LABELS = {
    COORDINATOR: gettext_lazy("NRM coordinators of the country"),
    OWNER: gettext_lazy("first responders and investigators of the owning agency"),
    PROVIDER: gettext_lazy("agencies that accepted a referral of the case"),
}
# Referral statuses in which the receiving agency serves the person.
SERVING = (Referral.Status.ACCEPTED, Referral.Status.IN_PROGRESS, Referral.Status.COMPLETED)

_C = frozenset({COORDINATOR})
_CO = frozenset({COORDINATOR, OWNER})
_COP = frozenset({COORDINATOR, OWNER, PROVIDER})

# From a closed case: back to the stage it was closed from (`ProtectionCase.closed_from`).
PREVIOUS_STAGE = "previous"

# The lifecycle: from each stage, the stages a case may move to, and who may move it there.
# Coordinators make every transition; the owning agency refers and records that assistance
# started; an agency serving the person records that assistance started. Confirming
# presumed-victim status, the long-term stages, closing and reopening are the coordinator's.
# A closed case reopens at "identified" (a fresh start) or at the stage it was closed from.
# Cooperation with the authorities appears nowhere here: it never gates a transition.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Status.IDENTIFIED: {
        Status.PRESUMED_VICTIM: _C,  # responders propose (`propose_presumed_victim`)
        Status.CLOSED: _C,
    },
    Status.PRESUMED_VICTIM: {
        Status.REFERRED: _CO,
        Status.ASSISTED: _COP,  # emergency assistance may start before a formal referral
        Status.CLOSED: _C,
    },
    Status.REFERRED: {
        Status.ASSISTED: _COP,
        Status.PRESUMED_VICTIM: _C,  # every referral fell through: back to the queue
        Status.CLOSED: _C,
    },
    Status.ASSISTED: {
        Status.LONG_TERM_SUPPORT: _C,
        Status.RETURN_REINTEGRATION: _C,
        Status.LOCAL_INTEGRATION: _C,
        Status.CLOSED: _C,
    },
    Status.LONG_TERM_SUPPORT: {
        Status.RETURN_REINTEGRATION: _C,
        Status.LOCAL_INTEGRATION: _C,
        Status.CLOSED: _C,
    },
    Status.RETURN_REINTEGRATION: {Status.LOCAL_INTEGRATION: _C, Status.CLOSED: _C},
    Status.LOCAL_INTEGRATION: {Status.RETURN_REINTEGRATION: _C, Status.CLOSED: _C},
    Status.CLOSED: {Status.IDENTIFIED: _C, PREVIOUS_STAGE: _C},
}

# The other changes to a case file, and who may make them. Consent follows the person
# record (`access.can_change_person`), referrals the case (`access.can_change_case`).
PERMISSIONS: dict[str, frozenset[str]] = {
    "propose_presumed_victim": frozenset({OWNER}),
    "change_risk": _COP,
    "assign_coordinator": _C,
    "start_reflection": _CO,
    "extend_reflection": _C,
    "record_principles": _CO,
    "record_offence": _CO,
    "assess_needs": _COP,
    "schedule_review": _C,
    "complete_review": _C,
}


def case_roles(user, case: ProtectionCase) -> frozenset[str]:
    """The parts `user` plays for `case`: coordinator, owner, provider (or none)."""
    if not (user and user.is_authenticated and user.is_active and user.agency_id):
        return frozenset()
    roles = set()
    if user.has_role(Role.COORDINATOR) and case.owner_agency.country == user.agency.country:
        roles.add(COORDINATOR)
    if (
        user.has_role(Role.FIRST_RESPONDER, Role.INVESTIGATOR)
        and case.owner_agency_id == user.agency_id
    ):
        roles.add(OWNER)
    if (
        user.has_role(*access.OPERATIONAL_ROLES)
        # an accepted referral whose consent still stands: revoking it ends the part
        and access.referrals_granting_access(user)
        .filter(case_id=case.pk, status__in=SERVING)
        .exists()
    ):
        roles.add(PROVIDER)
    return frozenset(roles)


def may(user, case: ProtectionCase, action: str, *, roles: frozenset[str] | None = None) -> bool:
    """Whether `user` may make the change `action` (a key of PERMISSIONS) to `case`."""
    roles = case_roles(user, case) if roles is None else roles
    return bool(roles & PERMISSIONS[action])


def permissions_for(user, case: ProtectionCase) -> dict:
    """Everything the case page needs to know about what `user` may do, in few queries."""
    roles = case_roles(user, case)
    allowed = {action: bool(roles & who) for action, who in PERMISSIONS.items()}
    allowed["record_consent"] = access.can_change_person(user, case.person)
    allowed["refer"] = bool(roles & _CO)
    allowed["transitions"] = transitions_for(user, case, roles=roles)
    allowed["any"] = bool(roles)
    return allowed


def allowed_targets(case: ProtectionCase) -> dict[str, frozenset[str]]:
    """The stages `case` may move to from where it is, each with who may move it there."""
    targets: dict[str, frozenset[str]] = {}
    for target, who in TRANSITIONS.get(case.status, {}).items():
        if target == PREVIOUS_STAGE:
            target = case.closed_from
            if not target or target == Status.CLOSED:
                continue
        targets[str(target)] = targets.get(str(target), frozenset()) | who
    return targets


def transitions_for(
    user, case: ProtectionCase, *, roles: frozenset[str] | None = None
) -> list[str]:
    """The stages `user` may move `case` to, in lifecycle order."""
    roles = case_roles(user, case) if roles is None else roles
    targets = allowed_targets(case)
    return [s for s in Status.values if s in targets and roles & targets[s]]


def _who(allowed: frozenset[str]) -> str:
    return "; ".join(str(ROLE_LABELS[r]) for r in (COORDINATOR, OWNER, PROVIDER) if r in allowed)


def _require(actor, case: ProtectionCase, action: str, message: str) -> frozenset[str]:
    roles = case_roles(actor, case)
    if not roles & PERMISSIONS[action]:
        raise PermissionDenied(message)
    return roles


def _check_version(obj, expected_version) -> None:
    """Refuse an edit based on an old read before anything else is checked or written."""
    if obj.version != expected_version:
        raise ConcurrentEdit(obj)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _date(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _not_in_future(value: date | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def _case_url(case: ProtectionCase) -> str:
    return reverse("cases:detail", args=[case.reference])


def _coordinators_of(case: ProtectionCase):
    """Whom to tell about a case: its assigned coordinator, else every coordinator of its country."""
    if case.coordinator_id:
        return [case.coordinator]
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=Role.COORDINATOR.value,
            agency__country=case.owner_agency.country,
        ).distinct()
    )


REFLECTION_REMINDER_DAYS = 3


def remind_reflection_period_ending(*, today: date | None = None) -> list[ProtectionCase]:
    """Tell the coordinators, once per end date, of reflection periods ending within
    REFLECTION_REMINDER_DAYS: the decision on residence and cooperation must not be rushed
    because nobody noticed the clock. An extended period is a new end date, told again."""
    today = today or timezone.localdate()
    due = (
        ProtectionCase.objects.filter(
            reflection_ends_on__gte=today,
            reflection_ends_on__lte=today + timedelta(days=REFLECTION_REMINDER_DAYS),
        )
        .exclude(status=Status.CLOSED)
        .select_related("coordinator", "owner_agency")
        .order_by("reflection_ends_on", "pk")
    )
    reminded = []
    for case in due:
        with transaction.atomic():
            if not first_time(f"reflection-ending:{case.pk}:{case.reflection_ends_on}"):
                continue
            reference, ends_on = case.reference, case.reflection_ends_on
            notify(
                _coordinators_of(case),
                lambda reference=reference, ends_on=ends_on: _(
                    "Case {reference}: the reflection period ends on {date}."
                ).format(reference=reference, date=date_format(ends_on, "DATE_FORMAT")),
                url=_case_url(case),
            )
            reminded.append(case)
    return reminded


# --- the lifecycle -----------------------------------------------------------------------------


def change_case_status(
    case: ProtectionCase,
    *,
    actor,
    status: str,
    expected_version: int,
    request: HttpRequest | None = None,
    note: str = "",
    closure_reason: str = "",
) -> ProtectionCase:
    """Move `case` to the stage `status`, if TRANSITIONS lets the actor's role do it.

    Closing needs a `closure_reason`; "other" also needs a `note`. Confirming presumed-victim
    status starts the reflection period if it has not started yet.
    """
    roles = case_roles(actor, case)
    if not roles:
        raise PermissionDenied(_("You may read this case but not change it."))
    _check_version(case, expected_version)
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown stage: {status}.").format(status=status)})
    current, target = _label(Status, case.status), _label(Status, status)
    if status == case.status:
        raise ValidationError(
            {"status": _("The case is already at stage {status}.").format(status=current)}
        )
    targets = allowed_targets(case)
    if status not in targets:
        raise ValidationError(
            {
                "status": _(
                    "A case at stage {status} cannot move to {target}. "
                    "From {status} it can move to: {allowed}."
                ).format(
                    status=current,
                    target=target,
                    allowed=", ".join(_label(Status, s) for s in Status.values if s in targets),
                )
            }
        )
    if not roles & targets[status]:
        raise PermissionDenied(
            _("Your role may not move a case from {status} to {target}. Who may: {who}.").format(
                status=current, target=target, who=_who(targets[status])
            )
        )
    note = (note or "").strip()
    if status == Status.CLOSED:
        if closure_reason not in ProtectionCase.ClosureReason.values:
            raise ValidationError({"closure_reason": _("Say why the case is closed.")})
        if closure_reason == ProtectionCase.ClosureReason.OTHER and not note:
            raise ValidationError({"note": _("Explain in the note why the case is closed.")})
    else:
        closure_reason = ""

    previous = case.status
    case.status = status
    fields = ["status"]
    details: dict = {"status": [previous, status]}
    if status == Status.CLOSED:
        case.closed_at = timezone.now()
        case.closure_reason = closure_reason
        case.closed_from = previous
        fields += ["closed_at", "closure_reason", "closed_from"]
        details["closure_reason"] = closure_reason
    elif previous == Status.CLOSED:
        case.closed_at, case.closure_reason, case.closed_from = None, "", ""
        fields += ["closed_at", "closure_reason", "closed_from"]
    elif case.closed_at is not None:  # a legacy row: closed time without the closed stage
        case.closed_at = None
        fields.append("closed_at")
    reflection_started = status == Status.PRESUMED_VICTIM and case.reflection_starts_on is None
    if reflection_started:
        today = timezone.localdate()
        case.reflection_starts_on = today
        case.reflection_ends_on = today + timedelta(days=max(reflection_days(), 1) - 1)
        fields += ["reflection_starts_on", "reflection_ends_on"]
        details["reflection"] = [
            case.reflection_starts_on.isoformat(),
            case.reflection_ends_on.isoformat(),
        ]
    with transaction.atomic():
        save_versioned(case, expected_version, fields)
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.STATUS,
            from_value=previous,
            to_value=status,
            reason=closure_reason,
            actor=actor,
            note=note,
        )
        if reflection_started:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.REFLECTION,
                from_value=case.reflection_starts_on.isoformat(),
                to_value=case.reflection_ends_on.isoformat(),
                actor=actor,
            )
        record_event(
            Action.CHANGE, actor=actor, obj=case, request=request, reason=note, details=details
        )
        if case.coordinator_id and case.coordinator_id != actor.pk:
            reference, stage = case.reference, status
            notify(
                [case.coordinator],
                lambda: _("Case {reference} moved to stage {stage}.").format(
                    reference=reference, stage=Status(stage).label
                ),
                url=_case_url(case),
            )
    return case


def propose_presumed_victim(
    case: ProtectionCase, *, actor, note: str = "", request: HttpRequest | None = None
) -> CaseEvent:
    """A responder asks the coordinators to confirm presumed-victim status; they are told."""
    _require(
        actor,
        case,
        "propose_presumed_victim",
        _("Only the owning agency's responders propose presumed-victim status."),
    )
    if case.status != Status.IDENTIFIED:
        raise ValidationError(
            {
                "status": _(
                    "Only an identified case can be proposed; this one is at stage {status}."
                ).format(status=case.get_status_display())
            }
        )
    with transaction.atomic():
        event = CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.PROPOSAL,
            from_value=case.status,
            to_value=Status.PRESUMED_VICTIM,
            actor=actor,
            note=(note or "").strip(),
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            reason=event.note,
            details={"proposed": Status.PRESUMED_VICTIM.value},
        )
        reference = case.reference
        notify(
            _coordinators_of(case),
            lambda: _("Case {reference}: please confirm presumed-victim status.").format(
                reference=reference
            ),
            url=_case_url(case),
        )
    return event


# --- the case file -----------------------------------------------------------------------------


def assign_coordinator(
    case: ProtectionCase,
    *,
    actor,
    coordinator,
    expected_version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> ProtectionCase:
    """Make `coordinator` (a coordinator of the case's country) responsible; she is told."""
    _require(actor, case, "assign_coordinator", _("Only an NRM coordinator assigns cases."))
    _check_version(case, expected_version)
    country = case.owner_agency.country
    if (
        coordinator is None
        or not coordinator.is_active
        or not coordinator.has_role(Role.COORDINATOR)
        or coordinator.agency is None
        or coordinator.agency.country != country
    ):
        raise ValidationError(
            {
                "coordinator": _("Choose an active NRM coordinator in {country}.").format(
                    country=case.owner_agency.get_country_display()
                )
            }
        )
    if coordinator.pk == case.coordinator_id:
        raise ValidationError(
            {"coordinator": _("This coordinator is already assigned to the case.")}
        )
    previous = case.coordinator.username if case.coordinator_id else ""
    case.coordinator = coordinator
    with transaction.atomic():
        save_versioned(case, expected_version, ["coordinator"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.COORDINATOR,
            from_value=previous,
            to_value=coordinator.username,
            actor=actor,
            note=(note or "").strip(),
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            reason=(note or "").strip(),
            details={"coordinator": [previous, coordinator.username]},
        )
        if coordinator.pk != actor.pk:
            reference = case.reference
            notify(
                [coordinator],
                lambda: _("Case {reference} was assigned to you.").format(reference=reference),
                url=_case_url(case),
            )
    return case


def change_risk_level(
    case: ProtectionCase,
    *,
    actor,
    risk_level: str,
    reason: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> ProtectionCase:
    """Change the risk level, saying why; a rise to high risk is told to the coordinator."""
    _require(actor, case, "change_risk", _("You may not change this case's risk level."))
    _check_version(case, expected_version)
    errors = {}
    if risk_level not in ProtectionCase.Risk.values:
        errors["risk_level"] = _("Unknown risk level.")
    elif risk_level == case.risk_level:
        errors["risk_level"] = _("The risk level is already {level}.").format(
            level=case.get_risk_level_display()
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why the risk level changes.")
    if errors:
        raise ValidationError(errors)
    previous = case.risk_level
    case.risk_level = risk_level
    with transaction.atomic():
        save_versioned(case, expected_version, ["risk_level"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.RISK,
            from_value=previous,
            to_value=risk_level,
            actor=actor,
            note=reason,
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            reason=reason,
            details={"risk_level": [previous, risk_level]},
        )
        if risk_level == ProtectionCase.Risk.HIGH:
            reference = case.reference
            notify(
                [u for u in _coordinators_of(case) if u.pk != actor.pk],
                lambda: _("Case {reference} is now at high risk.").format(reference=reference),
                url=_case_url(case),
            )
    return case


def start_reflection_period(
    case: ProtectionCase,
    *,
    actor,
    expected_version: int,
    starts_on: date | None = None,
    days: int | None = None,
    request: HttpRequest | None = None,
) -> ProtectionCase:
    """Start the reflection period: `days` long (CORRIDOR_REFLECTION_DAYS, 30 by default)."""
    _require(actor, case, "start_reflection", _("You may not start this case's reflection period."))
    _check_version(case, expected_version)
    starts_on = starts_on or timezone.localdate()
    days = reflection_days() if days is None else days
    errors: dict = {}
    if case.reflection_starts_on is not None:
        errors["starts_on"] = _(
            "The reflection period already started on {date}; extend it instead."
        ).format(date=_date(case.reflection_starts_on))
    _not_in_future(starts_on, "starts_on", errors)
    if days < COE_MINIMUM_REFLECTION_DAYS:
        errors["days"] = _("A reflection period lasts at least {days} days.").format(
            days=COE_MINIMUM_REFLECTION_DAYS
        )
    if errors:
        raise ValidationError(errors)
    case.reflection_starts_on = starts_on
    case.reflection_ends_on = starts_on + timedelta(days=days - 1)
    with transaction.atomic():
        save_versioned(case, expected_version, ["reflection_starts_on", "reflection_ends_on"])
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.REFLECTION,
            from_value=starts_on.isoformat(),
            to_value=case.reflection_ends_on.isoformat(),
            actor=actor,
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            details={"reflection": [starts_on.isoformat(), case.reflection_ends_on.isoformat()]},
        )
    return case


def extend_reflection_period(
    case: ProtectionCase,
    *,
    actor,
    expected_version: int,
    new_end: date,
    reason: str,
    request: HttpRequest | None = None,
) -> ReflectionExtension:
    """Move the last day of the reflection period later, saying why."""
    _require(
        actor,
        case,
        "extend_reflection",
        _("Only an NRM coordinator extends a reflection period."),
    )
    _check_version(case, expected_version)
    reason = (reason or "").strip()
    errors = {}
    if case.reflection_ends_on is None:
        errors["new_end"] = _("The reflection period has not started yet.")
    elif new_end is None or new_end <= case.reflection_ends_on:
        errors["new_end"] = _("The new last day must be after {date}.").format(
            date=_date(case.reflection_ends_on)
        )
    if not reason:
        errors["reason"] = _("Say why the reflection period is extended.")
    if errors:
        raise ValidationError(errors)
    previous = case.reflection_ends_on
    case.reflection_ends_on = new_end
    with transaction.atomic():
        save_versioned(case, expected_version, ["reflection_ends_on"])
        extension = ReflectionExtension.objects.create(
            case=case, previous_end=previous, new_end=new_end, reason=reason, extended_by=actor
        )
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.EXTENSION,
            from_value=previous.isoformat(),
            to_value=new_end.isoformat(),
            actor=actor,
            note=reason,
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            reason=reason,
            details={"reflection_ends_on": [previous.isoformat(), new_end.isoformat()]},
        )
    return extension


def record_principles(
    case: ProtectionCase,
    *,
    actor,
    expected_version: int,
    cooperation_status: str,
    assistance_unconditional: bool,
    note: str = "",
    request: HttpRequest | None = None,
) -> ProtectionCase:
    """Record the non-conditionality attestation and, separately, the person's cooperation.

    The attestation ("assistance does not depend on cooperating with the authorities") cannot
    be withdrawn once given. The cooperation status is information only: no rule reads it.
    """
    _require(actor, case, "record_principles", _("You may not change this case's principles."))
    _check_version(case, expected_version)
    errors = {}
    if cooperation_status not in ProtectionCase.Cooperation.values:
        errors["cooperation_status"] = _("Unknown cooperation status.")
    if case.assistance_unconditional and not assistance_unconditional:
        errors["assistance_unconditional"] = _(
            "Assistance does not depend on cooperation: this cannot be withdrawn."
        )
    if errors:
        raise ValidationError(errors)
    fields, details = [], {}
    if cooperation_status != case.cooperation_status:
        details["cooperation_status"] = [case.cooperation_status, cooperation_status]
        previous_cooperation = case.cooperation_status
        case.cooperation_status = cooperation_status
        fields.append("cooperation_status")
    attesting = assistance_unconditional and not case.assistance_unconditional
    if attesting:
        case.assistance_unconditional = True
        case.unconditional_attested_by = actor
        case.unconditional_attested_at = timezone.now()
        fields += [
            "assistance_unconditional",
            "unconditional_attested_by",
            "unconditional_attested_at",
        ]
        details["assistance_unconditional"] = True
    if not fields:
        return case
    note = (note or "").strip()
    with transaction.atomic():
        save_versioned(case, expected_version, fields)
        if "cooperation_status" in details:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.PRINCIPLES,
                from_value=previous_cooperation,
                to_value=cooperation_status,
                actor=actor,
                note=note,
            )
        if attesting:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.PRINCIPLES,
                to_value=CaseEvent.UNCONDITIONAL,
                actor=actor,
                note="" if "cooperation_status" in details else note,
            )
        record_event(
            Action.CHANGE, actor=actor, obj=case, request=request, reason=note, details=details
        )
    return case


def _offence_errors(decision, authority, decided_on) -> dict:
    errors: dict = {}
    if decision not in CompelledOffence.Decision.values:
        errors["decision"] = _("Unknown decision.")
    elif decision != CompelledOffence.Decision.PENDING:
        if not authority:
            errors["authority"] = _("Say which authority decided.")
        if decided_on is None:
            errors["decided_on"] = _("Say when it was decided.")
    _not_in_future(decided_on, "decided_on", errors)
    return errors


def record_compelled_offence(
    case: ProtectionCase,
    *,
    actor,
    offence: str,
    category: str,
    decision: str = CompelledOffence.Decision.PENDING,
    authority: str = "",
    decided_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> CompelledOffence:
    """Record an offence the person was compelled to commit (non-punishment principle)."""
    _require(actor, case, "record_offence", _("You may not record offences on this case."))
    offence, authority = (offence or "").strip(), (authority or "").strip()
    errors = _offence_errors(decision, authority, decided_on)
    if not offence:
        errors["offence"] = _("Describe the offence.")
    if category not in CompelledOffence.Category.values:
        errors["category"] = _("Choose the kind of offence.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = CompelledOffence.objects.create(
            case=case,
            offence=offence,
            category=category,
            decision=decision,
            authority=authority,
            decided_on=decided_on,
            notes=(notes or "").strip(),
            recorded_by=actor,
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=record,
            object_ref=str(record.pk),
            request=request,
            details={"case": case.reference, "category": category, "decision": decision},
        )
    return record


def record_non_punishment_decision(
    record: CompelledOffence,
    *,
    actor,
    expected_version: int,
    decision: str,
    authority: str = "",
    decided_on: date | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
) -> CompelledOffence:
    """Record what the authorities decided about an offence the person was compelled to commit."""
    _require(actor, record.case, "record_offence", _("You may not record offences on this case."))
    _check_version(record, expected_version)
    authority = (authority or "").strip()
    errors = _offence_errors(decision, authority, decided_on)
    if errors:
        raise ValidationError(errors)
    previous = record.decision
    record.decision, record.authority, record.decided_on = decision, authority, decided_on
    record.notes = (notes or "").strip()
    with transaction.atomic():
        save_versioned(record, expected_version, ["decision", "authority", "decided_on", "notes"])
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=record,
            object_ref=str(record.pk),
            request=request,
            details={"case": record.case.reference, "decision": [previous, decision]},
        )
    return record


def record_needs_assessment(
    case: ProtectionCase,
    *,
    actor,
    needs: list[str],
    notes: str = "",
    assessed_on: date | None = None,
    request: HttpRequest | None = None,
) -> NeedsAssessment:
    """Add a needs assessment; earlier ones stay as they were."""
    _require(actor, case, "assess_needs", _("You may not assess this person's needs."))
    needs = list(dict.fromkeys(needs or []))
    assessed_on = assessed_on or timezone.localdate()
    errors: dict = {}
    bad = [n for n in needs if n not in NEED_CODES]
    if bad:
        errors["needs"] = _("Unknown need: {codes}.").format(codes=", ".join(bad))
    elif not needs:
        errors["needs"] = _("Choose at least one need.")
    _not_in_future(assessed_on, "assessed_on", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = NeedsAssessment.objects.create(
            case=case,
            assessed_on=assessed_on,
            assessor=actor,
            needs=needs,
            notes=(notes or "").strip(),
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=assessment,
            object_ref=str(assessment.pk),
            request=request,
            details={"case": case.reference, "needs": needs},
        )
    return assessment


def schedule_review(
    case: ProtectionCase,
    *,
    actor,
    due_on: date,
    topic: str = "",
    request: HttpRequest | None = None,
) -> CaseReview:
    """Put a review of the case in the coordinator's diary."""
    _require(actor, case, "schedule_review", _("Only an NRM coordinator schedules reviews."))
    errors = {}
    if case.is_closed:
        errors["due_on"] = _("A closed case is not reviewed; reopen it first.")
    elif due_on is None or due_on < timezone.localdate():
        errors["due_on"] = _("A review is due today or later.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        review = CaseReview.objects.create(
            case=case, due_on=due_on, topic=(topic or "").strip(), scheduled_by=actor
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=review,
            object_ref=str(review.pk),
            request=request,
            details={"case": case.reference, "due_on": due_on.isoformat()},
        )
    return review


def complete_review(
    review: CaseReview,
    *,
    actor,
    outcome: str,
    done_on: date | None = None,
    request: HttpRequest | None = None,
) -> CaseReview:
    """Record a review's outcome; a review is completed once."""
    _require(actor, review.case, "complete_review", _("Only an NRM coordinator completes reviews."))
    outcome = (outcome or "").strip()
    done_on = done_on or timezone.localdate()
    errors: dict = {}
    if not outcome:
        errors["outcome"] = _("Record the outcome of the review.")
    _not_in_future(done_on, "done_on", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The conditional update is the lock: of two people completing it, one wins.
        updated = CaseReview.objects.filter(pk=review.pk, done_on__isnull=True).update(
            done_on=done_on,
            done_by=actor,
            outcome=outcome,  # encrypted by the field, as in save()
        )
        if updated != 1:
            raise ValidationError({"outcome": _("This review was already completed.")})
        review.refresh_from_db()
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=review,
            object_ref=str(review.pk),
            request=request,
            details={"case": review.case.reference, "done_on": done_on.isoformat()},
        )
    return review


def reviews_due_for(user, *, today: date | None = None, within_days: int = 0):
    """Reviews a coordinator has to do: not done, due by `today` (+ `within_days`), oldest first.

    Scoped like every list: only an NRM coordinator gets any, and only for the open cases of
    her own country she may see. For the home page: `reviews_due_for(request.user)[:10]`.
    """
    if not (user and user.is_authenticated and user.is_active and user.agency_id):
        return CaseReview.objects.none()
    if not user.has_role(Role.COORDINATOR):
        return CaseReview.objects.none()
    horizon = (today or timezone.localdate()) + timedelta(days=within_days)
    # A coordinator sees every case of her country (accounts.access.case_scope), so the
    # country is the whole test: no IN over every visible case on each home page.
    return (
        CaseReview.objects.filter(
            case__owner_agency__country=user.agency.country,
            done_on__isnull=True,
            due_on__lte=horizon,
        )
        .exclude(case__status=Status.CLOSED)
        .select_related("case", "case__person")
        .order_by("due_on", "pk")
    )


def view_case(case: ProtectionCase, *, actor, request: HttpRequest | None = None) -> None:
    record_event(
        Action.VIEW,
        actor=actor,
        obj=case,
        request=request,
        details={"person": case.person.reference},
    )
