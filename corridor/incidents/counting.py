"""Counting rules: what "how many victims" means in Corridor, so every agency counts alike.

Agencies along the routes used to count differently: one incident with 70 victims was logged
as "one case". These rules keep persons, incidents and cases apart. They are pure functions
over a queryset of incidents (the caller decides which incidents: scoped, filtered); each
returns plain numbers or dataclasses, and `count_for` applies a user's scope and, for
analysts, the suppression of small counts.

1. **Incidents count as incidents.** One incident is 1, whatever the number of persons in it.
2. **Victims are distinct persons.** A person recorded as a victim of trafficking in any of
   the counted incidents is one victim, however many incidents they went through: one
   incident with 70 victims is 70 victims and 1 incident; the same person in two incidents
   is 1 victim and 2 incidents.
3. **Smuggled migrants are not victims.** Persons recorded only as smuggled migrants are
   counted apart (`smuggled_migrants`), as distinct persons too. A person recorded as a
   victim in one counted incident and as a smuggled migrant in another counts as a victim
   only, so victims + smuggled migrants = distinct persons involved.
4. **Cases are protection cases**, one per person and NRM path: `cases` counts the
   protection cases of every person involved in the counted incidents (victims and smuggled
   migrants). A person with no case yet adds a victim and no case.
5. **Breakdowns describe the victims** (rule 2), each victim once:
   - *sex*: as recorded on the person (female, male, other, unknown);
   - *age group*: child (under 18), adult, or unknown, at the start of the earliest counted
     incident the victim went through, or today where no incident has a start date. A date
     of birth gives the age; an estimated age range counts only when the whole range is on
     one side of 18 (it was estimated when the person was registered and is moved back by
     the years between then and the incident). A disputed age is unknown. **The
     presumption of minority is a protection rule, not a statistic: an unknown age stays
     unknown here and is never counted as a child**;
   - *nationality*: ISO 3166-1 alpha-2, or "unknown";
   - *form of exploitation*: the forms recorded on the incidents the victim went through. A
     victim counts **once per form** (twice in two incidents of sexual exploitation is
     once), but a victim exploited in several forms counts under each of them, **so the
     total of the forms may exceed the number of victims**. An incident with no form
     recorded counts its victims under "unknown".
6. **Routes** come from the incidents' route legs, as the ordered countries they pass
   through (NE → LY → IT):
   - *by route*: each incident under its one route ("" when no leg is recorded), so the
     incidents of the routes add up to the incidents counted; its victims are the distinct
     victims of those incidents (a victim of two incidents on two routes counts in both);
   - *by country*: each country with the incidents that pass through it and their distinct
     victims; an incident through three countries counts in three rows.
7. **Small counts are suppressed for analysts.** Analysts and administrators see national
   aggregates only, and every count from 1 to 9 is shown as "<10" (0 is shown). Where a
   breakdown adds up to a total that is shown (sex, age group, nationality, route) and only
   one of its cells was suppressed, the next smallest cell is suppressed too, so that the
   hidden one cannot be worked out by subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts import access
from corridor.cases.models import ProtectionCase
from corridor.incidents import services
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg
from corridor.people.models import ADULT_AGE, Person
from corridor.vocabularies import Exploitation, Sex

THRESHOLD = 10
SUPPRESSED = "<10"
UNKNOWN = "unknown"
FILTERS = ("q", "date_from", "date_to", "country", "exploitation", "means_of_control")

Cell = int | str  # a count, or SUPPRESSED


class AgeGroup(TextChoices):
    CHILD = "child", gettext_lazy("Child")
    ADULT = "adult", gettext_lazy("Adult")
    UNKNOWN = "unknown", gettext_lazy("Age unknown")


@dataclass(frozen=True)
class CountryCount:
    country: str
    incidents: Cell
    victims: Cell


@dataclass(frozen=True)
class RouteCount:
    countries: tuple[str, ...]
    incidents: Cell
    victims: Cell

    @property
    def label(self) -> str:
        return " → ".join(self.countries)


@dataclass(frozen=True)
class Counts:
    incidents: Cell
    victims: Cell
    smuggled_migrants: Cell
    cases: Cell
    by_sex: dict[str, Cell] = field(default_factory=dict)
    by_age_group: dict[str, Cell] = field(default_factory=dict)
    by_nationality: dict[str, Cell] = field(default_factory=dict)
    by_exploitation: dict[str, Cell] = field(default_factory=dict)
    by_route: list[RouteCount] = field(default_factory=list)
    by_country: list[CountryCount] = field(default_factory=list)
    suppressed: bool = False
    # The words of `q` were looked for in the newest incidents only (services.SEARCH_SCAN_LIMIT).
    search_limited: bool = False


# --- who is counted -------------------------------------------------------------------------


@dataclass
class _Victim:
    """One distinct victim, with what the breakdowns need from the incidents they are in."""

    sex: str
    nationality: str
    date_of_birth: date | None
    age_estimate_min: int | None
    age_estimate_max: int | None
    age_disputed: bool
    registered_at: datetime
    incidents: set[int] = field(default_factory=set)
    first_start: date | None = None
    forms: set[str] = field(default_factory=set)


def _ids(incidents: QuerySet[Incident]) -> QuerySet:
    return incidents.order_by().values("pk")


def _links(incidents: QuerySet[Incident], role: str | None = None) -> QuerySet[IncidentVictim]:
    links = IncidentVictim.objects.filter(incident__in=_ids(incidents))
    return links.filter(role=role) if role else links


def _victims(incidents: QuerySet[Incident]) -> dict[int, _Victim]:
    rows = _links(incidents, IncidentVictim.Role.VICTIM).values_list(
        "person_id",
        "person__sex",
        "person__nationality",
        "person__date_of_birth",
        "person__age_estimate_min",
        "person__age_estimate_max",
        "person__age_disputed",
        "person__created_at",
        "incident_id",
        "incident__start_date",
        "incident__forms_of_exploitation",
    )
    victims: dict[int, _Victim] = {}
    for person_id, *person, incident_id, start, forms in rows.iterator(chunk_size=5000):
        victim = victims.get(person_id)
        if victim is None:
            victim = victims[person_id] = _Victim(*person)
        victim.incidents.add(incident_id)
        if start and (victim.first_start is None or start < victim.first_start):
            victim.first_start = start
        victim.forms.update(forms or [UNKNOWN])
    return victims


# --- the rules ------------------------------------------------------------------------------


def count_incidents(incidents: QuerySet[Incident]) -> int:
    """Rule 1: an incident is one incident, whatever the number of persons in it."""
    return Incident.objects.filter(pk__in=_ids(incidents)).count()


def count_victims(incidents: QuerySet[Incident]) -> int:
    """Rule 2: distinct persons recorded as victims in any of the incidents."""
    return Person.objects.filter(
        pk__in=_links(incidents, IncidentVictim.Role.VICTIM).values("person_id")
    ).count()


def count_smuggled_migrants(incidents: QuerySet[Incident]) -> int:
    """Rule 3: distinct persons recorded as smuggled migrants and never as victims here."""
    return (
        Person.objects.filter(
            pk__in=_links(incidents, IncidentVictim.Role.SMUGGLED_MIGRANT).values("person_id")
        )
        .exclude(pk__in=_links(incidents, IncidentVictim.Role.VICTIM).values("person_id"))
        .count()
    )


def count_cases(incidents: QuerySet[Incident]) -> int:
    """Rule 4: the protection cases of the persons involved in the incidents."""
    return ProtectionCase.objects.filter(
        person_id__in=_links(incidents).values("person_id")
    ).count()


def age_group(
    *,
    on: date,
    date_of_birth: date | None,
    age_estimate_min: int | None,
    age_estimate_max: int | None,
    age_disputed: bool,
    registered_on: date,
) -> str:
    """Rule 5, age: child, adult or unknown on `on` — never a presumption."""
    if age_disputed:
        return AgeGroup.UNKNOWN
    if date_of_birth is not None:
        age = (
            on.year
            - date_of_birth.year
            - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
        )
        return AgeGroup.CHILD if age < ADULT_AGE else AgeGroup.ADULT
    # Whole years between the day the age was estimated and `on` (negative if `on` is later).
    shift = (
        registered_on.year
        - on.year
        - ((registered_on.month, registered_on.day) < (on.month, on.day))
    )
    if age_estimate_min is not None and age_estimate_min - shift >= ADULT_AGE:
        return AgeGroup.ADULT
    if age_estimate_max is not None and age_estimate_max - shift < ADULT_AGE:
        return AgeGroup.CHILD
    return AgeGroup.UNKNOWN


def _age_group_of(victim: _Victim, today: date) -> str:
    return age_group(
        on=victim.first_start or today,
        date_of_birth=victim.date_of_birth,
        age_estimate_min=victim.age_estimate_min,
        age_estimate_max=victim.age_estimate_max,
        age_disputed=victim.age_disputed,
        registered_on=timezone.localdate(victim.registered_at),
    )


def _by_sex(victims: dict[int, _Victim]) -> dict[str, int]:
    counts = dict.fromkeys(Sex.values, 0)
    for victim in victims.values():
        counts[victim.sex if victim.sex in counts else Sex.UNKNOWN] += 1
    return counts


def _by_age_group(victims: dict[int, _Victim], today: date) -> dict[str, int]:
    counts = dict.fromkeys(AgeGroup.values, 0)
    for victim in victims.values():
        counts[_age_group_of(victim, today)] += 1
    return counts


def _by_nationality(victims: dict[int, _Victim]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for victim in victims.values():
        counts[victim.nationality or UNKNOWN] += 1
    return _sorted(counts)


def _by_exploitation(victims: dict[int, _Victim]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for victim in victims.values():
        for form in victim.forms:
            counts[form if form in Exploitation.values else Exploitation.OTHER] += 1
    return _sorted(counts)


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    """Largest first, "unknown" last, ties by code: a stable order for pages and tests."""
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))


def victims_by_sex(incidents: QuerySet[Incident]) -> dict[str, int]:
    return _by_sex(_victims(incidents))


def victims_by_age_group(
    incidents: QuerySet[Incident], *, today: date | None = None
) -> dict[str, int]:
    return _by_age_group(_victims(incidents), today or timezone.localdate())


def victims_by_nationality(incidents: QuerySet[Incident]) -> dict[str, int]:
    return _by_nationality(_victims(incidents))


def victims_by_exploitation(incidents: QuerySet[Incident]) -> dict[str, int]:
    """Rule 5, forms: once per victim and form; the total may exceed the victims."""
    return _by_exploitation(_victims(incidents))


def _routes(incidents: QuerySet[Incident]) -> dict[int, tuple[str, ...]]:
    routes: dict[int, list[str]] = {pk: [] for pk in _ids(incidents).values_list("pk", flat=True)}
    legs = (
        RouteLeg.objects.filter(incident__in=_ids(incidents))
        .order_by("incident_id", "order")
        .values_list("incident_id", "from_country", "to_country")
    )
    for incident_id, origin, destination in legs.iterator(chunk_size=5000):
        countries = routes[incident_id]
        for code in (origin, destination):
            if not countries or countries[-1] != code:
                countries.append(code)
    return {pk: tuple(countries) for pk, countries in routes.items()}


def _route_counts(
    routes: dict[int, tuple[str, ...]], victims: dict[int, _Victim]
) -> tuple[list[RouteCount], list[CountryCount]]:
    victims_of: dict[int, set[int]] = defaultdict(set)
    for person_id, victim in victims.items():
        for incident_id in victim.incidents:
            victims_of[incident_id].add(person_id)
    by_route: dict[tuple[str, ...], tuple[set, set]] = defaultdict(lambda: (set(), set()))
    by_country: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for incident_id, countries in routes.items():
        incident_set, victim_set = by_route[countries]
        incident_set.add(incident_id)
        victim_set |= victims_of[incident_id]
        for code in set(countries):
            incident_set, victim_set = by_country[code]
            incident_set.add(incident_id)
            victim_set |= victims_of[incident_id]
    route_rows = [RouteCount(k, len(i), len(v)) for k, (i, v) in by_route.items()]
    country_rows = [CountryCount(k, len(i), len(v)) for k, (i, v) in by_country.items()]
    route_rows.sort(key=lambda r: (not r.countries, -r.incidents, r.countries))
    country_rows.sort(key=lambda r: (-r.incidents, r.country))
    return route_rows, country_rows


def incidents_by_route(incidents: QuerySet[Incident]) -> list[RouteCount]:
    return _route_counts(_routes(incidents), _victims(incidents))[0]


def incidents_by_country(incidents: QuerySet[Incident]) -> list[CountryCount]:
    return _route_counts(_routes(incidents), _victims(incidents))[1]


def count(incidents: QuerySet[Incident], *, today: date | None = None) -> Counts:
    """Every rule at once over these incidents, unsuppressed."""
    victims = _victims(incidents)
    by_route, by_country = _route_counts(_routes(incidents), victims)
    return Counts(
        incidents=count_incidents(incidents),
        victims=len(victims),
        smuggled_migrants=count_smuggled_migrants(incidents),
        cases=count_cases(incidents),
        by_sex=_by_sex(victims),
        by_age_group=_by_age_group(victims, today or timezone.localdate()),
        by_nationality=_by_nationality(victims),
        by_exploitation=_by_exploitation(victims),
        by_route=by_route,
        by_country=by_country,
    )


# --- suppression ----------------------------------------------------------------------------


def _cell(n: Cell) -> Cell:
    return SUPPRESSED if isinstance(n, int) and 0 < n < THRESHOLD else n


def _partition(cells: list[Cell], total: Cell) -> list[Cell]:
    """Suppress small cells; if exactly one is hidden while the total shows, hide another."""
    out = [_cell(n) for n in cells]
    hidden = [i for i, n in enumerate(out) if n == SUPPRESSED]
    if total != SUPPRESSED and len(hidden) == 1:
        shown = [i for i, n in enumerate(out) if isinstance(n, int) and n > 0]
        if shown:
            out[min(shown, key=lambda i: out[i])] = SUPPRESSED
    return out


def _partition_dict(cells: dict[str, Cell], total: Cell) -> dict[str, Cell]:
    return dict(zip(cells, _partition(list(cells.values()), total), strict=True))


def suppress(counts: Counts) -> Counts:
    """Rule 7: the same counts as an analyst may see them."""
    incidents, victims = _cell(counts.incidents), _cell(counts.victims)
    route_incidents = _partition([r.incidents for r in counts.by_route], incidents)
    return replace(
        counts,
        incidents=incidents,
        victims=victims,
        smuggled_migrants=_cell(counts.smuggled_migrants),
        cases=_cell(counts.cases),
        by_sex=_partition_dict(counts.by_sex, victims),
        by_age_group=_partition_dict(counts.by_age_group, victims),
        by_nationality=_partition_dict(counts.by_nationality, victims),
        by_exploitation={k: _cell(v) for k, v in counts.by_exploitation.items()},
        by_route=[
            replace(r, incidents=n, victims=_cell(r.victims))
            for r, n in zip(counts.by_route, route_incidents, strict=True)
        ],
        by_country=[
            replace(c, incidents=_cell(c.incidents), victims=_cell(c.victims))
            for c in counts.by_country
        ],
        suppressed=True,
    )


# --- scoped ---------------------------------------------------------------------------------


def may_count(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.has_role(*access.OPERATIONAL_ROLES) or access.can_see_statistics(user))
    )


def count_for(user, *, today: date | None = None, **filters) -> Counts:
    """The counts a user may see, over the incidents matching `filters` (see
    `services.filter_incidents`).

    Operational roles count the incidents they may see, exactly. Analysts and administrators
    count every incident of the instance, aggregated and suppressed (rule 7). Anyone else
    may not count.
    """
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValidationError({name: _("Unknown filter.") for name in sorted(unknown)})
    if user and user.is_authenticated and user.has_role(*access.OPERATIONAL_ROLES):
        incidents, suppressed = access.incidents_visible_to(user), False
    elif access.can_see_statistics(user):
        incidents, suppressed = Incident.objects.all(), True
    else:
        raise PermissionDenied(_("Your role does not see incident statistics."))
    found = services.filter_and_search(incidents, **filters)
    counts = replace(count(found.incidents, today=today), search_limited=found.limited)
    return suppress(counts) if suppressed else counts
