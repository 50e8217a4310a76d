"""API: protection cases. Reading a case is audited; a status change needs the version read."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.cases import services
from corridor.cases.models import Exploitation, ProtectionCase

router = Router(tags=["cases"])


class CaseOut(Schema):
    reference: str = Field(description="e.g. C-1A2B3C4D.")
    person_reference: str = Field(description="The person this case protects.")
    owner_agency: AgencyRef = Field(description="HTCDS cas_CaseOwner.")
    coordinator: str | None = Field(description="Username of the assigned NRM coordinator.")
    kind: str = Field(description="One of: " + ", ".join(ProtectionCase.Kind.values) + ".")
    status: str = Field(
        description="HTCDS cas_Status: " + ", ".join(ProtectionCase.Status.values) + "."
    )
    forms_of_exploitation: list[str] = Field(
        description="HTCDS vic_TypeOfExploitation: " + ", ".join(Exploitation.values) + "."
    )
    risk_level: str = Field(description="One of: " + ", ".join(ProtectionCase.Risk.values) + ".")
    opened_at: datetime
    closed_at: datetime | None
    updated_at: datetime
    version: int = Field(description="Send it back with a change (optimistic locking).")

    @staticmethod
    def resolve_person_reference(case: ProtectionCase) -> str:
        return case.person.reference

    @staticmethod
    def resolve_coordinator(case: ProtectionCase) -> str | None:
        return case.coordinator.username if case.coordinator_id else None


class CaseOpenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(ProtectionCase.Kind) = ProtectionCase.Kind.TRAFFICKING.value
    forms_of_exploitation: list[one_of(Exploitation)] = []
    risk_level: one_of(ProtectionCase.Risk) = ProtectionCase.Risk.MEDIUM.value


class CaseStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: one_of(ProtectionCase.Status)
    version: int = Field(description="The case's version when you read it.")
    note: str = Field("", description="Why the stage changes; kept in the audit trail.")


def _cases(user):
    return access.cases_visible_to(user).select_related("person", "owner_agency", "coordinator")


@router.get(
    "/cases",
    response={200: list[CaseOut], 401: ErrorOut},
    summary="Protection cases visible to you",
)
@paginate(Pagination)
def case_list(
    request: HttpRequest,
    status: one_of(ProtectionCase.Status) | None = None,
    person: str | None = Query(None, description="A person's reference."),
):
    cases = _cases(request.user)
    if status:
        cases = cases.filter(status=status)
    if person:
        cases = cases.filter(person__reference=person)
    return cases.order_by("-opened_at", "-pk")


@router.get(
    "/cases/{reference}",
    response={200: CaseOut, **READ_ERRORS},
    summary="One protection case (the read is audited)",
)
def case_detail(request: HttpRequest, reference: str):
    case = access.get_case_for_user(request.user, reference)
    services.view_case(case, actor=request.user, request=request)
    return case


@router.post(
    "/persons/{reference}/cases",
    response={201: CaseOut, **WRITE_ERRORS},
    summary="Open a protection case for a person",
)
def case_open(request: HttpRequest, reference: str, payload: CaseOpenIn):
    person = access.get_person_for_user(request.user, reference, for_change=True)
    case = services.open_case(
        person, actor=request.user, request=request, **payload.model_dump(exclude_unset=True)
    )
    return Status(201, case)


@router.post(
    "/cases/{reference}/status",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Move a case to another stage; 409 if it changed since you read it",
)
def case_status(request: HttpRequest, reference: str, payload: CaseStatusIn):
    case = access.get_case_for_user(request.user, reference, for_change=True)
    services.change_case_status(
        case,
        actor=request.user,
        request=request,
        status=payload.status,
        expected_version=payload.version,
        note=payload.note,
    )
    return case
