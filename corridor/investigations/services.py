"""Business rules for criminal cases: the lifecycle, the case file, and who may do what.

Every change is one atomic, audited function taking the actor keyword-only; it checks
access (`corridor.accounts.access.can_manage_criminal_case`), validates everything at once
(errors name the field; nothing is half-written), writes a history row and the audit event,
and tells whoever must act once the transaction commits.

The lifecycle is the table `TRANSITIONS`: from each stage, the stages a case may move to
and the roles that may move it there. Each stage reached keeps its date.

Nothing here reads or changes a protection case: protection never depends on prosecution. A
victim's data reaches the case only as a witness, through the window her consent or a legal
basis opens (`corridor.accounts.access.witness_windows`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import pycountry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Agency, Role, User
from corridor.audit.models import AuditEvent
from corridor.audit.services import Action, record_event
from corridor.consent.models import Consent
from corridor.core.concurrency import ConcurrentEdit, save_versioned
from corridor.core.text import visible_text
from corridor.incidents.models import Incident, Suspect
from corridor.investigations.models import (
    STAGE_DATE_FIELDS,
    Asset,
    CaseIncident,
    CaseSuspect,
    Charge,
    CompensationOrder,
    CriminalCase,
    CriminalCaseEvent,
    LegalBasis,
    Offence,
    OffenceKind,
    ProtectiveMeasure,
    Stage,
    Verdict,
    Witness,
)
from corridor.notifications.services import notify
from corridor.people.models import Person

Kind = CriminalCaseEvent.Kind

_BOTH = frozenset({Role.INVESTIGATOR, Role.PROSECUTOR})
_PROSECUTOR = frozenset({Role.PROSECUTOR})

# The lifecycle: from each stage, the stages a case may move to and who may move it there.
# Investigators refer a case for prosecution; the prosecutor takes it from there, or drops it.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Stage.INVESTIGATION: {Stage.PROSECUTION: _BOTH, Stage.DISCONTINUED: _PROSECUTOR},
    Stage.PROSECUTION: {Stage.TRIAL: _PROSECUTOR, Stage.DISCONTINUED: _PROSECUTOR},
    Stage.TRIAL: {Stage.VERDICT: _PROSECUTOR},
    Stage.VERDICT: {Stage.APPEAL: _PROSECUTOR, Stage.FINAL: _PROSECUTOR},
    Stage.APPEAL: {Stage.FINAL: _PROSECUTOR},
    Stage.FINAL: {},
    Stage.DISCONTINUED: {},
}
# Stages at which the file is closed: no new suspect, charge, verdict or compensation order.
CLOSED_STAGES = frozenset({Stage.FINAL, Stage.DISCONTINUED})
# Stages at which a court may have decided on a charge.
TRIAL_STAGES = frozenset({Stage.TRIAL, Stage.VERDICT, Stage.APPEAL})


# --- helpers ------------------------------------------------------------------------------


def _require(actor, criminal_case: CriminalCase) -> None:
    if not access.can_manage_criminal_case(actor, criminal_case):
        raise PermissionDenied(_("You may not change this criminal case."))


def _check_version(obj, expected_version) -> None:
    if obj.version != expected_version:
        raise ConcurrentEdit(obj)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _date(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _case_url(criminal_case: CriminalCase) -> str:
    return reverse("investigations:detail", args=[criminal_case.reference])


def _not_in_future(value: date | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, _("The date cannot be in the future."))


def _not_closed(criminal_case: CriminalCase) -> None:
    if criminal_case.stage in CLOSED_STAGES:
        raise ValidationError(
            {
                "stage": _("The case is at stage {stage}: its file is closed.").format(
                    stage=criminal_case.get_stage_display()
                )
            }
        )


def valid_currency(code: str | None) -> str | None:
    """The ISO 4217 code, upper-cased, or None when there is no such currency."""
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        return None
    return code if pycountry.currencies.get(alpha_3=code) is not None else None


def _currency(value, field: str, errors: dict) -> str:
    code = valid_currency(value)
    if code is None:
        errors.setdefault(
            field,
            _("Unknown currency: {code}. Give an ISO 4217 code such as EUR, XOF or NGN.").format(
                code=(value or "").strip() or "—"
            ),
        )
        return ""
    return code


def _money(value, field: str, errors: dict, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors.setdefault(field, _("Give an amount."))
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, _("Give an amount as a number."))
        return None
    if not amount.is_finite():
        errors.setdefault(field, _("Give an amount as a number."))
        return None
    if amount < 0:
        errors.setdefault(field, _("The amount cannot be negative."))
        return None
    return amount


def _clean(obj, errors: dict, *, exclude: list[str]) -> None:
    """The model's own rules (lengths, choices, digits), merged with the service's errors."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _event(criminal_case, *, actor, kind, from_value="", to_value="", on=None, note=""):
    return CriminalCaseEvent.objects.create(
        criminal_case=criminal_case,
        kind=kind,
        from_value=str(from_value)[:40],
        to_value=str(to_value)[:40],
        on=on,
        actor=actor,
        note=(note or "").strip(),
    )


def _changed(criminal_case, *, actor, request, **details) -> None:
    record_event(Action.CHANGE, actor=actor, obj=criminal_case, request=request, details=details)


def prosecutors_of(agency: Agency | None) -> list[User]:
    if agency is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, agency=agency, groups__name=Role.PROSECUTOR.value
        ).distinct()
    )


def _prosecution_office(value, errors: dict) -> Agency | None:
    if value in (None, ""):
        return None
    agency = value if isinstance(value, Agency) else Agency.objects.filter(pk=value).first()
    if agency is None or not agency.is_active or agency.sector != Agency.Sector.PROSECUTION:
        errors.setdefault("prosecutor_agency", _("Choose an active prosecution service."))
        return None
    return agency


