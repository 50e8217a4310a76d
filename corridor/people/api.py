"""API: person records. Every read is audited; edits need the version that was read.

Field names follow the model; the HTCDS 2.0 field each one maps to is in its description.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import READ_ERRORS, WRITE_ERRORS, AuditedPagination, ErrorOut, one_of
from corridor.people import search, services
from corridor.people.models import Person
from corridor.vocabularies import Sex

router = Router(tags=["persons"])


class PersonSummaryOut(Schema):
    reference: str = Field(description="Corridor's pseudonymous reference, e.g. P-1A2B3C4D.")
    owner_agency: AgencyRef = Field(description="HTCDS cas_CaseOwner: the registering agency.")
    given_name: str = Field(description="HTCDS prs_FirstName.")
    family_name: str = Field(description="HTCDS prs_SecondName.")
    sex: str = Field(description="HTCDS prs_Gender: " + ", ".join(Sex.values) + ".")
    date_of_birth: date | None = Field(description="HTCDS prs_Birthdate.")
    age: int | None = Field(description="Age today, from the date of birth.")
    age_estimate_min: int | None
    age_estimate_max: int | None
    age_disputed: bool
    presumed_minor: bool = Field(
        description="Presumption of minority: true while the age is unknown or disputed."
    )
    nationality: str = Field(description="HTCDS prs_Citizenship, ISO 3166-1 alpha-2.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a change (optimistic locking).")


class PersonOut(PersonSummaryOut):
    aliases: str
    languages: str = Field(description="ISO 639 codes separated by commas.")
    phone: str = Field(description="HTCDS prs_MobilePhone.")
    email: str = Field(description="HTCDS prs_Email.")
    address: str = Field(description="HTCDS prs_MailingStreet and following.")
    document_type: str = Field(
        description="One of: " + ", ".join(v for v in Person.DocumentType.values if v) + ", or ''."
    )
    document_number: str
    narrative: str


class PersonIn(Schema):
    """The fields of a person record; the ones left out keep their default."""

    model_config = ConfigDict(extra="forbid")

    given_name: str = ""
    family_name: str = ""
    aliases: str = ""
    sex: one_of(Sex) = Sex.UNKNOWN.value
    date_of_birth: date | None = None
    age_estimate_min: int | None = None
    age_estimate_max: int | None = None
    age_disputed: bool = False
    nationality: str = Field("", description="ISO 3166-1 alpha-2, upper case.")
    languages: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    document_type: one_of(Person.DocumentType) = ""
    document_number: str = ""
    narrative: str = ""


class PersonPatch(PersonIn):
    """Only the fields sent are changed. `version` is the one read with the record."""

    version: int


@router.get(
    "/persons",
    response={200: list[PersonSummaryOut], 401: ErrorOut},
    summary="Persons visible to you",
)
@paginate(AuditedPagination, audit=services.view_person_list)
def person_list(
    request: HttpRequest,
    q: str = Query(
        "",
        max_length=200,
        description="Search: words of a name (any spelling or script), a reference, a phone, "
        "a document number, a year of birth or an age. The most alike first, at most 200.",
    ),
):
    persons = access.persons_visible_to(request.user).select_related("owner_agency")
    if q.strip():
        return search.search_persons(q, actor=request.user, within=persons, request=request).persons
    return persons.order_by("-created_at", "-pk")


@router.get(
    "/persons/{reference}",
    response={200: PersonOut, **READ_ERRORS},
    summary="One person (the read is audited)",
)
def person_detail(request: HttpRequest, reference: str):
    person = access.get_person_for_user(request.user, reference)
    services.view_person(person, actor=request.user, request=request)
    return person


@router.post(
    "/persons",
    response={201: PersonOut, **WRITE_ERRORS},
    summary="Register a person (owned by your agency)",
)
def person_register(request: HttpRequest, payload: PersonIn):
    person = services.register_person(
        actor=request.user, request=request, **payload.model_dump(exclude_unset=True)
    )
    return Status(201, person)


@router.patch(
    "/persons/{reference}",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="Change a person; 409 if it changed since you read it",
)
def person_update(request: HttpRequest, reference: str, payload: PersonPatch):
    person = access.get_person_for_user(request.user, reference, for_change=True)
    services.update_person(
        person,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        **payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return person
