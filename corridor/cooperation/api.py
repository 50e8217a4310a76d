"""API: legal cooperation requests of your office (investigators and prosecutors), and how
long requests take between countries (counts, for analysts too). Reads are audited."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from corridor.accounts import access
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.cooperation import services
from corridor.cooperation.models import CooperationRequest

router = Router(tags=["legal cooperation"])
Kind, Status_, Direction = (
    CooperationRequest.Kind,
    CooperationRequest.Status,
    CooperationRequest.Direction,
)


class RequestOut(Schema):
    reference: str = Field(description="e.g. L-1A2B3C4D.")
    kind: str = Field(description="One of: " + ", ".join(Kind.values) + ".")
    direction: str = Field(description="One of: " + ", ".join(Direction.values) + ".")
    status: str = Field(description="One of: " + ", ".join(Status_.values) + ".")
    requesting_country: str
    requested_country: str
    requesting_authority: str
    requested_authority: str
    criminal_case: str | None = Field(description="Reference of the criminal case, if any.")
    subject: str = Field(description="What is asked.")
    their_reference: str
    sent_on: date | None
    received_on: date | None
    due_on: date | None = Field(description="The legal deadline.")
    answered_on: date | None
    outcome: str = Field(description="'' until answered; then one of: granted, partly, refused.")
    overdue: bool
    version: int

    @staticmethod
    def resolve_criminal_case(obj) -> str | None:
        return obj.criminal_case.reference if obj.criminal_case_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class RequestSummaryOut(Schema):
    reference: str
    kind: str
    direction: str
    status: str
    requesting_country: str
    requested_country: str
    sent_on: date | None
    due_on: date | None


class RequestIn(Schema):
    kind: one_of(Kind)
    direction: one_of(Direction) = Direction.OUTGOING
    requested_country: str = Field("", max_length=2, description="ISO 3166; for one we send.")
    requested_authority: str = Field("", max_length=200)
    requesting_country: str = Field("", max_length=2, description="For one we received.")
    requesting_authority: str = Field("", max_length=200, description="For one we received.")
    received_on: date | None = None
    subject: str = Field(min_length=1, max_length=20_000)
    their_reference: str = Field("", max_length=60)
    due_on: date | None = None
    criminal_case: str | None = Field(None, max_length=20, description="Its reference.")


class StatusIn(Schema):
    status: one_of(Status_)
    version: int = Field(ge=1, le=2**31 - 1)
    on: date | None = None
    note: str = Field("", max_length=5_000)


class AnswerIn(Schema):
    outcome: one_of(CooperationRequest.Outcome)
    answered_on: date
    version: int = Field(ge=1, le=2**31 - 1)
    notes: str = Field("", max_length=20_000)


class CountryPairOut(Schema):
    requesting_country: str
    requested_country: str
    answered: int
    open: int
    overdue: int
    median_days: float | None
    p90_days: float | None


def _in_scope(request: HttpRequest, reference: str) -> CooperationRequest:
    return services.get_request_for_user(request.user, reference)


@router.get(
    "/cooperation/requests",
    response={200: list[RequestSummaryOut], 401: ErrorOut, 403: ErrorOut},
    summary="Legal cooperation requests of your office",
)
@paginate(Pagination)
def request_list(request: HttpRequest):
    if not services.may_work_on_requests(request.user):
        raise PermissionDenied
    return services.requests_visible_to(request.user).order_by("-created_at", "-pk")


@router.post(
    "/cooperation/requests",
    response={201: RequestOut, **WRITE_ERRORS},
    summary="Draft a request to another country, or record one received",
)
def request_create(request: HttpRequest, payload: RequestIn):
    data = payload.model_dump()
    reference = data.pop("criminal_case")
    criminal_case = None
    if reference:
        criminal_case = access.get_criminal_case_for_user(request.user, reference)
    created = services.open_request(
        actor=request.user, request=request, criminal_case=criminal_case, **data
    )
    return Status(201, created)


@router.get(
    "/cooperation/requests/{reference}",
    response={200: RequestOut, **READ_ERRORS},
    summary="One request (the read is audited)",
)
def request_detail(request: HttpRequest, reference: str):
    found = _in_scope(request, reference)
    services.view_request(found, actor=request.user, request=request)
    return found


@router.post(
    "/cooperation/requests/{reference}/status",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Sent, acknowledged, in execution or withdrawn; 409 if it changed meanwhile",
)
def request_status(request: HttpRequest, reference: str, payload: StatusIn):
    return services.change_status(
        _in_scope(request, reference),
        actor=request.user,
        request=request,
        status=payload.status,
        expected_version=payload.version,
        on=payload.on,
        note=payload.note,
    )


@router.post(
    "/cooperation/requests/{reference}/answer",
    response={200: RequestOut, **WRITE_ERRORS},
    summary="Record the other side's answer",
)
def request_answer(request: HttpRequest, reference: str, payload: AnswerIn):
    return services.record_answer(
        _in_scope(request, reference),
        actor=request.user,
        request=request,
        outcome=payload.outcome,
        answered_on=payload.answered_on,
        expected_version=payload.version,
        notes=payload.notes,
    )


@router.get(
    "/cooperation/country-pairs",
    response={200: list[CountryPairOut], 401: ErrorOut, 403: ErrorOut},
    summary="How long requests take between two countries (counts only)",
)
def country_pairs(request: HttpRequest, kind: one_of(Kind) | None = None):
    return services.durations_by_country_pair(request.user, kind=kind)