# --- reading ------------------------------------------------------------------------------


def view_criminal_case(
    criminal_case: CriminalCase, *, actor, request: HttpRequest | None = None
) -> None:
    record_event(Action.VIEW, actor=actor, obj=criminal_case, request=request)


# --- opening a case and what it covers ----------------------------------------------------


def _offence(criminal_case, kind, form_of_exploitation, description, errors: dict) -> Offence:
    form_of_exploitation = form_of_exploitation or ""
    offence = Offence(
        criminal_case=criminal_case,
        kind=kind or "",
        form_of_exploitation=form_of_exploitation,
        description=(description or "").strip(),
    )
    _clean(offence, errors, exclude=["criminal_case"])
    if form_of_exploitation and kind != OffenceKind.TRAFFICKING:
        errors.setdefault(
            "form_of_exploitation",
            _("A form of exploitation is given only for trafficking."),
        )
    return offence


def open_criminal_case(
    *,
    actor,
    title: str,
    summary: str = "",
    court_reference: str = "",
    prosecutor_agency=None,
    offence_kind: str = OffenceKind.TRAFFICKING,
    form_of_exploitation: str = "",
    incident: Incident | None = None,
    opened_on: date | None = None,
    request: HttpRequest | None = None,
) -> CriminalCase:
    """Open a criminal case owned by the actor's agency, with its first offence and, when
    opened from an incident the actor may see, that incident."""
    if not access.can_open_criminal_case(actor):
        raise PermissionDenied(_("Only investigators and prosecutors open criminal cases."))
    if (
        incident is not None
        and not access.incidents_visible_to(actor).filter(pk=incident.pk).exists()
    ):
        raise PermissionDenied(_("You may not see this incident."))
    errors: dict = {}
    office = _prosecution_office(prosecutor_agency, errors)
    opened_on = opened_on or timezone.localdate()
    _not_in_future(opened_on, "investigation_on", errors)
    criminal_case = CriminalCase(
        owner_agency_id=actor.agency_id,
        prosecutor_agency=office,
        title=(title or "").strip(),
        summary=(summary or "").strip(),
        court_reference=visible_text(court_reference),
        investigation_on=opened_on,
        created_by=actor,
    )
    _clean(criminal_case, errors, exclude=["owner_agency", "prosecutor_agency", "created_by"])
    offence = _offence(criminal_case, offence_kind, form_of_exploitation, "", errors)
    _raise(errors)
    with transaction.atomic():
        criminal_case.save()
        offence.criminal_case = criminal_case
        offence.save()
        _event(
            criminal_case, actor=actor, kind=Kind.OPENED, to_value=Stage.INVESTIGATION, on=opened_on
        )
        if incident is not None:
            CaseIncident.objects.create(criminal_case=criminal_case, incident=incident)
            _event(criminal_case, actor=actor, kind=Kind.INCIDENT, to_value=incident.reference)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=criminal_case,
            request=request,
            details={
                "offence": offence.kind,
                "incident": incident.reference if incident else "",
                "prosecutor_agency": office.pk if office else None,
            },
        )
        if office is not None and office.pk != actor.agency_id:
            _tell_prosecutors(criminal_case, office)
    return criminal_case


def _tell_prosecutors(criminal_case: CriminalCase, office: Agency) -> None:
    reference = criminal_case.reference
    notify(
        prosecutors_of(office),
        lambda: _("Criminal case {reference} was referred to your office.").format(
            reference=reference
        ),
        url=_case_url(criminal_case),
    )


def cover_incident(
    criminal_case: CriminalCase,
    *,
    actor,
    incident: Incident | str,
    request: HttpRequest | None = None,
) -> CaseIncident:
    """Add an incident the actor may see to those the case covers."""
    _require(actor, criminal_case)
    reference = visible_text(
        incident.reference if isinstance(incident, Incident) else str(incident or "")
    )
    found = access.incidents_visible_to(actor).filter(reference=reference.strip().upper()).first()
    if found is None:
        raise ValidationError(
            {
                "incident": _(
                    "No incident with the reference {reference} is in your records."
                ).format(reference=reference.strip() or "—")
            }
        )
    if CaseIncident.objects.filter(criminal_case=criminal_case, incident=found).exists():
        raise ValidationError(
            {
                "incident": _("{reference} is already covered by this case.").format(
                    reference=found.reference
                )
            }
        )
    with transaction.atomic():
        link = CaseIncident.objects.create(criminal_case=criminal_case, incident=found)
        _event(criminal_case, actor=actor, kind=Kind.INCIDENT, to_value=found.reference)
        _changed(criminal_case, actor=actor, request=request, incident=found.reference)
    return link


def add_offence(
    criminal_case: CriminalCase,
    *,
    actor,
    kind: str,
    form_of_exploitation: str = "",
    description: str = "",
    request: HttpRequest | None = None,
) -> Offence:
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    errors: dict = {}
    offence = _offence(criminal_case, kind, form_of_exploitation, description, errors)
    _raise(errors)
    with transaction.atomic():
        offence.save()
        _event(criminal_case, actor=actor, kind=Kind.OFFENCE, to_value=offence.kind)
        _changed(criminal_case, actor=actor, request=request, offence=offence.kind)
    return offence


# --- suspects and defendants --------------------------------------------------------------

SUSPECT_FIELDS = ("names", "aliases", "sex", "nationality")


