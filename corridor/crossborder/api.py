"""API: transnational referral between partner instances.

Administrators register and manage partners; NRM coordinators send a case abroad (with
`?preview=1`, nothing is sent: the answer is exactly what would be), answer the referrals
received and report their follow-up. The instances' own exchange is not this API: they post
signed messages to `/crossborder/inbox`.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.models import Role
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.crossborder import services
from corridor.crossborder.models import Partner, TransnationalReferral
from corridor.crossborder.payload import TRANSNATIONAL_PURPOSES

router = Router(tags=["crossborder"])

TransnationalPurpose = Literal[tuple(str(p) for p in TRANSNATIONAL_PURPOSES)]


# --- partners ---------------------------------------------------------------------------------


class PartnerOut(Schema):
    id: int
    country: str = Field(description="ISO 3166-1 alpha-2.")
    name: str
    base_url: str
    key_id: str
    public_jwk: dict[str, Any]
    status: str = Field(description="One of: " + ", ".join(Partner.Status.values) + ".")
    status_reason: str
    created_at: datetime
    updated_at: datetime


class PartnerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    country: str = Field(description="ISO 3166-1 alpha-2, another country than this instance's.")
    name: str
    base_url: str = Field(description="https://… (http only for 127.0.0.1 or localhost).")
    public_jwk: dict[str, Any] | str = Field(
        description="The partner's Ed25519 public key as a JWK (object or JSON text)."
    )
    key_id: str = Field("", description="Left out: the JWK's `kid`.")


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""


def _admin(request: HttpRequest) -> None:
    if not access.can_administer(request.user):
        raise PermissionDenied(_("Only administrators manage partners."))


@router.get(
    "/crossborder/partners",
    response={200: list[PartnerOut], 401: ErrorOut, 403: ErrorOut},
    summary="Partner instances (administrators)",
)
@paginate(Pagination)
def partner_list(request: HttpRequest):
    _admin(request)
    return Partner.objects.order_by("country", "-created_at")


@router.post(
    "/crossborder/partners",
    response={201: PartnerOut, **WRITE_ERRORS},
    summary="Register a partner instance with its public key (administrators)",
)
def partner_register(request: HttpRequest, payload: PartnerIn):
    partner = services.register_partner(actor=request.user, request=request, **payload.model_dump())
    return Status(201, partner)


@router.post(
    "/crossborder/partners/{partner_id}/{action}",
    response={200: PartnerOut, **WRITE_ERRORS},
    summary="Suspend, reactivate or revoke a partner (administrators)",
)
def partner_status(
    request: HttpRequest,
    partner_id: int,
    action: Literal["suspend", "reactivate", "revoke"],
    payload: ReasonIn,
):
    partner = access.get_partner_for_admin(request.user, partner_id)
    perform = {
        "suspend": services.suspend_partner,
        "reactivate": services.reactivate_partner,
        "revoke": services.revoke_partner,
    }[action]
    return perform(partner, actor=request.user, reason=payload.reason, request=request)


# --- referrals ----------------------------------------------------------------------------------


class StatusReportOut(Schema):
    status: str
    month: int | None
    at: datetime


class TransnationalOut(Schema):
    reference: str = Field(
        description="This instance's reference, e.g. X-1A2B3C4D: for a referral received, the "
        "sender's, unless a referral here already held it."
    )
    partner_reference: str = Field(
        description="The reference the partner knows it by (the same as `reference` but for a "
        "chance collision); empty where the partner did not send one."
    )
    direction: str = Field(description="outgoing (sent by us) or incoming (received).")
    partner_country: str
    partner_name: str
    purpose: str
    categories: list[str] = Field(description="Consent data categories of the fields sent.")
    status: str = Field(
        description="One of: " + ", ".join(TransnationalReferral.Status.values) + "."
    )
    followup_month: int | None = Field(description="For reintegration_followup: 3, 6 or 12.")
    case_reference: str | None = Field(
        description="Outgoing: the case sent. Incoming: the case opened here on acceptance."
    )
    sender: dict[str, str] = Field(
        description="The sending agency and its contact (organisational, no victim data)."
    )
    decline_reason: str
    withdraw_reason: str
    created_at: datetime
    responded_at: datetime | None
    withdrawn_at: datetime | None
    data_erased_at: datetime | None
    version: int = Field(description="Send it back with an action (optimistic locking).")

    @staticmethod
    def resolve_partner_country(referral: TransnationalReferral) -> str:
        return referral.partner.country

    @staticmethod
    def resolve_partner_name(referral: TransnationalReferral) -> str:
        return referral.partner.name

    @staticmethod
    def resolve_case_reference(referral: TransnationalReferral) -> str | None:
        return referral.case.reference if referral.case_id else None


class TransnationalDetailOut(TransnationalOut):
    record: dict[str, Any] = Field(
        description="The data sent or received, under HTCDS names (empty once erased)."
    )
    reports: list[StatusReportOut]

    @staticmethod
    def resolve_record(referral: TransnationalReferral) -> dict:
        return referral.payload

    @staticmethod
    def resolve_reports(referral: TransnationalReferral) -> list:
        return list(referral.status_reports.all())


class SendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    partner_country: str = Field(description="The country of an active partner, e.g. NG.")
    purpose: TransnationalPurpose


class PreviewOut(Schema):
    partner: dict[str, Any]
    purpose: str
    consent_id: int
    categories: list[str]
    record: dict[str, Any] = Field(description="Exactly the fields that would be sent.")
    left_out: list[dict[str, str]] = Field(
        description="Optional fields the consent does not cover, not sent."
    )
    sender: dict[str, str]


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(None, description="The referral's version when you read it.")
    reason: str = Field("", description="Required to decline or withdraw; sent to the partner.")


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal[tuple(str(s) for s in services.REPORTABLE)]
    month: Literal[3, 6, 12] | None = Field(None, description="For reintegration_followup.")
    version: int | None = None


def _referrals(user):
    return access.transnational_referrals_visible_to(user).select_related("partner", "case")


@router.post(
    "/cases/{reference}/transnational-referrals",
    response={200: PreviewOut, 201: TransnationalDetailOut, **WRITE_ERRORS},
    summary="Send a case to a partner country (coordinators); ?preview=1 sends nothing",
)
def transnational_send(
    request: HttpRequest,
    reference: str,
    payload: SendIn,
    preview: bool = Query(False, description="Answer what would be sent; send nothing."),
):
    case = access.get_case_for_user(request.user, reference)
    partner = services.partners_to_send_to().filter(country=payload.partner_country.upper()).first()
    if partner is None:
        raise ValidationError(
            {"partner_country": _("No active partner is registered for this country.")}
        )
    arguments = {"actor": request.user, "partner": partner, "purpose": payload.purpose}
    if preview:
        return Status(
            200, services.preview_transnational_referral(case, request=request, **arguments)
        )
    referral = services.send_transnational_referral(case, request=request, **arguments)
    return Status(201, referral)


@router.get(
    "/crossborder/queue",
    response={200: list[TransnationalOut], 401: ErrorOut, 403: ErrorOut},
    summary="Referrals received from partner countries (coordinators), newest first",
)
@paginate(Pagination)
def transnational_queue(
    request: HttpRequest,
    status: one_of(TransnationalReferral.Status) | None = None,
):
    if not (request.user.agency_id and request.user.has_role(Role.COORDINATOR)):
        raise PermissionDenied(_("The queue is for NRM coordinators."))
    referrals = access.incoming_transnational_referrals_for(request.user).select_related(
        "partner", "case"
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-created_at", "-pk")


@router.get(
    "/crossborder/referrals/{reference}",
    response={200: TransnationalDetailOut, **READ_ERRORS},
    summary="One transnational referral (the read is audited)",
)
def transnational_detail(request: HttpRequest, reference: str):
    referral = access.get_transnational_referral_for_user(request.user, reference)
    services.view_referral(referral, actor=request.user, request=request)
    return referral


def _act(request, reference: str, perform):
    referral = access.get_transnational_referral_for_user(request.user, reference, for_change=True)
    perform(referral)
    return referral


@router.post(
    "/crossborder/referrals/{reference}/accept",
    response={200: TransnationalDetailOut, **WRITE_ERRORS},
    summary="Accept a referral received: a person and a case are opened here",
)
def transnational_accept(request: HttpRequest, reference: str, payload: AnswerIn):
    return _act(
        request,
        reference,
        lambda r: services.accept_incoming_referral(
            r, actor=request.user, expected_version=payload.version, request=request
        ),
    )


@router.post(
    "/crossborder/referrals/{reference}/decline",
    response={200: TransnationalDetailOut, **WRITE_ERRORS},
    summary="Decline a referral received, saying why (the data received is erased)",
)
def transnational_decline(request: HttpRequest, reference: str, payload: AnswerIn):
    return _act(
        request,
        reference,
        lambda r: services.decline_incoming_referral(
            r,
            actor=request.user,
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        ),
    )


@router.post(
    "/crossborder/referrals/{reference}/status",
    response={200: TransnationalDetailOut, **WRITE_ERRORS},
    summary="Report the follow-up of a referral received (assisted, returned, 3/6/12 months)",
)
def transnational_status(request: HttpRequest, reference: str, payload: StatusIn):
    return _act(
        request,
        reference,
        lambda r: services.report_status(
            r,
            payload.status,
            payload.month,
            actor=request.user,
            expected_version=payload.version,
            request=request,
        ),
    )


@router.post(
    "/crossborder/referrals/{reference}/withdraw",
    response={200: TransnationalDetailOut, **WRITE_ERRORS},
    summary="Withdraw a referral sent (the partner must stop processing it)",
)
def transnational_withdraw(request: HttpRequest, reference: str, payload: AnswerIn):
    return _act(
        request,
        reference,
        lambda r: services.withdraw_transnational_referral(
            r,
            actor=request.user,
            reason=payload.reason,
            expected_version=payload.version,
            request=request,
        ),
    )
