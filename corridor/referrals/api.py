"""API: the service directory and referrals between agencies.

Only the receiving agency answers a referral and records services; the sending agency or a
coordinator withdraws it. A referral relies on a consent of the person that covers the
receiving agency, the purpose and every category of data it shares.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.accounts.models import Role
from corridor.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Pagination,
    one_of,
    renamed_fields,
)
from corridor.consent.models import Consent
from corridor.referrals import services
from corridor.referrals.models import OFFER_SEXES, Referral, ServiceDelivery
from corridor.vocabularies import ServiceType

router = Router(tags=["referrals"])

Category = Literal[tuple(Consent.DataCategory.values)]
OfferSex = Literal[OFFER_SEXES]


# --- the directory ----------------------------------------------------------------------------


class ServiceOfferOut(Schema):
    id: int
    agency: AgencyRef = Field(description="The provider.")
    service_type: str = Field(description="One of: " + ", ".join(ServiceType.values) + ".")
    name: str
    description: str
    area_description: str
    areas: list[str] = Field(
        description="ISO 3166-2 region codes or city names; empty: the whole country."
    )
    languages: list[str] = Field(description="ISO 639-1 codes.")
    sexes: list[str] = Field(description="Sexes accepted; empty: everyone.")
    min_age: int | None
    max_age: int | None
    accepts_unaccompanied_children: bool
    total_places: int | None = Field(description="Null: not counted in places.")
    free_places: int | None
    capacity_updated_at: datetime | None = Field(description="When capacity was last published.")
    contact_phone: str = Field(description="E.164.")
    contact_email: str
    contact_hours: str
    is_active: bool = Field(description="Listed in the directory.")
    updated_at: datetime
    version: int = Field(description="Send it back with a change (optimistic locking).")


class ServiceOfferFields(Schema):
    model_config = ConfigDict(extra="forbid")

    service_type: one_of(ServiceType) | None = None
    name: str | None = None
    description: str | None = None
    area_description: str | None = None
    areas: list[str] | None = None
    languages: list[str] | None = None
    sexes: list[OfferSex] | None = None
    min_age: int | None = None
    max_age: int | None = None
    accepts_unaccompanied_children: bool | None = None
    total_places: int | None = None
    free_places: int | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_hours: str | None = None
    is_active: bool | None = None


class ServiceOfferIn(ServiceOfferFields):
    """A new offer; the fields left out keep their default."""

    agency_id: int | None = Field(
        None, description="The provider; left out: your own agency (coordinators: any)."
    )
    service_type: one_of(ServiceType)
    name: str


class ServiceOfferPatch(ServiceOfferFields):
    """Only the fields sent are changed. `version` is the one read with the offer."""

    version: int


class CapacityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    free_places: int = Field(description="Places free now.")
    total_places: int | None = Field(None, description="Places in all, if that changed.")
    version: int = Field(description="The offer's version when you read it.")


OFFER_API_FIELDS = {"agency": "agency_id"}


def _offer_fields(payload: Schema, *, exclude: set[str]) -> dict:
    fields = payload.model_dump(exclude_unset=True, exclude=exclude)
    for name in (
        "description",
        "area_description",
        "contact_phone",
        "contact_email",
        "contact_hours",
    ):
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@router.get(
    "/services",
    response={200: list[ServiceOfferOut], 401: ErrorOut},
    summary="The service directory",
)
@paginate(Pagination)
def offer_list(
    request: HttpRequest,
    service_type: one_of(ServiceType) | None = None,
    language: str | None = Query(None, description="An ISO 639-1 code."),
    area: str | None = Query(None, description="An ISO 3166-2 region code or a city."),
    age: int | None = Query(None, ge=0, le=120, description="Age of the person to refer."),
    sex: OfferSex | None = None,
    unaccompanied_child: bool = False,
    with_free_places: bool = False,
    agency_id: int | None = None,
    active: bool = Query(True, description="false: offers no longer listed (managers only)."),
):
    offers = access.offers_visible_to(request.user).filter(is_active=active)
    offers = services.filter_offers(
        offers,
        service_type=service_type,
        language=language,
        area=area,
        age=age,
        sex=sex,
        unaccompanied_child=unaccompanied_child,
        with_free_places=with_free_places,
        agency=agency_id,
    )
    return offers.select_related("agency").order_by("service_type", "agency__name", "name", "pk")


@router.get("/services/{offer_id}", response={200: ServiceOfferOut, **READ_ERRORS})
def offer_detail(request: HttpRequest, offer_id: int):
    return access.get_offer_for_user(request.user, offer_id)


@router.post(
    "/services",
    response={201: ServiceOfferOut, **WRITE_ERRORS},
    summary="List a service (providers: of their own agency)",
)
def offer_create(request: HttpRequest, payload: ServiceOfferIn):
    agency_id = payload.agency_id or request.user.agency_id
    agency = access.agencies_visible_to(request.user).filter(pk=agency_id).first()
    if agency is None:
        raise ValidationError({"agency_id": _("No agency has this id.")})
    try:
        offer = services.create_offer(
            actor=request.user,
            agency=agency,
            request=request,
            **_offer_fields(payload, exclude={"agency_id"}),
        )
    except ValidationError as exc:
        raise renamed_fields(exc, OFFER_API_FIELDS) from exc
    return Status(201, offer)


@router.patch(
    "/services/{offer_id}",
    response={200: ServiceOfferOut, **WRITE_ERRORS},
    summary="Change a service; 409 if it changed since you read it",
)
def offer_update(request: HttpRequest, offer_id: int, payload: ServiceOfferPatch):
    offer = access.get_offer_for_user(request.user, offer_id, for_change=True)
    return services.update_offer(
        offer,
        actor=request.user,
        expected_version=payload.version,
        request=request,
        **_offer_fields(payload, exclude={"version"}),
    )


@router.patch(
    "/services/{offer_id}/capacity",
    response={200: ServiceOfferOut, **WRITE_ERRORS},
    summary="Publish the free places of a service",
)
def offer_capacity(request: HttpRequest, offer_id: int, payload: CapacityIn):
    offer = access.get_offer_for_user(request.user, offer_id, for_change=True)
    return services.publish_capacity(
        offer,
        actor=request.user,
        free_places=payload.free_places,
        total_places=payload.total_places,
        expected_version=payload.version,
        request=request,
    )


# --- referrals --------------------------------------------------------------------------------


class ReferralOut(Schema):
    reference: str = Field(description="e.g. R-1A2B3C4D.")
    case_reference: str
    from_agency: AgencyRef = Field(description="HTCDS cas_ReferringOrganisation.")
    to_agency: AgencyRef = Field(description="HTCDS cas_ReferredOrganisation.")
    service_type: str = Field(description="One of: " + ", ".join(ServiceType.values) + ".")
    offer_id: int | None = Field(description="The directory's offer referred to, if any.")
    consent_id: int | None = Field(
        description="The consent relied on; null only for referrals made before consents."
    )
    consent_active: bool = Field(
        description="False once the person revoked that consent: the recipient's access ends."
    )
    shared_categories: list[str] = Field(
        description="Data categories shared: " + ", ".join(Consent.DataCategory.values) + "."
    )
    status: str = Field(description="One of: " + ", ".join(Referral.Status.values) + ".")
    overdue: bool = Field(description="Sent and not answered within the response time.")
    note: str = Field(description="HTCDS cas_OutgoingReferralDetails.")
    decline_reason: str
    withdraw_reason: str
    created_at: datetime = Field(description="HTCDS cas_OutgoingReferralDate.")
    responded_at: datetime | None
    started_at: datetime | None = Field(description="When the first service was delivered.")
    completed_at: datetime | None
    withdrawn_at: datetime | None
    version: int = Field(description="Send it back with an answer (optimistic locking).")

    @staticmethod
    def resolve_case_reference(referral: Referral) -> str:
        return referral.case.reference

    @staticmethod
    def resolve_shared_categories(referral: Referral) -> list[str]:
        return [c for c in Consent.DataCategory.values if c in referral.categories]

    @staticmethod
    def resolve_consent_active(referral: Referral) -> bool:
        return not referral.consent_revoked

    @staticmethod
    def resolve_note(referral: Referral, context) -> str:
        if access.referral_note_hidden(context["request"].user, referral):
            return ""
        return referral.note

    @staticmethod
    def resolve_overdue(referral: Referral) -> bool:
        return referral.is_overdue


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_agency_id: int | None = Field(
        None, description="An active agency from GET /api/agencies; left out: the offer's."
    )
    service_type: one_of(ServiceType) | None = Field(
        None, description="Left out: the offer's service."
    )
    offer_id: int | None = Field(None, description="An offer from GET /api/services.")
    consent_id: int | None = Field(
        None,
        description="The person's consent relied on; left out: the most recent that covers "
        "the recipient, the purpose and the data shared.",
    )
    shared_categories: list[Category] | None = Field(
        None, description="Data categories shared; left out: identity and case."
    )
    unaccompanied_child: bool = Field(
        False, description="The person is a child without parent or guardian."
    )
    note: str = Field("", description="For the receiving agency.")


class ReferralAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The referral's version when you read it.")
    reason: str = Field("", description="Required to decline or withdraw.")


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    service_type: one_of(ServiceType)
    delivered_on: date
    notes: str = Field("", description="Stored encrypted.")


class DeliveryOut(Schema):
    id: int
    referral_reference: str
    service_type: str
    delivered_on: date
    notes: str
    recorded_by: str | None = Field(description="Username of who recorded it.")
    recorded_at: datetime

    @staticmethod
    def resolve_referral_reference(delivery: ServiceDelivery) -> str:
        return delivery.referral.reference

    @staticmethod
    def resolve_recorded_by(delivery: ServiceDelivery) -> str | None:
        return delivery.recorded_by.username if delivery.recorded_by_id else None


class WaitingOut(Schema):
    kind: str = Field(
        description="unreferred: waiting for a referral; overdue / unanswered: a referral "
        "sent and not answered (past / within the response time); declined: refer again; "
        "delivering: services started, the case is not marked assisted yet."
    )
    case_reference: str
    person_reference: str
    referral_reference: str | None
    service_type: str | None
    to_agency: AgencyRef | None
    waiting_since: datetime
    waited_hours: int


# The services name the model's fields; the API names its own.
API_FIELDS = {
    "to_agency": "to_agency_id",
    "offer": "offer_id",
    "consent": "consent_id",
    "decline_reason": "reason",
    "withdraw_reason": "reason",
}


def _referrals(user):
    return access.referrals_visible_to(user).select_related(
        "case", "from_agency", "to_agency", "consent"
    )


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
    "/referrals/queue",
    response={200: list[WaitingOut], 401: ErrorOut, 403: ErrorOut},
    summary="Everyone waiting, longest first (coordinators)",
)
@paginate(Pagination)
def referral_queue(
    request: HttpRequest,
    kind: Literal[services.Waiting.ALL] | None = None,
    service_type: one_of(ServiceType) | None = None,
    to_agency_id: int | None = None,
    mine: bool = Query(False, description="Only the cases you coordinate."),
):
    if not (request.user.agency_id and request.user.has_role(Role.COORDINATOR)):
        raise PermissionDenied(_("The queue is for NRM coordinators."))
    waiting = services.waiting_for(
        request.user,
        kinds=[kind] if kind else None,
        service_type=service_type,
        to_agency=to_agency_id,
        mine=mine,
    )
    return _WaitingRows(waiting)


class _WaitingRows:
    """The waiting list as the API's rows, sliced lazily like a queryset."""

    def __init__(self, waiting):
        self.waiting = waiting

    def count_upto(self, limit: int) -> int:
        return self.waiting.count_upto(limit)

    def __len__(self) -> int:
        return self.waiting.count()

    def __getitem__(self, key):
        return [
            {
                "kind": item.kind,
                "case_reference": item.case.reference,
                "person_reference": item.case.person.reference,
                "referral_reference": item.referral.reference if item.referral else None,
                "service_type": item.referral.service_type if item.referral else None,
                "to_agency": item.referral.to_agency if item.referral else None,
                "waiting_since": item.since,
                "waited_hours": item.waited_hours,
            }
            for item in self.waiting[key]
        ]