def add_suspect(
    criminal_case: CriminalCase,
    *,
    actor,
    role: str,
    level: str,
    suspect: Suspect | str | None = None,
    notes: str = "",
    request: HttpRequest | None = None,
    **fields,
) -> CaseSuspect:
    """Name a suspect in the case with the part played in the network (role) and UNODC's
    level of involvement: one already known (`suspect`, a reference the actor may see, e.g.
    from an incident the case covers) or a new one from `fields` (names, aliases, sex,
    nationality)."""
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    unknown = sorted(set(fields) - set(SUSPECT_FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    errors: dict = {}
    if suspect:
        if any(fields.get(name) for name in SUSPECT_FIELDS):
            errors["suspect"] = _("Give either a known suspect or a new one's details, not both.")
        reference = visible_text(
            suspect.reference if isinstance(suspect, Suspect) else str(suspect)
        )
        found = (
            access.suspects_visible_to(actor).filter(reference=reference.strip().upper()).first()
        )
        if found is None:
            errors.setdefault(
                "suspect",
                _("No suspect with the reference {reference} is in your records.").format(
                    reference=reference.strip()
                ),
            )
        elif CaseSuspect.objects.filter(criminal_case=criminal_case, suspect=found).exists():
            errors.setdefault(
                "suspect",
                _("{reference} is already a suspect in this case.").format(
                    reference=found.reference
                ),
            )
        person = found
    else:
        values = {name: (fields.get(name) or "") for name in SUSPECT_FIELDS}
        values["nationality"] = str(values["nationality"]).strip().upper()
        values["names"] = str(values["names"]).strip()
        values["aliases"] = str(values["aliases"]).strip()
        if not values["names"] and not values["aliases"]:
            errors["names"] = _("Give the suspect's names or aliases, or a known suspect.")
        values["sex"] = values["sex"] or Suspect._meta.get_field("sex").default
        person = Suspect(owner_agency_id=actor.agency_id, **values)
        _clean(person, errors, exclude=["owner_agency", "network_role", "reference"])
    link = CaseSuspect(
        criminal_case=criminal_case,
        role=role or "",
        level=level or "",
        notes=(notes or "").strip(),
    )
    _clean(link, errors, exclude=["criminal_case", "suspect"])
    _raise(errors)
    with transaction.atomic():
        if person.pk is None:
            person.network_role = _NETWORK_ROLE.get(role, Suspect.NetworkRole.OTHER)
            person.save()
            record_event(
                Action.CREATE,
                actor=actor,
                obj=person,
                request=request,
                details={"criminal_case": criminal_case.reference},
            )
        link.suspect = person
        link.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.SUSPECT,
            from_value=person.reference,
            to_value=role,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            suspect=person.reference,
            role=role,
            level=level,
        )
    return link


# The incident's coarser role in the network, for a suspect first named in a criminal case.
_NETWORK_ROLE = {
    CaseSuspect.Role.RECRUITER: Suspect.NetworkRole.RECRUITER,
    CaseSuspect.Role.TRANSPORTER: Suspect.NetworkRole.TRANSPORTER,
    CaseSuspect.Role.GUIDE: Suspect.NetworkRole.TRANSPORTER,
    CaseSuspect.Role.DOCUMENT_FORGER: Suspect.NetworkRole.DOCUMENT_FORGER,
    CaseSuspect.Role.EXPLOITER: Suspect.NetworkRole.EXPLOITER,
    CaseSuspect.Role.COORDINATOR: Suspect.NetworkRole.ORGANISER,
    CaseSuspect.Role.FINANCIER: Suspect.NetworkRole.ORGANISER,
    CaseSuspect.Role.MONEY_COLLECTOR: Suspect.NetworkRole.MONEY_COLLECTOR,
}


def _case_suspect(criminal_case, value, field: str, errors: dict) -> CaseSuspect | None:
    """A suspect of this case, by id or instance; None (with an error) otherwise."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, CaseSuspect) else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    found = (
        CaseSuspect.objects.filter(criminal_case=criminal_case, pk=pk)
        .select_related("suspect")
        .first()
        if pk is not None and abs(pk) < 2**63
        else None
    )
    if found is None:
        errors.setdefault(field, _("Choose a suspect of this case."))
    return found


def bring_charge(
    defendant: CaseSuspect,
    *,
    actor,
    offence: Offence | int,
    legal_provision: str = "",
    charged_on: date | None = None,
    request: HttpRequest | None = None,
) -> Charge:
    """Charge a suspect of the case with one of the case's offences: the suspect becomes a
    defendant."""
    criminal_case = defendant.criminal_case
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    errors: dict = {}
    pk = offence.pk if isinstance(offence, Offence) else offence
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    found = (
        criminal_case.offences.filter(pk=pk).first() if pk is not None and abs(pk) < 2**63 else None
    )
    if found is None:
        errors["offence"] = _("Choose one of this case's offences.")
    charged_on = charged_on or timezone.localdate()
    _not_in_future(charged_on, "charged_on", errors)
    charge = Charge(
        defendant=defendant,
        offence=found,
        legal_provision=visible_text(legal_provision),
        charged_on=charged_on,
        recorded_by=actor,
    )
    _clean(charge, errors, exclude=["defendant", "offence", "recorded_by"])
    _raise(errors)
    with transaction.atomic():
        charge.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.CHARGE,
            from_value=defendant.suspect.reference,
            to_value=found.kind,
            on=charged_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            charge=charge.pk,
            defendant=defendant.suspect.reference,
            offence=found.kind,
        )
    return charge


def record_verdict(
    charge: Charge,
    *,
    actor,
    outcome: str,
    decided_on: date | None,
    instance: str = Verdict.Instance.FIRST,
    court: str = "",
    prison_months: int | None = None,
    suspended: bool = False,
    fine_amount=None,
    fine_currency: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> Verdict:
    """A court's decision on one charge. Refused: a verdict dated before the trial began (or
    before the appeal was lodged, for an appeal), in the future, or while no trial has
    begun; a sentence on a charge that was not a conviction; a fine without a known
    currency. The charge's outcome becomes the verdict's."""
    criminal_case = charge.defendant.criminal_case
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    errors: dict = {}
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the verdict.")
    elif criminal_case.trial_on is None or criminal_case.stage not in TRIAL_STAGES:
        errors["decided_on"] = _(
            "The trial has not begun: move the case to the trial stage before recording a verdict."
        )
    elif decided_on < criminal_case.trial_on:
        errors["decided_on"] = _(
            "The verdict cannot be dated before the trial began ({date})."
        ).format(date=_date(criminal_case.trial_on))
    _not_in_future(decided_on, "decided_on", errors)
    if instance == Verdict.Instance.APPEAL:
        if criminal_case.appeal_on is None:
            errors["instance"] = _("No appeal was lodged in this case.")
        elif decided_on is not None and decided_on < criminal_case.appeal_on:
            errors.setdefault(
                "decided_on",
                _("The appeal's verdict cannot be dated before the appeal ({date}).").format(
                    date=_date(criminal_case.appeal_on)
                ),
            )
    fine = _money(fine_amount, "fine_amount", errors, required=False)
    currency = ""
    if fine is not None or (fine_currency or "").strip():
        currency = _currency(fine_currency, "fine_currency", errors)
    if outcome != Verdict.Outcome.CONVICTED and outcome in Verdict.Outcome.values:
        label = _label(Verdict.Outcome, outcome).lower()
        no_sentence = _("A charge that ended {outcome} carries no sentence.").format(outcome=label)
        if prison_months:
            errors.setdefault("prison_months", no_sentence)
        if suspended:
            errors.setdefault("suspended", no_sentence)
        if fine is not None:
            errors.setdefault("fine_amount", no_sentence)
    elif suspended and not prison_months:
        errors.setdefault("suspended", _("Only a prison sentence can be suspended."))
    verdict = Verdict(
        charge=charge,
        instance=instance or "",
        outcome=outcome or "",
        decided_on=decided_on,
        court=visible_text(court),
        prison_months=prison_months or None,
        suspended=bool(suspended),
        fine_amount=fine,
        fine_currency=currency,
        notes=(notes or "").strip(),
        recorded_by=actor,
    )
    _clean(verdict, errors, exclude=["charge", "recorded_by", "decided_on"])
    _raise(errors)
    with transaction.atomic():
        verdict.save()
        previous = charge.outcome
        Charge.objects.filter(pk=charge.pk).update(outcome=outcome)
        charge.outcome = outcome
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.VERDICT,
            from_value=charge.defendant.suspect.reference,
            to_value=outcome,
            on=decided_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            verdict=verdict.pk,
            charge=charge.pk,
            outcome=[previous, outcome],
            instance=verdict.instance,
        )
    return verdict


# --- the lifecycle ------------------------------------------------------------------------


def transitions_for(user, criminal_case: CriminalCase) -> list[str]:
    """The stages `user` may move the case to, in lifecycle order."""
    if not access.can_manage_criminal_case(user, criminal_case):
        return []
    targets = TRANSITIONS.get(criminal_case.stage, {})
    return [
        stage
        for stage in Stage.values
        if stage in targets and any(user.has_role(role) for role in targets[stage])
    ]


def move_stage(
    criminal_case: CriminalCase,
    *,
    actor,
    stage: str,
    expected_version: int,
    on: date | None = None,
    note: str = "",
    prosecutor_agency=None,
    request: HttpRequest | None = None,
) -> CriminalCase:
    """Move the case to `stage` on the date `on` (today if not given), if TRANSITIONS lets
    the actor's role do it. The date may not precede the stage the case is at. Referring a
    case for prosecution names the prosecution office (unless the owner is one), whose
    prosecutors are told."""
    _require(actor, criminal_case)
    _check_version(criminal_case, expected_version)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage: {stage}.").format(stage=stage)})
    current, target = criminal_case.get_stage_display(), _label(Stage, stage)
    if stage == criminal_case.stage:
        raise ValidationError(
            {"stage": _("The case is already at stage {stage}.").format(stage=current)}
        )
    targets = TRANSITIONS.get(criminal_case.stage, {})
    if stage not in targets:
        allowed = ", ".join(_label(Stage, s) for s in Stage.values if s in targets)
        raise ValidationError(
            {
                "stage": _(
                    "A case at stage {stage} cannot move to {target}. "
                    "From {stage} it can move to: {allowed}."
                ).format(stage=current, target=target, allowed=allowed or "—")
            }
        )
    if not any(actor.has_role(role) for role in targets[stage]):
        raise PermissionDenied(
            _("Only a prosecutor moves a case from {stage} to {target}.").format(
                stage=current, target=target
            )
        )
    errors: dict = {}
    on = on or timezone.localdate()
    _not_in_future(on, "on", errors)
    since = criminal_case.stage_date(criminal_case.stage)
    if since is not None and on < since:
        errors.setdefault(
            "on",
            _("The case reached stage {stage} on {date}: it cannot move on before that.").format(
                stage=current, date=_date(since)
            ),
        )
    office = None
    fields = ["stage", STAGE_DATE_FIELDS[stage]]
    if stage == Stage.PROSECUTION:
        office = _prosecution_office(prosecutor_agency, errors)
        if office is None and "prosecutor_agency" not in errors:
            office = criminal_case.prosecutor_agency
            if office is None and criminal_case.owner_agency.sector != Agency.Sector.PROSECUTION:
                errors["prosecutor_agency"] = _(
                    "Name the prosecution office the case is referred to."
                )
        if office is not None and office.pk != criminal_case.prosecutor_agency_id:
            fields.append("prosecutor_agency")
    _raise(errors)
    previous = criminal_case.stage
    criminal_case.stage = stage
    setattr(criminal_case, STAGE_DATE_FIELDS[stage], on)
    if "prosecutor_agency" in fields:
        criminal_case.prosecutor_agency = office
    with transaction.atomic():
        save_versioned(criminal_case, expected_version, fields)
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.STAGE,
            from_value=previous,
            to_value=stage,
            on=on,
            note=note,
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=criminal_case,
            request=request,
            reason=(note or "").strip(),
            details={"stage": [previous, stage], "on": on.isoformat()},
        )
        if "prosecutor_agency" in fields and office.pk != actor.agency_id:
            _tell_prosecutors(criminal_case, office)
    return criminal_case


# --- assets -------------------------------------------------------------------------------


def _asset_rules(asset: Asset, errors: dict) -> None:
    """The share for the victims is a part of a confiscated asset's value, never more."""
    if asset.status == Asset.Status.CONFISCATED:
        asset.confiscated_on = asset.confiscated_on or timezone.localdate()
        _not_in_future(asset.confiscated_on, "confiscated_on", errors)
        if asset.seized_on and asset.confiscated_on < asset.seized_on:
            errors.setdefault(
                "confiscated_on", _("An asset cannot be confiscated before it was seized.")
            )
    elif asset.confiscated_on is not None:
        errors.setdefault("confiscated_on", _("Only a confiscated asset has this date."))
    share = asset.victims_share
    if share is not None:
        if asset.status != Asset.Status.CONFISCATED:
            errors.setdefault(
                "victims_share", _("Only a confiscated asset has a share for the victims.")
            )
        elif asset.value is not None and share > asset.value:
            errors.setdefault(
                "victims_share",
                _("The victims' share cannot be more than the confiscated value ({value}).").format(
                    value=f"{asset.value} {asset.currency}"
                ),
            )
        if share and not asset.share_to:
            errors.setdefault("share_to", _("Say where the victims' share goes."))
    elif asset.share_to:
        errors.setdefault("victims_share", _("Give the victims' share."))


