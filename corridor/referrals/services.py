"""Referral of a protection case from one agency to another."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Agency
from corridor.audit.services import Action, record_event
from corridor.cases.models import ProtectionCase
from corridor.core.concurrency import save_versioned
from corridor.referrals.models import Referral, ServiceType

Status = Referral.Status


def refer_case(
    case: ProtectionCase,
    *,
    actor,
    to_agency: Agency,
    service_type: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    if not access.can_change_case(actor, case):
        raise PermissionDenied(_("You may not refer this case."))
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("Unknown service.")})
    if not to_agency.is_active:
        raise ValidationError({"to_agency": _("This agency is no longer active.")})
    if to_agency.pk == actor.agency_id:
        raise ValidationError({"to_agency": _("A case cannot be referred to your own agency.")})
    referral = Referral(
        case=case,
        from_agency_id=actor.agency_id,
        to_agency=to_agency,
        service_type=service_type,
        note=note,
        created_by=actor,
    )
    with transaction.atomic():
        referral.save()
        record_event(
            Action.CREATE,
            actor=actor,
            obj=referral,
            request=request,
            details={"case": case.reference, "to": to_agency.name, "service": service_type},
        )
    return referral


def _answer(
    referral: Referral,
    *,
    actor,
    allowed_from: set[str],
    status: str,
    expected_version: int,
    request,
    **fields,
) -> Referral:
    if not access.can_respond_to_referral(actor, referral):
        raise PermissionDenied(_("Only the agency this referral was sent to may answer it."))
    if referral.status not in allowed_from:
        raise ValidationError(
            {
                "status": _("This referral is {status} and cannot change that way.").format(
                    status=referral.get_status_display()
                )
            }
        )
    previous = referral.status
    referral.status = status
    for name, value in fields.items():
        setattr(referral, name, value)
    with transaction.atomic():
        save_versioned(referral, expected_version, ["status", *fields])
        record_event(
            Action.CHANGE,
            actor=actor,
            obj=referral,
            request=request,
            reason=fields.get("decline_reason", ""),
            details={"status": [previous, status]},
        )
    return referral


def accept_referral(
    referral: Referral, *, actor, expected_version: int, request: HttpRequest | None = None
) -> Referral:
    return _answer(
        referral,
        actor=actor,
        allowed_from={Status.SENT},
        status=Status.ACCEPTED,
        expected_version=expected_version,
        request=request,
        responded_at=timezone.now(),
    )


def decline_referral(
    referral: Referral,
    *,
    actor,
    reason: str,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Referral:
    if not reason.strip():
        raise ValidationError({"decline_reason": _("Say why the referral is declined.")})
    return _answer(
        referral,
        actor=actor,
        allowed_from={Status.SENT},
        status=Status.DECLINED,
        expected_version=expected_version,
        request=request,
        responded_at=timezone.now(),
        decline_reason=reason.strip(),
    )


def complete_referral(
    referral: Referral, *, actor, expected_version: int, request: HttpRequest | None = None
) -> Referral:
    return _answer(
        referral,
        actor=actor,
        allowed_from={Status.ACCEPTED, Status.IN_PROGRESS},
        status=Status.COMPLETED,
        expected_version=expected_version,
        request=request,
        completed_at=timezone.now(),
    )