@router.get(
    "/referrals/{reference}", response={200: ReferralOut, **READ_ERRORS}, summary="One referral"
)
def referral_detail(request: HttpRequest, reference: str):
    return access.get_referral_for_user(request.user, reference)


def _lookup(queryset, pk: int | None, field: str, message: str):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


@router.post(
    "/cases/{reference}/referrals",
    response={201: ReferralOut, **WRITE_ERRORS},
    summary="Refer a case to another agency for a service, relying on a consent",
)
def referral_create(request: HttpRequest, reference: str, payload: ReferralIn):
    user = request.user
    case = access.get_case_for_user(user, reference, for_change=True)
    offer = _lookup(
        access.offers_visible_to(user).select_related("agency"),
        payload.offer_id,
        "offer_id",
        _("No service offer has this id."),
    )
    to_agency = _lookup(
        access.agencies_visible_to(user),
        payload.to_agency_id,
        "to_agency_id",
        _("No agency has this id."),
    )
    consent = _lookup(
        Consent.objects.filter(person=case.person),
        payload.consent_id,
        "consent_id",
        _("This person has no consent with this id."),
    )
    if to_agency is None and offer is not None:
        to_agency = offer.agency
    service_type = payload.service_type or (offer.service_type if offer else None)
    errors = {}
    if to_agency is None:
        errors["to_agency_id"] = _("Give the agency, or an offer of the directory.")
    if service_type is None:
        errors["service_type"] = _("Give the service, or an offer of the directory.")
    if errors:
        raise ValidationError(errors)
    try:
        referral = services.refer_case(
            case,
            actor=user,
            request=request,
            to_agency=to_agency,
            service_type=service_type,
            offer=offer,
            consent=consent,
            shared_categories=payload.shared_categories,
            unaccompanied_child=payload.unaccompanied_child,
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
    summary="Accept a referral sent to your agency (takes a free place of its offer)",
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


@router.post(
    "/referrals/{reference}/withdraw",
    response={200: ReferralOut, **WRITE_ERRORS},
    summary="Withdraw a referral (the sending agency or a coordinator), saying why",
)
def referral_withdraw(request: HttpRequest, reference: str, payload: ReferralAnswerIn):
    referral = access.get_referral_for_user(request.user, reference)
    try:
        return services.withdraw_referral(
            referral,
            actor=request.user,
            request=request,
            reason=payload.reason,
            expected_version=payload.version,
        )
    except ValidationError as exc:
        raise renamed_fields(exc, API_FIELDS) from exc


@router.get(
    "/referrals/{reference}/deliveries",
    response={200: list[DeliveryOut], **READ_ERRORS},
    summary="Services delivered under a referral (the read is audited)",
)
def delivery_list(request: HttpRequest, reference: str):
    referral = access.get_referral_for_user(request.user, reference)
    services.view_referral(referral, actor=request.user, request=request)
    return list(referral.deliveries.select_related("recorded_by", "referral"))


@router.post(
    "/referrals/{reference}/deliveries",
    response={201: DeliveryOut, **WRITE_ERRORS},
    summary="Record a service your agency delivered under a referral it accepted",
)
def delivery_create(request: HttpRequest, reference: str, payload: DeliveryIn):
    referral = access.get_referral_for_user(request.user, reference, for_change=True)
    delivery = services.record_service_delivery(
        referral,
        actor=request.user,
        request=request,
        service_type=payload.service_type,
        delivered_on=payload.delivered_on,
        notes=payload.notes,
    )
    return Status(201, delivery)