def record_asset(
    criminal_case: CriminalCase,
    *,
    actor,
    kind: str,
    value,
    currency: str,
    status: str = Asset.Status.SEIZED,
    seized_on: date | None = None,
    confiscated_on: date | None = None,
    victims_share=None,
    share_to: str = "",
    held_by=None,
    description: str = "",
    request: HttpRequest | None = None,
) -> Asset:
    """An asset seized, frozen or confiscated: its value in a known currency, never negative;
    of a confiscated one, the share that goes to the victims (at most its value)."""
    _require(actor, criminal_case)
    errors: dict = {}
    amount = _money(value, "value", errors)
    code = _currency(currency, "currency", errors)
    share = _money(victims_share, "victims_share", errors, required=False)
    holder = _case_suspect(criminal_case, held_by, "held_by", errors)
    seized_on = seized_on or timezone.localdate()
    _not_in_future(seized_on, "seized_on", errors)
    asset = Asset(
        criminal_case=criminal_case,
        held_by=holder,
        kind=kind or "",
        description=(description or "").strip(),
        value=amount,
        currency=code,
        status=status or "",
        seized_on=seized_on,
        confiscated_on=confiscated_on,
        victims_share=share,
        share_to=share_to or "",
        recorded_by=actor,
    )
    _asset_rules(asset, errors)
    _clean(
        asset,
        errors,
        exclude=["criminal_case", "held_by", "recorded_by"],
    )
    _raise(errors)
    with transaction.atomic():
        asset.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.ASSET,
            from_value=asset.kind,
            to_value=f"{asset.value} {asset.currency}",
            on=seized_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            asset=asset.pk,
            status=asset.status,
            value=str(asset.value),
            currency=asset.currency,
        )
    return asset


