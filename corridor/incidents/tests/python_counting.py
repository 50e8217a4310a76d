"""The counting rules as first written: every victim link loaded into Python, victim by victim.

Too slow for a national instance (it reads one row per link on every request), but plain
enough to be read against the module docstring of `corridor.incidents.counting`: it is the
oracle the SQL counts are checked against (test_counting_sql.py) and the baseline of
bench/figures.py. Not used by the application.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from corridor.incidents import counting
from corridor.incidents.counting import UNKNOWN, AgeGroup, CountryCount, Counts, RouteCount
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg
from corridor.people.models import Person
from corridor.vocabularies import Exploitation, Sex


@dataclass
class _Victim:
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


def victims(incidents: QuerySet[Incident]) -> dict[int, _Victim]:
    rows = IncidentVictim.objects.filter(
        incident__in=_ids(incidents), role=IncidentVictim.Role.VICTIM
    ).values_list(
        "person_id",
        "person__link__identity",
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
    found: dict[int, _Victim] = {}
    for person_id, identity, *person, incident_id, start, forms in rows.iterator(chunk_size=5000):
        key = identity or person_id  # rule 8: records of one person are one victim
        victim = found.get(key)
        if victim is None:
            victim = found[key] = _Victim(*(person if key == person_id else _first(key)))
        victim.incidents.add(incident_id)
        if start and (victim.first_start is None or start < victim.first_start):
            victim.first_start = start
        victim.forms.update(forms or [UNKNOWN])
    return found


def _first(identity: int) -> tuple:
    """The record an identity is named after, which describes the person (rule 8)."""
    return Person.objects.values_list(
        "sex",
        "nationality",
        "date_of_birth",
        "age_estimate_min",
        "age_estimate_max",
        "age_disputed",
        "created_at",
    ).get(pk=identity)


def by_sex(found: dict[int, _Victim]) -> dict[str, int]:
    counts = dict.fromkeys(Sex.values, 0)
    for victim in found.values():
        counts[victim.sex if victim.sex in counts else Sex.UNKNOWN] += 1
    return counts


def by_age_group(found: dict[int, _Victim], today: date) -> dict[str, int]:
    counts = dict.fromkeys(AgeGroup.values, 0)
    for victim in found.values():
        group = counting.age_group(
            on=victim.first_start or today,
            date_of_birth=victim.date_of_birth,
            age_estimate_min=victim.age_estimate_min,
            age_estimate_max=victim.age_estimate_max,
            age_disputed=victim.age_disputed,
            registered_on=timezone.localdate(victim.registered_at),
        )
        counts[group] += 1
    return counts


def by_nationality(found: dict[int, _Victim]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for victim in found.values():
        counts[victim.nationality or UNKNOWN] += 1
    return _sorted(counts)


def by_exploitation(found: dict[int, _Victim]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for victim in found.values():
        for form in victim.forms:
            counts[form if form in Exploitation.values else Exploitation.OTHER] += 1
    return _sorted(counts)


def _sorted(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))


def routes(incidents: QuerySet[Incident]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {pk: [] for pk in _ids(incidents).values_list("pk", flat=True)}
    legs = (
        RouteLeg.objects.filter(incident__in=_ids(incidents))
        .order_by("incident_id", "order")
        .values_list("incident_id", "from_country", "to_country")
    )
    for incident_id, origin, destination in legs.iterator(chunk_size=5000):
        countries = found[incident_id]
        for code in (origin, destination):
            if not countries or countries[-1] != code:
                countries.append(code)
    return {pk: tuple(countries) for pk, countries in found.items()}


def route_counts(
    incident_routes: dict[int, tuple[str, ...]], found: dict[int, _Victim]
) -> tuple[list[RouteCount], list[CountryCount]]:
    victims_of: dict[int, set[int]] = defaultdict(set)
    for person_id, victim in found.items():
        for incident_id in victim.incidents:
            victims_of[incident_id].add(person_id)
    route_sets: dict[tuple[str, ...], tuple[set, set]] = defaultdict(lambda: (set(), set()))
    country_sets: dict[str, tuple[set, set]] = defaultdict(lambda: (set(), set()))
    for incident_id, countries in incident_routes.items():
        incident_set, victim_set = route_sets[countries]
        incident_set.add(incident_id)
        victim_set |= victims_of[incident_id]
        for code in set(countries):
            incident_set, victim_set = country_sets[code]
            incident_set.add(incident_id)
            victim_set |= victims_of[incident_id]
    route_rows = [RouteCount(k, len(i), len(v)) for k, (i, v) in route_sets.items()]
    country_rows = [CountryCount(k, len(i), len(v)) for k, (i, v) in country_sets.items()]
    route_rows.sort(key=lambda r: (not r.countries, -r.incidents, r.countries))
    country_rows.sort(key=lambda r: (-r.incidents, r.country))
    return route_rows, country_rows


def count(incidents: QuerySet[Incident], *, today: date | None = None) -> Counts:
    """Every rule at once, unsuppressed, as `counting.count` answers."""
    found = victims(incidents)
    route_rows, country_rows = route_counts(routes(incidents), found)
    return Counts(
        incidents=counting.count_incidents(incidents),
        victims=len(found),
        smuggled_migrants=counting.count_smuggled_migrants(incidents),
        cases=counting.count_cases(incidents),
        by_sex=by_sex(found),
        by_age_group=by_age_group(found, today or timezone.localdate()),
        by_nationality=by_nationality(found),
        by_exploitation=by_exploitation(found),
        by_route=route_rows,
        by_country=country_rows,
    )
