"""Business rules for protection cases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts import access
from corridor.accounts.models import Role
from corridor.audit.services import Action, record_event
from corridor.cases.models import Exploitation, ProtectionCase
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