def change_asset_status(
    asset: Asset,
    *,
    actor,
    status: str,
    expected_version: int,
    confiscated_on: date | None = None,
    victims_share=None,
    share_to: str = "",
    request: HttpRequest | None = None,
) -> Asset:
    """Freeze, confiscate or release a seized asset; a confiscation may give the victims'
    share."""
    criminal_case = asset.criminal_case
    _require(actor, criminal_case)
    _check_version(asset, expected_version)
    errors: dict = {}
    if status not in Asset.Status.values:
        errors["status"] = _("Unknown status: {status}.").format(status=status)
    elif status == asset.status:
        errors["status"] = _("The asset is already {status}.").format(
            status=asset.get_status_display().lower()
        )
    elif asset.status in (Asset.Status.CONFISCATED, Asset.Status.RELEASED):
        errors["status"] = _("A {status} asset does not change status again.").format(
            status=asset.get_status_display().lower()
        )
    share = _money(victims_share, "victims_share", errors, required=False)
    _raise(errors)
    previous = asset.status
    asset.status = status
    asset.confiscated_on = confiscated_on if status == Asset.Status.CONFISCATED else None
    asset.victims_share = share
    asset.share_to = share_to or ""
    _asset_rules(asset, errors)
    _clean(asset, errors, exclude=["criminal_case", "held_by", "recorded_by"])
    if errors:
        asset.status = previous
        raise ValidationError(errors)
    with transaction.atomic():
        save_versioned(
            asset, expected_version, ["status", "confiscated_on", "victims_share", "share_to"]
        )
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.ASSET_STATUS,
            from_value=previous,
            to_value=status,
            on=asset.confiscated_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            asset=asset.pk,
            status=[previous, status],
            victims_share=str(share) if share is not None else None,
        )
    return asset


# --- compensation -------------------------------------------------------------------------


