"""API: "seen before?" before registering a person, and the coordinator's review queue."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from corridor.api import WRITE_ERRORS, AuditedPagination, ErrorOut
from corridor.linkage import services
from corridor.linkage.models import MatchCandidate
from corridor.people.api import PersonIn

router = Router(tags=["who is who"])


class ReasonOut(Schema):
    field: str = Field(description="given_name, family_name, birth, sex, nationality, phone, …")
    level: str = Field(description="same, alike, swapped, close or different.")
    weight: float = Field(description="log₂ of how much this agreement weighs for (or against).")


class LookAlikeOut(Schema):
    reference: str
    owner_agency: str
    probability: float = Field(description="How likely the two are one person, 0–1.")
    reasons: list[ReasonOut]


class PairOut(Schema):
    id: int
    left: str = Field(description="Reference of one record.")
    right: str = Field(description="Reference of the other.")
    probability: float
    status: str = Field(description="proposed, confirmed, rejected or unlinked.")
    reasons: list[ReasonOut]
    version: int = Field(description="Send it back with the decision.")

    @staticmethod
    def resolve_left(obj: MatchCandidate) -> str:
        return obj.left.reference

    @staticmethod
    def resolve_right(obj: MatchCandidate) -> str:
        return obj.right.reference


class DecisionIn(Schema):
    decision: Literal["same", "different"]
    version: int


@router.post(
    "/linkage/seen-before",
    response={200: list[LookAlikeOut], **WRITE_ERRORS},
    summary="Records you may see that may be the person you are about to register",
)
def seen_before(request: HttpRequest, payload: PersonIn):
    found = services.seen_before(
        payload.model_dump(exclude_unset=True), actor=request.user, request=request
    )
    return [
        {
            "reference": like.person.reference,
            "owner_agency": like.person.owner_agency.name,
            "probability": round(like.probability, 4),
            "reasons": [r.as_json() for r in like.reasons],
        }
        for like in found
    ]


@router.get(
    "/linkage/pairs",
    response={200: list[PairOut], 401: ErrorOut},
    summary="Pairs of records to review (coordinators); the most likely first",
)
@paginate(AuditedPagination, audit=services.view_candidates)
def pair_list(request: HttpRequest):
    return services.review_queue(request.user)


@router.post(
    "/linkage/pairs/{pair_id}/decision",
    response={200: PairOut, **WRITE_ERRORS},
    summary="The same person (link the records) or two different persons",
)
def pair_decision(request: HttpRequest, pair_id: int, payload: DecisionIn):
    candidate = services.get_candidate_for_user(request.user, pair_id)
    decide = services.confirm_match if payload.decision == "same" else services.reject_match
    decide(candidate, actor=request.user, expected_version=payload.version, request=request)
    return services.get_candidate_for_user(request.user, pair_id)
