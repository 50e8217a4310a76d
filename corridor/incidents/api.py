"""API: incidents and the counting rules. Reading an incident is audited; an edit needs the
version that was read. Persons appear by reference only, and only those the token's user may
see; the others are counted (`persons_not_in_your_records`).

The counting rules (`/statistics/counts`) are those of `corridor.incidents.counting`:
victims are distinct persons, incidents are incidents; analysts get aggregates with counts
from 1 to 9 shown as "<10".
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.accounts import access
from corridor.accounts.api import AgencyRef
from corridor.api import READ_ERRORS, WRITE_ERRORS, ErrorOut, Pagination, one_of
from corridor.incidents import counting, services
from corridor.incidents.models import (
    LOCALITY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Incident,
    IncidentEvent,
    IncidentSuspect,
    IncidentVictim,
    MeansOfControl,
    Place,
    RecruiterRelation,
    RouteLeg,
    Suspect,
)
from corridor.vocabularies import Exploitation, Sex

router = Router(tags=["incidents"])
# Sent with a list whose search looked at the newest incidents only: how many it looked at.
SEARCH_LIMITED_HEADER = "X-Corridor-Search-Limited"

Day = date  # for fields named `date`, which would shadow the type in their class body

Role = IncidentVictim.Role


def _codes(choices) -> str:
    return ", ".join(choices.values)


# --- schemas --------------------------------------------------------------------------------


class IncidentPersonOut(Schema):
    person_reference: str
    role: str = Field(description="One of: " + _codes(Role) + ".")
    notes: str

    @staticmethod
    def resolve_person_reference(link: IncidentVictim) -> str:
        return link.person.reference


class SuspectOut(Schema):
    reference: str = Field(description="e.g. SU-1A2B3C4D.")
    names: str
    aliases: str
    sex: str = Field(description="One of: " + _codes(Sex) + ".")
    nationality: str = Field(description="ISO 3166-1 alpha-2, or ''.")
    network_role: str = Field(description="One of: " + _codes(Suspect.NetworkRole) + ".")


class IncidentSuspectOut(SuspectOut):
    notes: str

    @staticmethod
    def resolve_reference(link: IncidentSuspect) -> str:
        return link.suspect.reference

    @staticmethod
    def resolve_names(link: IncidentSuspect) -> str:
        return link.suspect.names

    @staticmethod
    def resolve_aliases(link: IncidentSuspect) -> str:
        return link.suspect.aliases

    @staticmethod
    def resolve_sex(link: IncidentSuspect) -> str:
        return link.suspect.sex

    @staticmethod
    def resolve_nationality(link: IncidentSuspect) -> str:
        return link.suspect.nationality

    @staticmethod
    def resolve_network_role(link: IncidentSuspect) -> str:
        return link.suspect.network_role


class RouteLegOut(Schema):
    order: int = Field(description="1 for the first leg of the journey.")
    from_country: str
    from_locality: str
    to_country: str
    to_locality: str
    mode: str = Field(description="One of: " + _codes(RouteLeg.Mode) + ".")
    departed_on: date | None
    arrived_on: date | None
    smuggler_involved: bool


class PlaceOut(Schema):
    id: int = Field(description="Give it as an event's `place`.")
    kind: str = Field(description="One of: " + _codes(Place.Kind) + ".")
    country: str
    locality: str
    latitude: Decimal | None
    longitude: Decimal | None


class EventOut(Schema):
    kind: str = Field(description="One of: " + _codes(IncidentEvent.Kind) + ".")
    date: Day | None
    place: int | None = Field(description="The id of one of the incident's places.")
    description: str

    @staticmethod
    def resolve_place(event: IncidentEvent) -> int | None:
        return event.place_id


class IncidentSummaryOut(Schema):
    reference: str = Field(description="e.g. I-1A2B3C4D.")
    owner_agency: AgencyRef
    title: str
    start_date: date | None = Field(description="null when unknown.")
    end_date: date | None = Field(description="null when unknown.")
    forms_of_exploitation: list[str] = Field(
        description="HTCDS vic_TypeOfExploitation: " + _codes(Exploitation) + "."
    )
    means_of_control: list[str] = Field(
        description="HTCDS vic_MethodsOfControl*: " + _codes(MeansOfControl) + "."
    )
    recruiter_relation: str = Field(description="One of: " + _codes(RecruiterRelation) + ".")
    victim_count: int = Field(description="Persons recorded as victims of trafficking.")
    smuggled_migrant_count: int = Field(description="Persons recorded as smuggled migrants.")
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Send it back with a change (optimistic locking).")

    @staticmethod
    def resolve_victim_count(incident: Incident) -> int:
        return incident.n_victims

    @staticmethod
    def resolve_smuggled_migrant_count(incident: Incident) -> int:
        return incident.n_migrants


class IncidentOut(IncidentSummaryOut):
    summary: str
    persons: list[IncidentPersonOut] = Field(
        description="The victims and smuggled migrants whose records you may see."
    )
    persons_not_in_your_records: int = Field(
        description="The others: counted, never named or referenced."
    )
    suspects: list[IncidentSuspectOut]
    route: list[str] = Field(
        description='The stops in order, e.g. ["Agadez (NE)", "Sebha (LY)"]; "…" marks a gap.'
    )
    route_legs: list[RouteLegOut]
    places: list[PlaceOut]
    events: list[EventOut]


class IncidentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=TITLE_MAX_LENGTH, description="Shown in lists: no names.")
    summary: str = ""
    start_date: date | None = None
    end_date: date | None = None
    forms_of_exploitation: list[one_of(Exploitation)] = []
    means_of_control: list[one_of(MeansOfControl)] = []
    recruiter_relation: one_of(RecruiterRelation) = RecruiterRelation.UNKNOWN.value


class IncidentPatch(Schema):
    """Only the fields sent are changed. `version` is the one read with the incident."""

    model_config = ConfigDict(extra="forbid")

    version: int
    title: str = Field("", max_length=TITLE_MAX_LENGTH)
    summary: str = ""
    start_date: date | None = None
    end_date: date | None = None
    forms_of_exploitation: list[one_of(Exploitation)] = []
    means_of_control: list[one_of(MeansOfControl)] = []
    recruiter_relation: one_of(RecruiterRelation) = RecruiterRelation.UNKNOWN.value


class VictimIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person: str = Field(description="The reference of a person whose record you may see.")
    role: one_of(Role) = Role.VICTIM.value
    notes: str = ""


class SuspectIn(Schema):
    """Either `suspect` (a known suspect's reference) or a new suspect's details."""

    model_config = ConfigDict(extra="forbid")

    suspect: str | None = Field(None, description="A suspect you may see, e.g. SU-1A2B3C4D.")
    names: str = ""
    aliases: str = ""
    sex: one_of(Sex) = Sex.UNKNOWN.value
    nationality: str = Field("", description="ISO 3166-1 alpha-2.")
    network_role: one_of(Suspect.NetworkRole) = Suspect.NetworkRole.OTHER.value
    notes: str = ""


class RouteLegIn(Schema):
    model_config = ConfigDict(extra="forbid")

    from_country: str = Field(description="ISO 3166-1 alpha-2.")
    from_locality: str = Field("", max_length=LOCALITY_MAX_LENGTH)
    to_country: str = Field(description="ISO 3166-1 alpha-2.")
    to_locality: str = Field("", max_length=LOCALITY_MAX_LENGTH)
    mode: one_of(RouteLeg.Mode)
    departed_on: date | None = None
    arrived_on: date | None = None
    smuggler_involved: bool = False


class PlaceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(Place.Kind)
    country: str = Field(description="ISO 3166-1 alpha-2.")
    locality: str = Field("", max_length=LOCALITY_MAX_LENGTH)
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class EventIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: one_of(IncidentEvent.Kind)
    date: Day | None = None
    place: int | None = Field(None, description="The id of one of the incident's places.")
    description: str = ""


class IncidentFilters(Schema):
    q: str | None = Field(
        None,
        description=(
            "A reference, or words that all appear in the title or a locality of a place or of "
            "the route (any case, with or without accents). Titles and localities are encrypted "
            f"at rest, so the words are looked for in the {services.SEARCH_SCAN_LIMIT} newest "
            "incidents that match the other filters only; the answer says so in "
            f"`search_limited` (counts) or the `{SEARCH_LIMITED_HEADER}` header (lists)."
        ),
    )
    date_from: date | None = Field(None, description="Incidents going on on or after this day.")
    date_to: date | None = Field(None, description="Incidents going on on or before this day.")
    country: str | None = Field(None, description="A country of the route or of a place.")
    exploitation: one_of(Exploitation) | None = None
    means_of_control: one_of(MeansOfControl) | None = None


Cell = int | str


class CountryCountOut(Schema):
    country: str
    incidents: Cell
    victims: Cell


class RouteCountOut(Schema):
    countries: list[str] = Field(description="In order; empty for incidents with no route.")
    incidents: Cell
    victims: Cell


class CountsOut(Schema):
    """Each count is a number, "<10" where it is from 1 to 9 and suppressed (analysts), or
    "hidden" where it was hidden so that a suppressed one cannot be worked out from the
    total (it may be of any size)."""

    incidents: Cell = Field(description="Incidents: one incident is one, whatever its victims.")
    victims: Cell = Field(description="Distinct persons recorded as victims of trafficking.")
    smuggled_migrants: Cell = Field(description="Distinct persons recorded only as smuggled.")
    cases: Cell = Field(description="Protection cases of the persons involved.")
    by_sex: dict[str, Cell]
    by_age_group: dict[str, Cell] = Field(
        description="child, adult, unknown; an unknown age is never counted as a child."
    )
    by_nationality: dict[str, Cell]
    by_exploitation: dict[str, Cell] = Field(
        description="Once per victim and form: the total may exceed the victims."
    )
    by_route: list[RouteCountOut]
    by_country: list[CountryCountOut]
    suppressed: bool = Field(description="True where counts from 1 to 9 are shown as <10.")
    search_limited: bool = Field(
        description="True where the words of `q` were looked for in the newest incidents only."
    )
    as_of: datetime | None = Field(
        None,
        description="When the instance's figures were counted (analysts: they are kept a few "
        "minutes, and counted again at once after a change); null: counted now.",
    )


# --- helpers --------------------------------------------------------------------------------


def _with_counts(incidents):
    return incidents.select_related("owner_agency").annotate(
        n_victims=Count("victim_links", filter=Q(victim_links__role=Role.VICTIM)),
        n_migrants=Count("victim_links", filter=Q(victim_links__role=Role.SMUGGLED_MIGRANT)),
    )


def _full(user, reference: str, *, for_change: bool = False) -> Incident:
    """The incident with everything IncidentOut shows; persons filtered by need-to-know."""
    incident = access.get_incident_for_user(user, reference, for_change=for_change)
    incident = (
        _with_counts(Incident.objects.filter(pk=incident.pk))
        .prefetch_related(
            Prefetch("route_legs", queryset=RouteLeg.objects.order_by("order")),
            Prefetch("suspect_links", queryset=IncidentSuspect.objects.select_related("suspect")),
            "places",
            "events",
        )
        .get()
    )
    links = list(incident.victim_links.all())
    visible = set(
        access.persons_visible_to(user)
        .filter(pk__in=[link.person_id for link in links])
        .values_list("pk", flat=True)
    )
    shown = IncidentVictim.objects.filter(incident=incident, person_id__in=visible)
    incident.persons = list(shown.select_related("person").order_by("added_at", "pk"))
    incident.persons_not_in_your_records = len(links) - len(incident.persons)
    incident.suspects = list(incident.suspect_links.all())
    incident.route = services.route_stops(incident.route_legs.all())
    return incident


# --- incidents ------------------------------------------------------------------------------


@router.get(
    "/incidents",
    response={200: list[IncidentSummaryOut], 401: ErrorOut},
    summary="Incidents visible to you",
)
@paginate(Pagination)
def incident_list(request: HttpRequest, response: HttpResponse, filters: Query[IncidentFilters]):
    found = services.filter_and_search(
        access.incidents_visible_to(request.user), **filters.model_dump(exclude_none=True)
    )
    if found.limited:
        response[SEARCH_LIMITED_HEADER] = str(services.SEARCH_SCAN_LIMIT)
    return _with_counts(found.incidents).order_by("-created_at", "-pk")


@router.post(
    "/incidents",
    response={201: IncidentOut, **WRITE_ERRORS},
    summary="Record an incident (owned by your agency)",
)
def incident_create(request: HttpRequest, payload: IncidentIn):
    incident = services.record_incident(
        actor=request.user, request=request, **payload.model_dump(exclude_unset=True)
    )
    return Status(201, _full(request.user, incident.reference))


@router.get(
    "/incidents/{reference}",
    response={200: IncidentOut, **READ_ERRORS},
    summary="One incident (the read is audited)",
)
def incident_detail(request: HttpRequest, reference: str):
    incident = _full(request.user, reference)
    services.view_incident(incident, actor=request.user, request=request)
    return incident


@router.patch(
    "/incidents/{reference}",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="Change an incident; 409 if it changed since you read it",
)
def incident_update(request: HttpRequest, reference: str, payload: IncidentPatch):
    incident = access.get_incident_for_user(request.user, reference, for_change=True)
    services.update_incident(
        incident,
        actor=request.user,
        request=request,
        expected_version=payload.version,
        **payload.model_dump(exclude_unset=True, exclude={"version"}),
    )
    return _full(request.user, reference)


# --- what the incident is made of -----------------------------------------------------------


def _for_change(request: HttpRequest, reference: str) -> Incident:
    return access.get_incident_for_user(request.user, reference, for_change=True)


@router.post(
    "/incidents/{reference}/victims",
    response={201: IncidentPersonOut, **WRITE_ERRORS},
    summary="Add a person you may see as a victim or smuggled migrant",
)
def victim_add(request: HttpRequest, reference: str, payload: VictimIn):
    link = services.add_victim(
        _for_change(request, reference), actor=request.user, request=request, **payload.model_dump()
    )
    return Status(201, link)


@router.delete(
    "/incidents/{reference}/victims/{person}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a person from the incident",
)
def victim_remove(request: HttpRequest, reference: str, person: str):
    services.remove_victim(
        _for_change(request, reference), actor=request.user, request=request, person=person
    )
    return Status(204, None)


@router.post(
    "/incidents/{reference}/suspects",
    response={201: IncidentSuspectOut, **WRITE_ERRORS},
    summary="Link a known suspect, or record a new one, to the incident",
)
def suspect_add(request: HttpRequest, reference: str, payload: SuspectIn):
    fields = payload.model_dump(exclude_unset=True)
    link = services.add_suspect(
        _for_change(request, reference), actor=request.user, request=request, **fields
    )
    return Status(201, link)


@router.post(
    "/incidents/{reference}/route-legs",
    response={201: RouteLegOut, **WRITE_ERRORS},
    summary="Append a leg to the incident's route",
)
def route_leg_add(request: HttpRequest, reference: str, payload: RouteLegIn):
    leg = services.add_route_leg(
        _for_change(request, reference), actor=request.user, request=request, **payload.model_dump()
    )
    return Status(201, leg)


@router.post(
    "/incidents/{reference}/places",
    response={201: PlaceOut, **WRITE_ERRORS},
    summary="Add a place of recruitment, transit, exploitation or destination",
)
def place_add(request: HttpRequest, reference: str, payload: PlaceIn):
    place = services.add_place(
        _for_change(request, reference), actor=request.user, request=request, **payload.model_dump()
    )
    return Status(201, place)


@router.post(
    "/incidents/{reference}/events",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Add a recruitment, transport or exploitation event to the timeline",
)
def event_add(request: HttpRequest, reference: str, payload: EventIn):
    event = services.add_event(
        _for_change(request, reference), actor=request.user, request=request, **payload.model_dump()
    )
    return Status(201, event)


# --- statistics -----------------------------------------------------------------------------


@router.get(
    "/statistics/counts",
    response={200: CountsOut, 401: ErrorOut, 403: ErrorOut},
    tags=["statistics"],
    summary="Victims, incidents and cases under the counting rules",
    description=counting.__doc__,
)
def statistics_counts(request: HttpRequest, filters: Query[IncidentFilters]):
    return counting.count_for(request.user, **filters.model_dump(exclude_none=True))