def order_compensation(
    criminal_case: CriminalCase,
    *,
    actor,
    beneficiary: str,
    amount_ordered,
    currency: str,
    ordered_on: date | None,
    payer=None,
    request: HttpRequest | None = None,
) -> CompensationOrder:
    """Compensation a court ordered for a victim (named as the judgment names her)."""
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    errors: dict = {}
    amount = _money(amount_ordered, "amount_ordered", errors)
    if amount is not None and amount == 0:
        errors["amount_ordered"] = _("The amount ordered must be more than zero.")
    code = _currency(currency, "currency", errors)
    holder = _case_suspect(criminal_case, payer, "payer", errors)
    if ordered_on is None:
        errors["ordered_on"] = _("Give the date of the order.")
    _not_in_future(ordered_on, "ordered_on", errors)
    if ordered_on is not None and criminal_case.trial_on and ordered_on < criminal_case.trial_on:
        errors.setdefault(
            "ordered_on",
            _("Compensation cannot be ordered before the trial began ({date}).").format(
                date=_date(criminal_case.trial_on)
            ),
        )
    order = CompensationOrder(
        criminal_case=criminal_case,
        payer=holder,
        beneficiary=(beneficiary or "").strip(),
        amount_ordered=amount,
        currency=code,
        ordered_on=ordered_on,
        recorded_by=actor,
    )
    _clean(
        order,
        errors,
        exclude=["criminal_case", "payer", "recorded_by"],
    )
    _raise(errors)
    with transaction.atomic():
        order.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.COMPENSATION,
            to_value=f"{order.amount_ordered} {order.currency}",
            on=ordered_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            compensation=order.pk,
            amount_ordered=str(order.amount_ordered),
            currency=order.currency,
        )
    return order


def record_compensation_payment(
    order: CompensationOrder,
    *,
    actor,
    amount,
    paid_on: date | None,
    expected_version: int,
    request: HttpRequest | None = None,
) -> CompensationOrder:
    """A payment towards a compensation order; never more than is still owed."""
    criminal_case = order.criminal_case
    _require(actor, criminal_case)
    _check_version(order, expected_version)
    errors: dict = {}
    paid = _money(amount, "amount", errors)
    if paid is not None and paid == 0:
        errors["amount"] = _("The amount paid must be more than zero.")
    elif paid is not None and order.amount_paid + paid > order.amount_ordered:
        errors["amount"] = _(
            "The payments would come to more than the amount ordered: {outstanding} {currency} "
            "is still owed."
        ).format(outstanding=order.outstanding, currency=order.currency)
    if paid_on is None:
        errors["paid_on"] = _("Give the date of the payment.")
    _not_in_future(paid_on, "paid_on", errors)
    if paid_on is not None and paid_on < order.ordered_on:
        errors.setdefault("paid_on", _("A payment cannot precede the order."))
    _raise(errors)
    order.amount_paid += paid
    order.last_paid_on = paid_on
    with transaction.atomic():
        save_versioned(order, expected_version, ["amount_paid", "last_paid_on"])
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.PAYMENT,
            to_value=f"{paid} {order.currency}",
            on=paid_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            compensation=order.pk,
            paid=str(paid),
            amount_paid=str(order.amount_paid),
        )
    return order


def offence_choices(criminal_case: CriminalCase) -> list[tuple[int, str]]:
    return [(o.pk, str(o)) for o in criminal_case.offences.all()]


# --- victims as witnesses -----------------------------------------------------------------
#
# A victim is called as a witness only through a recorded basis: her active consent for
# criminal proceedings naming the actor's agency (or its sector), or a valid legal basis
# recorded on the case. Asking for a witness takes her person reference, exact: the lookup
# covers the persons held by the agencies of the actor's country, and a refusal says the same
# thing whether the reference exists or not, so that nobody learns of a person (let alone her
# name) outside her scope before a basis exists. What the case then sees of her is the window
# of `corridor.accounts.access.witness_windows`, computed at each read and audited.
#
# Nothing here reads or changes a protection case: declining to testify, withdrawing, a
# protective measure refused — her protection stays exactly as it was.

WitnessStatus = Witness.Status
MeasureStatus = ProtectiveMeasure.Status

# From each witness status, the statuses it may move to.
WITNESS_TRANSITIONS = {
    WitnessStatus.REQUESTED: {
        WitnessStatus.ACTIVE,
        WitnessStatus.DECLINED,
        WitnessStatus.WITHDRAWN,
    },
    WitnessStatus.ACTIVE: {WitnessStatus.DECLINED, WitnessStatus.WITHDRAWN},
    WitnessStatus.DECLINED: {WitnessStatus.ACTIVE, WitnessStatus.WITHDRAWN},
    WitnessStatus.WITHDRAWN: set(),
}
MEASURE_TRANSITIONS = {
    MeasureStatus.REQUESTED: {MeasureStatus.GRANTED, MeasureStatus.REFUSED},
    MeasureStatus.GRANTED: {MeasureStatus.ENDED},
    MeasureStatus.REFUSED: set(),
    MeasureStatus.ENDED: set(),
}


def _national_person(actor, reference) -> Person | None:
    """The person with exactly this reference held by an agency of the actor's country."""
    reference = visible_text(str(reference or "")).strip().upper()
    if not reference or not actor.agency_id:
        return None
    return (
        Person.objects.filter(reference=reference, owner_agency__country=actor.agency.country)
        .select_related("owner_agency")
        .first()
    )


def _categories(values, errors: dict) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if not values or set(values) - set(Consent.DataCategory.values):
        errors["data_categories"] = _("Choose at least one known category of data.")
    return values


