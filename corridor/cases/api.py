"""API: protection cases and their file. Reading a case is audited; a change to the case
needs the `version` read with it (409 otherwise); who may make which change is declared in
`corridor.cases.services` (TRANSITIONS, PERMISSIONS) and answered with 403 otherwise.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.accounts.models import Agency, User
from corridor.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ErrorOut,
    Pagination,
    one_of,
    renamed_fields,
)
from corridor.cases import services
from corridor.cases.models import NEED_CODES, CaseEvent, CaseReview, NeedsAssessment, ProtectionCase
from corridor.consent import services as consent_services
from corridor.consent.models import Consent
from corridor.people.services import view_person
from corridor.vocabularies import Exploitation

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
    closure_reason: str = Field(
        description="HTCDS cas_ReasonForCaseClosure, coded: "
        + ", ".join(ProtectionCase.ClosureReason.values)
        + "; '' while open."
    )
    reflection_starts_on: date | None = Field(description="First day of the reflection period.")
    reflection_ends_on: date | None = Field(description="Last day of the reflection period.")
    assistance_unconditional: bool = Field(
        description="Attested: assistance does not depend on cooperation (non-conditionality)."
    )
    cooperation_status: str = Field(
        description="Information only, never a condition: "
        + ", ".join(ProtectionCase.Cooperation.values)
        + "."
    )
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
    closure_reason: one_of(ProtectionCase.ClosureReason) | Literal[""] = Field(
        "", description="Required when closing."
    )


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
    case = access.get_case_for_user(request.user, reference)
    services.change_case_status(
        case,
        actor=request.user,
        request=request,
        status=payload.status,
        expected_version=payload.version,
        note=payload.note,
        closure_reason=payload.closure_reason,
    )
    return case


def _shared(user, case: ProtectionCase, category: str) -> None:
    """An agency that sees the case through referrals reads only the data they share."""
    categories = access.visible_categories(user, case.person)
    if categories is not None and category not in categories:
        raise PermissionDenied(
            _("The referrals to your agency do not share this part of the case file.")
        )


# --- lifecycle ---------------------------------------------------------------------------------


class CaseTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: one_of(ProtectionCase.Status) = Field(description="The stage to move to.")
    version: int = Field(description="The case's version when you read it.")
    note: str = Field("", description="Why; kept in the case history and the audit trail.")
    closure_reason: one_of(ProtectionCase.ClosureReason) | Literal[""] = Field(
        "", description="Required when `to` is closed; `other` also needs a note."
    )


class CaseEventOut(Schema):
    kind: str = Field(description="One of: " + ", ".join(CaseEvent.Kind.values) + ".")
    from_value: str
    to_value: str
    reason: str = Field(description="The closure reason, for a closing.")
    actor: str | None = Field(description="Username of who made the change.")
    at: datetime
    note: str

    @staticmethod
    def resolve_actor(event: CaseEvent) -> str | None:
        return event.actor.username if event.actor_id else None


class CaseTransitionsOut(Schema):
    status: str
    version: int
    allowed: list[str] = Field(description="The stages you may move this case to now.")
    history: list[CaseEventOut] = Field(description="The case's history, oldest first.")


@router.get(
    "/cases/{reference}/transitions",
    response={200: CaseTransitionsOut, 403: ErrorOut, **READ_ERRORS},
    summary="Where the case may go next (for you) and where it has been",
)
def transitions(request: HttpRequest, reference: str):
    case = access.get_case_for_user(request.user, reference)
    _shared(request.user, case, "case")
    return {
        "status": case.status,
        "version": case.version,
        "allowed": services.transitions_for(request.user, case),
        "history": list(case.events.select_related("actor")),
    }


@router.post(
    "/cases/{reference}/transitions",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Move a case to another stage: 403 if your role may not, 422 if the stage may not",
)
def transition(request: HttpRequest, reference: str, payload: CaseTransitionIn):
    case = access.get_case_for_user(request.user, reference)
    try:
        services.change_case_status(
            case,
            actor=request.user,
            request=request,
            status=payload.to,
            expected_version=payload.version,
            note=payload.note,
            closure_reason=payload.closure_reason,
        )
    except DjangoValidationError as exc:
        raise renamed_fields(exc, {"status": "to"}) from exc
    return case


class CaseRiskIn(Schema):
    model_config = ConfigDict(extra="forbid")

    risk_level: one_of(ProtectionCase.Risk)
    reason: str = Field(description="Why the risk level changes (required).")
    version: int


@router.post(
    "/cases/{reference}/risk",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Change the risk level, with a reason",
)
def risk(request: HttpRequest, reference: str, payload: CaseRiskIn):
    case = access.get_case_for_user(request.user, reference)
    services.change_risk_level(
        case,
        actor=request.user,
        request=request,
        risk_level=payload.risk_level,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return case


class CaseCoordinatorIn(Schema):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(description="An NRM coordinator of the case's country.")
    version: int
    note: str = ""


@router.post(
    "/cases/{reference}/coordinator",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Assign the case to an NRM coordinator (who is notified)",
)
def coordinator(request: HttpRequest, reference: str, payload: CaseCoordinatorIn):
    case = access.get_case_for_user(request.user, reference)
    services.assign_coordinator(
        case,
        actor=request.user,
        request=request,
        coordinator=User.objects.filter(username=payload.username).first(),
        expected_version=payload.version,
        note=payload.note,
    )
    return case


class CasePrinciplesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assistance_unconditional: bool = Field(description="Once true, it cannot be withdrawn.")
    cooperation_status: one_of(ProtectionCase.Cooperation)
    version: int
    note: str = ""


@router.post(
    "/cases/{reference}/principles",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Attest non-conditionality; record cooperation (information only)",
)
def principles(request: HttpRequest, reference: str, payload: CasePrinciplesIn):
    case = access.get_case_for_user(request.user, reference)
    services.record_principles(
        case,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        assistance_unconditional=payload.assistance_unconditional,
        cooperation_status=payload.cooperation_status,
        note=payload.note,
    )
    return case


# --- reflection period -------------------------------------------------------------------------


class ReflectionExtensionOut(Schema):
    previous_end: date
    new_end: date
    reason: str
    extended_at: datetime


class ReflectionOut(Schema):
    starts_on: date | None
    ends_on: date | None = Field(description="The last day of the period.")
    total_days: int | None
    day: int | None = Field(description="Today's day within the period (1 = the first).")
    days_left: int | None
    is_over: bool | None
    extensions: list[ReflectionExtensionOut]
    version: int = Field(description="The case's version.")


def _reflection(case: ProtectionCase) -> dict:
    clock = case.reflection_clock()
    return {
        "starts_on": case.reflection_starts_on,
        "ends_on": case.reflection_ends_on,
        "total_days": clock.total_days if clock else None,
        "day": clock.day if clock else None,
        "days_left": clock.days_left if clock else None,
        "is_over": clock.is_over if clock else None,
        "extensions": list(case.reflection_extensions.all()),
        "version": case.version,
    }


class ReflectionStartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    starts_on: date | None = Field(None, description="Today if left out.")
    days: int | None = Field(None, description="CORRIDOR_REFLECTION_DAYS (30) if left out.")


class ReflectionExtendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: int
    new_end: date = Field(description="The new last day, after the current one.")
    reason: str


@router.get(
    "/cases/{reference}/reflection",
    response={200: ReflectionOut, **READ_ERRORS},
    summary="The reflection period and its clock",
)
def reflection(request: HttpRequest, reference: str):
    return _reflection(access.get_case_for_user(request.user, reference))


@router.post(
    "/cases/{reference}/reflection",
    response={200: ReflectionOut, **WRITE_ERRORS},
    summary="Start the reflection period",
)
def reflection_start(request: HttpRequest, reference: str, payload: ReflectionStartIn):
    case = access.get_case_for_user(request.user, reference)
    services.start_reflection_period(
        case,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        starts_on=payload.starts_on,
        days=payload.days,
    )
    return _reflection(case)


@router.post(
    "/cases/{reference}/reflection/extensions",
    response={201: ReflectionOut, **WRITE_ERRORS},
    summary="Extend the reflection period, with a reason",
)
def reflection_extend(request: HttpRequest, reference: str, payload: ReflectionExtendIn):
    case = access.get_case_for_user(request.user, reference)
    services.extend_reflection_period(
        case,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        new_end=payload.new_end,
        reason=payload.reason,
    )
    return Status(201, _reflection(case))


# --- needs ---------------------------------------------------------------------------------------


class CaseNeedsOut(Schema):
    id: int
    assessed_on: date
    assessor: str | None
    needs: list[str]
    notes: str
    recorded_at: datetime

    @staticmethod
    def resolve_assessor(assessment: NeedsAssessment) -> str | None:
        return assessment.assessor.username if assessment.assessor_id else None


class CaseNeedsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    needs: list[Literal[tuple(NEED_CODES)]] = Field(
        description="Coded like the referral service types: " + ", ".join(NEED_CODES) + "."
    )
    assessed_on: date | None = Field(None, description="Today if left out.")
    notes: str = Field("", description="Stored encrypted.")


@router.get(
    "/cases/{reference}/needs",
    response={200: list[CaseNeedsOut], 403: ErrorOut, **READ_ERRORS},
    summary="The case's needs assessments, newest first",
)
def needs_list(request: HttpRequest, reference: str):
    case = access.get_case_for_user(request.user, reference)
    _shared(request.user, case, "health")
    return list(case.needs_assessments.select_related("assessor"))


@router.post(
    "/cases/{reference}/needs",
    response={201: CaseNeedsOut, **WRITE_ERRORS},
    summary="Add a needs assessment (earlier ones stay)",
)
def needs_add(request: HttpRequest, reference: str, payload: CaseNeedsIn):
    case = access.get_case_for_user(request.user, reference)
    assessment = services.record_needs_assessment(
        case,
        actor=request.user,
        request=request,
        needs=list(payload.needs),
        assessed_on=payload.assessed_on,
        notes=payload.notes,
    )
    return Status(201, assessment)


# --- reviews -------------------------------------------------------------------------------------


class CaseReviewOut(Schema):
    id: int
    due_on: date
    topic: str
    done_on: date | None
    outcome: str
    overdue: bool

    @staticmethod
    def resolve_overdue(review: CaseReview) -> bool:
        return review.is_overdue()


class CaseReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    due_on: date
    topic: str = ""


class CaseReviewCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    outcome: str
    done_on: date | None = Field(None, description="Today if left out.")


@router.get(
    "/cases/{reference}/reviews",
    response={200: list[CaseReviewOut], 403: ErrorOut, **READ_ERRORS},
    summary="The case's reviews, by due date",
)
def review_list(request: HttpRequest, reference: str):
    case = access.get_case_for_user(request.user, reference)
    _shared(request.user, case, "case")
    return list(case.reviews.all())


@router.post(
    "/cases/{reference}/reviews",
    response={201: CaseReviewOut, **WRITE_ERRORS},
    summary="Schedule a review",
)
def review_add(request: HttpRequest, reference: str, payload: CaseReviewIn):
    case = access.get_case_for_user(request.user, reference)
    review = services.schedule_review(
        case, actor=request.user, request=request, due_on=payload.due_on, topic=payload.topic
    )
    return Status(201, review)


@router.post(
    "/cases/{reference}/reviews/{review_id}/complete",
    response={200: CaseReviewOut, **WRITE_ERRORS},
    summary="Record a review's outcome",
)
def review_complete(
    request: HttpRequest, reference: str, review_id: int, payload: CaseReviewCompleteIn
):
    case = access.get_case_for_user(request.user, reference)
    review = get_object_or_404(case.reviews.all(), pk=review_id)
    return services.complete_review(
        review,
        actor=request.user,
        request=request,
        outcome=payload.outcome,
        done_on=payload.done_on,
    )


# --- consent -------------------------------------------------------------------------------------


class ConsentRecordOut(Schema):
    id: int
    person_reference: str
    case_reference: str | None
    purposes: list[str]
    data_categories: list[str]
    recipient_agencies: list[AgencyRef]
    recipient_sectors: list[str]
    recipient_countries: list[str]
    method: str
    interpreter_language: str
    given_at: datetime
    active: bool
    revoked_at: datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_person_reference(consent: Consent) -> str:
        return consent.person.reference

    @staticmethod
    def resolve_case_reference(consent: Consent) -> str | None:
        return consent.case.reference if consent.case_id else None

    @staticmethod
    def resolve_recipient_agencies(consent: Consent) -> list:
        return list(consent.recipient_agencies.all())

    @staticmethod
    def resolve_active(consent: Consent) -> bool:
        return consent.is_active


class ConsentRecordIn(Schema):
    model_config = ConfigDict(extra="forbid")

    purposes: list[one_of(Consent.Purpose)]
    data_categories: list[one_of(Consent.DataCategory)]
    method: one_of(Consent.Method) = Field(description="A presumed minor's is `guardian`.")
    recipient_agencies: list[int] = Field([], description="Agency ids (see /api/agencies).")
    recipient_sectors: list[one_of(Agency.Sector)] = []
    recipient_countries: list[str] = Field([], description="ISO 3166-1 alpha-2 codes.")
    case: str | None = Field(None, description="The reference of the case it was given in.")
    interpreter_language: str = ""


class ConsentRevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""


def _consents(person):
    return person.consents.select_related("person", "case").prefetch_related("recipient_agencies")


@router.get(
    "/persons/{reference}/consents",
    response={200: list[ConsentRecordOut], **READ_ERRORS},
    summary="A person's consents, newest first (the read is audited)",
)
def consent_list(request: HttpRequest, reference: str):
    person = access.get_person_for_user(request.user, reference)
    view_person(person, actor=request.user, request=request, purpose="consents")
    return list(_consents(person))


@router.post(
    "/persons/{reference}/consents",
    response={201: ConsentRecordOut, **WRITE_ERRORS},
    summary="Record what the person agreed may be shared, with whom and why",
)
def consent_record(request: HttpRequest, reference: str, payload: ConsentRecordIn):
    person = access.get_person_for_user(request.user, reference, for_change=True)
    case = None
    if payload.case:
        case = (
            access.cases_visible_to(request.user)
            .filter(reference=payload.case, person=person)
            .first()
        )
        if case is None:
            raise DjangoValidationError({"case": _("No such case of this person.")})
    agencies = list(Agency.objects.filter(pk__in=payload.recipient_agencies))
    missing = set(payload.recipient_agencies) - {a.pk for a in agencies}
    if missing:
        raise DjangoValidationError(
            {
                "recipient_agencies": _("Unknown agency: {ids}.").format(
                    ids=", ".join(str(i) for i in sorted(missing))
                )
            }
        )
    consent = consent_services.record_consent(
        person,
        actor=request.user,
        request=request,
        case=case,
        purposes=list(payload.purposes),
        data_categories=list(payload.data_categories),
        method=payload.method,
        recipient_agencies=agencies,
        recipient_sectors=list(payload.recipient_sectors),
        recipient_countries=list(payload.recipient_countries),
        interpreter_language=payload.interpreter_language,
    )
    return Status(201, _consents(person).get(pk=consent.pk))


@router.post(
    "/consents/{consent_id}/revoke",
    response={200: ConsentRecordOut, **WRITE_ERRORS},
    summary="Revoke a consent: from now on it covers nothing",
)
def consent_revoke(request: HttpRequest, consent_id: int, payload: ConsentRevokeIn):
    consent = (
        Consent.objects.filter(pk=consent_id, person__in=access.persons_visible_to(request.user))
        .select_related("person", "person__owner_agency")
        .first()
    )
    if consent is None:
        raise Http404("No such record.")
    consent_services.revoke_consent(
        consent, actor=request.user, reason=payload.reason, request=request
    )
    return _consents(consent.person).get(pk=consent.pk)
