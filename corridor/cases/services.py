"""Business rules for protection cases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Agency, Role
from corridor.audit.services import Action, record_event
from corridor.cases.models import Consent, Exploitation, ProtectionCase
from corridor.core.concurrency import save_versioned
from corridor.people.models import Person

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
        record_event(
            Action.CREATE,
            actor=actor,
            obj=case,
            request=request,
            details={"person": person.reference, "kind": kind},
        )
    return case


def change_case_status(
    case: ProtectionCase,
    *,
    actor,
    status: str,
    expected_version: int,
    request: HttpRequest | None = None,
    note: str = "",
) -> ProtectionCase:
    if not access.can_change_case(actor, case):
        raise PermissionDenied(_("You may read this case but not change it."))
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    previous = case.status
    case.status = status
    fields = ["status"]
    if status == Status.CLOSED:
        case.closed_at = timezone.now()
        fields.append("closed_at")
    elif case.closed_at is not None:
        case.closed_at = None
        fields.append("closed_at")
    with transaction.atomic():
        save_versioned(case, expected_version, fields)
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=case,
            request=request,
            reason=note,
            details={"status": [previous, status]},
        )
    return case


def view_case(case: ProtectionCase, *, actor, request: HttpRequest | None = None) -> None:
    record_event(
        Action.VIEW,
        actor=actor,
        obj=case,
        request=request,
        details={"person": case.person.reference},
    )


def record_consent(
    person: Person,
    *,
    actor,
    purposes: list[str],
    data_categories: list[str],
    method: str,
    recipient_agencies=(),
    recipient_sectors: list[str] | None = None,
    recipient_countries: list[str] | None = None,
    case: ProtectionCase | None = None,
    interpreter_language: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Record what the person agreed to share; earlier consents stay as they were."""
    if not access.can_change_person(actor, person):
        raise PermissionDenied(_("You may not record consent for this person."))
    errors = {}
    if not purposes or set(purposes) - set(Consent.Purpose.values):
        errors["purposes"] = _("Choose at least one known purpose.")
    if not data_categories or set(data_categories) - set(Consent.DataCategory.values):
        errors["data_categories"] = _("Choose at least one known category of data.")
    if method not in Consent.Method.values:
        errors["method"] = _("Say how consent was given.")
    sectors = list(recipient_sectors or [])
    countries = [c.upper() for c in (recipient_countries or [])]
    if set(sectors) - set(Agency.Sector.values):
        errors["recipient_sectors"] = _("Unknown sector.")
    if not (recipient_agencies or sectors or countries):
        errors["recipient_agencies"] = _("Say with whom the data may be shared.")
    if person.presumed_minor and method != Consent.Method.GUARDIAN:
        errors["method"] = _("For a child, consent is given by the guardian.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            person=person,
            case=case,
            purposes=list(purposes),
            data_categories=list(data_categories),
            method=method,
            recipient_sectors=sectors,
            recipient_countries=countries,
            interpreter_language=interpreter_language,
            recorded_by=actor,
        )
        consent.recipient_agencies.set(recipient_agencies)
        record_event(
            Action.CREATE,
            actor=actor,
            obj=consent,
            object_ref=str(consent.pk),
            request=request,
            details={
                "person": person.reference,
                "purposes": list(purposes),
                "data_categories": list(data_categories),
            },
        )
    return consent


def revoke_consent(
    consent: Consent, *, actor, reason: str = "", request: HttpRequest | None = None
) -> Consent:
    """From now on the consent covers nothing: referrals relying on it lose their access."""
    if not access.can_change_person(actor, consent.person):
        raise PermissionDenied(_("You may not revoke consent for this person."))
    if consent.revoked_at is not None:
        raise ValidationError({"consent": _("This consent was already revoked.")})
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, revocation_reason=reason.strip()
        )
        if updated != 1:
            raise ValidationError({"consent": _("This consent was already revoked.")})
        consent.refresh_from_db()
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=consent,
            object_ref=str(consent.pk),
            request=request,
            reason=reason,
            details={"revoked": True},
        )
    return consent


def covering_consent(
    person: Person, *, purpose: str, categories, agency=None, country: str | None = None
) -> Consent | None:
    """The most recent active consent that covers this sharing, if any."""
    for consent in person.consents.filter(revoked_at__isnull=True).prefetch_related(
        "recipient_agencies"
    ):
        if consent.covers(purpose=purpose, categories=categories, agency=agency, country=country):
            return consent
    return None