def record_legal_basis(
    criminal_case: CriminalCase,
    *,
    actor,
    person: Person | str,
    kind: str,
    issued_by: str,
    issuer_reference: str,
    valid_until: date | None,
    data_categories: list[str],
    request: HttpRequest | None = None,
) -> LegalBasis:
    """Record the court order or statutory duty that opens the named categories of one
    person's data to this case until `valid_until`. The protection coordinator sees it and
    every read it allows."""
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    errors: dict = {}
    reference = person.reference if isinstance(person, Person) else person
    found = _national_person(actor, reference)
    if found is None:
        errors["person"] = _("No person with the reference {reference} is known.").format(
            reference=visible_text(str(reference or "")).strip() or "—"
        )
    if valid_until is None:
        errors["valid_until"] = _("Say until when it is valid.")
    elif valid_until < timezone.localdate():
        errors["valid_until"] = _("This legal basis has already expired.")
    basis = LegalBasis(
        criminal_case=criminal_case,
        person=found,
        kind=kind or "",
        issued_by=visible_text(issued_by).strip(),
        issuer_reference=visible_text(issuer_reference).strip(),
        valid_until=valid_until,
        data_categories=_categories(data_categories, errors),
        recorded_by=actor,
    )
    _clean(basis, errors, exclude=["criminal_case", "person", "recorded_by", "valid_until"])
    _raise(errors)
    with transaction.atomic():
        basis.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.LEGAL_BASIS,
            from_value=basis.reference,
            to_value=basis.kind,
            on=valid_until,
        )
        record_event(
            Action.CREATE,
            actor=actor,
            obj=basis,
            request=request,
            details={
                "person": found.reference,
                "criminal_case": criminal_case.reference,
                "kind": basis.kind,
                "issued_by": basis.issued_by,
                "issuer_reference": basis.issuer_reference,
                "valid_until": valid_until.isoformat(),
                "data_categories": basis.data_categories,
            },
        )
    return basis


def revoke_legal_basis(
    basis: LegalBasis, *, actor, request: HttpRequest | None = None
) -> LegalBasis:
    """From now on the legal basis opens nothing."""
    criminal_case = basis.criminal_case
    _require(actor, criminal_case)
    with transaction.atomic():
        updated = LegalBasis.objects.filter(pk=basis.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        if updated != 1:
            raise ValidationError({"legal_basis": _("This legal basis was already revoked.")})
        basis.refresh_from_db()
        _event(
            criminal_case, actor=actor, kind=Kind.LEGAL_BASIS_REVOKED, from_value=basis.reference
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=basis,
            request=request,
            details={"person": basis.person.reference, "revoked": True},
        )
    return basis


def _no_basis(reference: str) -> ValidationError:
    return ValidationError(
        {
            "consent": _(
                "No consent or legal basis lets your agency call {reference} as a witness. "
                "Ask the protection coordinator to record her consent for criminal proceedings "
                "naming your agency, or record the court order or statutory duty first."
            ).format(reference=reference or "—")
        }
    )


def request_witness(
    criminal_case: CriminalCase,
    *,
    actor,
    person: Person | str,
    consent: Consent | int | None = None,
    legal_basis: LegalBasis | str | None = None,
    request: HttpRequest | None = None,
) -> Witness:
    """Call a victim as a witness, through her consent or a legal basis (the one named, or
    else her newest consent covering criminal proceedings for the actor's agency, or else the
    case's valid legal basis for her). Refused, the error under `consent`, when none stands —
    with the same words whether the reference exists or not."""
    _require(actor, criminal_case)
    _not_closed(criminal_case)
    reference = (
        visible_text(person.reference if isinstance(person, Person) else str(person or ""))
        .strip()
        .upper()
    )
    found = _national_person(actor, reference)
    if found is None:
        raise _no_basis(reference)
    consents = access.criminal_proceedings_consents(actor, [found])[found.pk]
    bases = access.valid_legal_bases(criminal_case, [found])[found.pk]
    chosen_consent = chosen_basis = None
    if consent not in (None, ""):
        pk = consent.pk if isinstance(consent, Consent) else consent
        chosen_consent = next((c for c in consents if str(c.pk) == str(pk)), None)
        if chosen_consent is None:
            raise ValidationError(
                {"consent": _("This consent does not cover criminal proceedings for your agency.")}
            )
    elif legal_basis not in (None, ""):
        ref = legal_basis.reference if isinstance(legal_basis, LegalBasis) else str(legal_basis)
        chosen_basis = next((b for b in bases if b.reference == ref.strip().upper()), None)
        if chosen_basis is None:
            raise ValidationError(
                {"legal_basis": _("Choose a valid legal basis of this case for this person.")}
            )
    elif consents:
        chosen_consent = consents[0]
    elif bases:
        chosen_basis = bases[0]
    else:
        raise _no_basis(reference)
    if Witness.objects.filter(criminal_case=criminal_case, person=found).exists():
        raise ValidationError(
            {
                "person": _("{reference} is already a witness in this case.").format(
                    reference=reference
                )
            }
        )
    with transaction.atomic():
        witness = Witness.objects.create(
            criminal_case=criminal_case,
            person=found,
            consent=chosen_consent,
            legal_basis=chosen_basis,
            requested_by=actor,
        )
        _event(criminal_case, actor=actor, kind=Kind.WITNESS, from_value=witness.reference)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=witness,
            request=request,
            details={
                "person": found.reference,
                "criminal_case": criminal_case.reference,
                "basis": _basis_label(witness),
            },
        )
    return witness


def _basis_label(witness: Witness) -> str:
    if witness.consent_id:
        return f"consent:{witness.consent_id}"
    return f"legal_basis:{witness.legal_basis.reference}"


def _move_witness(witness: Witness, *, actor, status, expected_version, note, request) -> Witness:
    criminal_case = witness.criminal_case
    _require(actor, criminal_case)
    if expected_version is not None:
        _check_version(witness, expected_version)
    if status not in WITNESS_TRANSITIONS.get(witness.status, set()):
        raise ValidationError(
            {
                "status": _("A witness who is {status} cannot become {target}.").format(
                    status=witness.get_status_display().lower(),
                    target=_label(WitnessStatus, status).lower(),
                )
            }
        )
    previous = witness.status
    witness.status = status
    witness.status_changed_at = timezone.now()
    with transaction.atomic():
        save_versioned(witness, witness.version, ["status", "status_changed_at"])
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.WITNESS_STATUS,
            from_value=previous,
            to_value=status,
            note=note,
        )
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=witness,
            request=request,
            reason=(note or "").strip(),
            details={"person": witness.person.reference, "status": [previous, status]},
        )
    return witness


