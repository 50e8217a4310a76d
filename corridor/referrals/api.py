"""API: referrals between agencies. Only the receiving agency answers a referral."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Pagination,
    one_of,
    renamed_fields,
)
from corridor.referrals import services
from corridor.referrals.models import Referral, ServiceType

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    reference: str = Field(description="e.g. R-1A2B3C4D.")
    case_reference: str
    from_agency: AgencyRef = Field(description="HTCDS cas_ReferringOrganisation.")
    to_agency: AgencyRef = Field(description="HTCDS cas_ReferredOrganisation.")
    service_type: str = Field(description="One of: " + ", ".join(ServiceType.values) + ".")
    status: str = Field(description="One of: " + ", ".join(Referral.Status.values) + ".")
    note: str = Field(description="HTCDS cas_OutgoingReferralDetails.")
    decline_reason: str
    created_at: datetime = Field(description="HTCDS cas_OutgoingReferralDate.")
    responded_at: datetime | None
    completed_at: datetime | None
    version: int = Field(description="Send it back with an answer (optimistic locking).")

    @staticmethod
    def resolve_case_reference(referral: Referral) -> str:
        return referral.case.reference


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_agency_id: int = Field(description="An active agency from GET /api/agencies.")
    service_type: one_of(ServiceType)
    note: str = Field("", description="For the receiving agency.")


class ReferralAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The referral's version when you read it.")
    reason: str = Field("", description="Required to decline.")


# The services name the model's fields; the API names its own.
API_FIELDS = {"to_agency": "to_agency_id", "decline_reason": "reason"}


def _referrals(user):
    return access.referrals_visible_to(user).select_related("case", "from_agency", "to_agency")


@router.get(
    "/referrals",
    response={200: list[ReferralOut], 401: ErrorOut},
    summary="Referrals sent or received by your agency",
)
@paginate(Pagination)
def referral_list(
    request: HttpRequest,
    status: one_of(Referral.Status) | None = None,
    case: str | None = Query(None, description="A case's reference."),
    direction: Literal["sent", "received"] | None = None,
):
    referrals = _referrals(request.user)
    if status:
        referrals = referrals.filter(status=status)
    if case:
        referrals = referrals.filter(case__reference=case)
    if direction == "sent":
        referrals = referrals.filter(from_agency_id=request.user.agency_id)
    elif direction == "received":
        referrals = referrals.filter(to_agency_id=request.user.agency_id)
    return referrals.order_by("-created_at", "-pk")


@router.get(
    "/referrals/{reference}", response={200: ReferralOut, **READ_ERRORS}, summary="One referral"
)
def referral_detail(request: HttpRequest, reference: str):
    return access.get_referral_for_user(request.user, reference)


@router.post(
    "/cases/{reference}/referrals",
    response={201: ReferralOut, **WRITE_ERRORS},
    summary="Refer a case to another agency for a service",
)
def referral_create(request: HttpRequest, reference: str, payload: ReferralIn):
    case = access.get_case_for_user(request.user, reference, for_change=True)
    to_agency = access.agencies_visible_to(request.user).filter(pk=payload.to_agency_id).first()
    if to_agency is None:
        raise ValidationError({"to_agency_id": _("No agency has this id.")})
    try:
        referral = services.refer_case(
            case,
            actor=request.user,
            request=request,
            to_agency=to_agency,
            service_type=payload.service_type,
            note=payload.note,
        )
    except ValidationError as exc:
        raise renamed_fields(exc, API_FIELDS) from exc
    return Status(201, referral)


def _answer(request: HttpRequest, reference: str, answer, **kwargs) -> Referral:
    referral = access.get_referral_for_user(request.user, reference, for_change=True)
    try:
        return answer(referral, actor=request.user, request=request, **kwargs)
    except ValidationError as exc:
        raise renamed_fields(exc, API_FIELDS) from exc


@router.post(
    "/referrals/{reference}/accept",
    response={200: ReferralOut, **WRITE_ERRORS},
    summary="Accept a referral sent to your agency",
)
def referral_accept(request: HttpRequest, reference: str, payload: ReferralAnswerIn):
    return _answer(request, reference, services.accept_referral, expected_version=payload.version)


@router.post(
    "/referrals/{reference}/decline",
    response={200: ReferralOut, **WRITE_ERRORS},
    summary="Decline a referral sent to your agency, saying why",
)
def referral_decline(request: HttpRequest, reference: str, payload: ReferralAnswerIn):
    return _answer(
        request,
        reference,
        services.decline_referral,
        expected_version=payload.version,
        reason=payload.reason,
    )


@router.post(
    "/referrals/{reference}/complete",
    response={200: ReferralOut, **WRITE_ERRORS},
    summary="Record that the service was delivered",
)
def referral_complete(request: HttpRequest, reference: str, payload: ReferralAnswerIn):
    return _answer(request, reference, services.complete_referral, expected_version=payload.version)
