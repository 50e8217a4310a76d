"""API: screen a person with the ILO/EC indicators, read a screening, list the indicator lists.

The same rules as the wizard: only the agencies that may change a person's record screen
them; a person presumed to be a minor is screened with a children's list (422 naming
`catalogue` otherwise); unknown indicator codes answer 422 naming `answers`. Reading a
screening is audited.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.screening import services
from corridor.screening.models import (
    CaseEffect,
    Dimension,
    ExploitationType,
    Indicator,
    IndicatorCatalogue,
    ListKind,
    NextStep,
    Screening,
)
from corridor.screening.rules import Result

router = Router(tags=["screening"])


class CatalogueRef(Schema):
    code: str
    version: int
    list_kind: str = Field(description="One of: " + ", ".join(ListKind.values) + ".")


class ScreeningIn(Schema):
    """Which list: `catalogue` (a code, with `version` or the version offered now), or
    `list_kind`, or `exploitation` (labour or sexual: the adults' or children's list is
    chosen from the person's age). Answers map indicator codes to true (present), false
    (absent) or null (unknown); codes left out are unknown."""

    model_config = ConfigDict(extra="forbid")

    person: str = Field(description="The person's reference, e.g. P-7K3F9QXM.")
    catalogue: str | None = Field(
        None, description="Catalogue code, e.g. ilo-ec-2009-adult-labour."
    )
    version: int | None = Field(None, description="With `catalogue`: a published version.")
    list_kind: one_of(ListKind) | None = None
    exploitation: one_of(ExploitationType) | None = None
    answers: dict[str, bool | None] = Field(default_factory=dict)
    smuggling: bool = Field(
        False,
        description="The person paid a smuggler or crossed irregularly, and is vulnerable or "
        "has needs.",
    )
    location: str = ""
    notes: str = ""


class PresentIndicatorOut(Schema):
    code: str
    strength: str = Field(description="S, M or W.")
    text: dict[str, str] = Field(description="The question per language.")


class DimensionResultOut(Schema):
    code: str
    positive: bool
    rule: str | None = Field(
        description="two_strong, strong_and_another, three_medium, two_medium_one_weak or null."
    )
    counts: dict[str, int]
    present: list[PresentIndicatorOut]
    unknown: list[str]


class ExplanationOut(Schema):
    result: str
    rule: str
    child: bool
    smuggling: bool
    combination: dict[str, bool | None] = Field(
        description="recruitment, exploitation and means (null for a child: not required)."
    )
    dimensions: list[DimensionResultOut]


class ScreeningOut(Schema):
    reference: str
    person: str = Field(description="The person's reference.")
    catalogue: CatalogueRef
    agency: AgencyRef
    screened_by: str | None
    screened_at: datetime
    result: str = Field(description="One of: " + ", ".join(Result.values) + ".")
    result_label: str
    rule: str
    treated_as_child: bool = Field(description="Presumption of minority applied.")
    guardian_required: bool
    next_step: str = Field(description="One of: " + ", ".join(NextStep.values) + ".")
    suggested_service: str = Field(description="A referral service type, or ''.")
    case: str | None = Field(description="The protection case opened or found.")
    case_opened: bool
    case_effect: str = Field(description="One of: " + ", ".join(CaseEffect.values) + ".")
    smuggling: bool
    answers: dict[str, bool | None]
    explanation: ExplanationOut
    htcds: dict = Field(
        description="vic_TraffickingStatus, vic_TraffickingStatusDecisionMakingOrg, "
        "vic_MethodsOfControl, vic_TypeOfExploitation (HTCDS 2.0 value names), "
        "cor_ScreeningResult."
    )
    location: str
    notes: str

    @staticmethod
    def resolve_person(obj: Screening) -> str:
        return obj.person.reference

    @staticmethod
    def resolve_screened_by(obj: Screening) -> str | None:
        return obj.screened_by.username if obj.screened_by else None

    @staticmethod
    def resolve_result_label(obj: Screening) -> str:
        return str(Result(obj.result).label)

    @staticmethod
    def resolve_case(obj: Screening) -> str | None:
        return obj.case.reference if obj.case_id else None


class IndicatorOut(Schema):
    code: str
    strength: str = Field(description="S (strong), M (medium) or W (weak).")
    text: dict[str, str]
    methods_of_control: list[str] = Field(description="HTCDS vic_MethodsOfControl codes.")
    exploitation: list[str] = Field(description="Forms of exploitation it implies.")


class DimensionOut(Schema):
    code: str
    label: dict[str, str]
    order: int
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj: Dimension) -> list[Indicator]:
        return list(obj.indicators.all())


class CatalogueOut(Schema):
    code: str
    version: int
    list_kind: str
    name: dict[str, str]
    source: str
    source_note: str
    offered: bool = Field(description="False once a newer version replaced it.")
    published_at: datetime | None
    dimensions: list[DimensionOut]

    @staticmethod
    def resolve_offered(obj: IndicatorCatalogue) -> bool:
        return obj.retired_at is None

    @staticmethod
    def resolve_dimensions(obj: IndicatorCatalogue) -> list[Dimension]:
        return list(obj.dimensions.all())


def _catalogue(payload: ScreeningIn, person) -> IndicatorCatalogue:
    if payload.catalogue:
        published = IndicatorCatalogue.objects.filter(code=payload.catalogue, published=True)
        if payload.version is not None:
            found = published.filter(version=payload.version).first()
        else:
            found = published.offered().first()
        if found is None:
            raise ValidationError(
                {"catalogue": _("No published indicator list has this code and version.")}
            )
        return found
    if payload.list_kind:
        return services.active_catalogue(payload.list_kind)
    if payload.exploitation:
        return services.catalogue_for(person, payload.exploitation)
    raise ValidationError(
        {"catalogue": _("Say which list: catalogue (and version), list_kind or exploitation.")}
    )


@router.post(
    "/screenings",
    response={201: ScreeningOut, **WRITE_ERRORS},
    summary="Screen a person; the result comes with its explanation",
)
def screening_create(request: HttpRequest, payload: ScreeningIn):
    person = access.get_person_for_user(
        request.user, payload.person.strip().upper(), for_change=True
    )
    screening = services.screen_person(
        person,
        actor=request.user,
        catalogue=_catalogue(payload, person),
        answers=payload.answers,
        smuggling=payload.smuggling,
        location=payload.location,
        notes=payload.notes,
        request=request,
    )
    screening = services.get_screening_for_user(request.user, screening.reference)
    return Status(201, screening)


@router.get(
    "/screenings/{reference}",
    response={200: ScreeningOut, **READ_ERRORS},
    summary="One screening (the read is audited)",
)
def screening_detail(request: HttpRequest, reference: str):
    screening = services.get_screening_for_user(request.user, reference)
    services.view_screening(screening, actor=request.user, request=request)
    return screening


@router.get(
    "/catalogues",
    response={200: list[CatalogueOut], 401: ErrorOut},
    summary="Published indicator lists with their indicators",
)
@paginate(Pagination)
def catalogue_list(request: HttpRequest):
    return (
        IndicatorCatalogue.objects.filter(published=True)
        .prefetch_related(
            Prefetch(
                "dimensions",
                queryset=Dimension.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("order", "pk"))
                ),
            )
        )
        .order_by("list_kind", "code", "-version")
    )