def confirm_witness(witness, *, actor, expected_version=None, note="", request=None) -> Witness:
    """She agreed to testify."""
    return _move_witness(
        witness,
        actor=actor,
        status=WitnessStatus.ACTIVE,
        expected_version=expected_version,
        note=note,
        request=request,
    )


def decline_to_testify(witness, *, actor, expected_version=None, note="", request=None):
    """She declines to testify: recorded on the criminal case, and nothing else changes —
    not her protection case, its stage, its referrals or her assistance."""
    return _move_witness(
        witness,
        actor=actor,
        status=WitnessStatus.DECLINED,
        expected_version=expected_version,
        note=note,
        request=request,
    )


def withdraw_witness(witness, *, actor, expected_version=None, note="", request=None):
    """The case no longer calls her: the window on her data closes."""
    return _move_witness(
        witness,
        actor=actor,
        status=WitnessStatus.WITHDRAWN,
        expected_version=expected_version,
        note=note,
        request=request,
    )


withdraw = withdraw_witness


def add_protective_measure(
    witness: Witness,
    *,
    actor,
    kind: str,
    status: str = MeasureStatus.REQUESTED,
    requested_on: date | None = None,
    decided_on: date | None = None,
    authority: str = "",
    request: HttpRequest | None = None,
) -> ProtectiveMeasure:
    """A protective measure for the witness (anonymity, in camera hearing, video link,
    relocation, accompaniment), asked for or already decided."""
    criminal_case = witness.criminal_case
    _require(actor, criminal_case)
    if witness.status == WitnessStatus.WITHDRAWN:
        raise ValidationError({"witness": _("This witness was withdrawn.")})
    errors: dict = {}
    requested_on = requested_on or timezone.localdate()
    _not_in_future(requested_on, "requested_on", errors)
    if status in (MeasureStatus.GRANTED, MeasureStatus.REFUSED):
        decided_on = decided_on or timezone.localdate()
        _not_in_future(decided_on, "decided_on", errors)
        if decided_on < requested_on:
            errors.setdefault("decided_on", _("A decision cannot precede the request."))
    elif status == MeasureStatus.REQUESTED:
        if decided_on is not None:
            errors["decided_on"] = _("Only a granted or refused measure has this date.")
    elif status:
        errors["status"] = _("A new measure is requested, granted or refused.")
    measure = ProtectiveMeasure(
        witness=witness,
        kind=kind or "",
        status=status or "",
        requested_on=requested_on,
        decided_on=decided_on,
        authority=visible_text(authority).strip(),
        recorded_by=actor,
    )
    _clean(measure, errors, exclude=["witness", "recorded_by"])
    _raise(errors)
    with transaction.atomic():
        measure.save()
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.MEASURE,
            from_value=witness.reference,
            to_value=measure.kind,
            on=requested_on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            witness=witness.reference,
            measure=measure.kind,
            status=measure.status,
        )
    return measure


def change_measure_status(
    measure: ProtectiveMeasure,
    *,
    actor,
    status: str,
    expected_version: int,
    on: date | None = None,
    authority: str = "",
    request: HttpRequest | None = None,
) -> ProtectiveMeasure:
    """Grant or refuse a requested measure, or end a granted one, on `on` (today)."""
    witness = measure.witness
    criminal_case = witness.criminal_case
    _require(actor, criminal_case)
    _check_version(measure, expected_version)
    errors: dict = {}
    if status not in MEASURE_TRANSITIONS.get(measure.status, set()):
        errors["status"] = _("A measure that is {status} cannot become {target}.").format(
            status=measure.get_status_display().lower(),
            target=_label(MeasureStatus, status).lower(),
        )
    on = on or timezone.localdate()
    _not_in_future(on, "on", errors)
    since = measure.decided_on or measure.requested_on
    if on < since:
        errors.setdefault("on", _("The date cannot precede {date}.").format(date=_date(since)))
    _raise(errors)
    previous = measure.status
    measure.status = status
    fields = ["status"]
    if status == MeasureStatus.ENDED:
        measure.ended_on = on
        fields.append("ended_on")
    else:
        measure.decided_on = on
        fields.append("decided_on")
    if authority:
        measure.authority = visible_text(authority).strip()[:200]
        fields.append("authority")
    with transaction.atomic():
        save_versioned(measure, expected_version, fields)
        _event(
            criminal_case,
            actor=actor,
            kind=Kind.MEASURE_STATUS,
            from_value=measure.kind,
            to_value=status,
            on=on,
        )
        _changed(
            criminal_case,
            actor=actor,
            request=request,
            witness=witness.reference,
            measure=measure.pk,
            status=[previous, status],
        )
    return measure


def view_witnesses(
    criminal_case: CriminalCase, witnesses, *, actor, request: HttpRequest | None = None
) -> dict[int, access.WitnessWindow]:
    """The window on each witness for the actor; each read through an open window is
    audited, naming the bases (and so shown to the protection coordinator)."""
    witnesses = list(witnesses)
    windows = access.witness_windows(actor, criminal_case, witnesses)
    for witness in witnesses:
        window = windows[witness.pk]
        if window:
            record_event(
                Action.VIEW,
                actor=actor,
                obj=witness,
                request=request,
                details={
                    "person": witness.person.reference,
                    "criminal_case": criminal_case.reference,
                    "basis": window.basis_labels,
                    "categories": sorted(window.categories),
                },
            )
    return windows


def witness_crossings(person: Person, *, limit: int = 50):
    """The reads of the person's data through a witness window, newest first."""
    return AuditEvent.objects.filter(
        action=Action.VIEW, object_type="witness", person_ref=person.reference
    ).order_by("-at", "-pk")[:limit]
