"""The counts the database computes are the counts of the rules, victim by victim.

A few hundred random incidents and persons (seeded), counted twice: by `counting.count`, in
grouped SQL, and by `python_counting.count`, the rules as first written in Python over every
victim link. Then: the number of queries does not grow with the victims.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from corridor.accounts import access
from corridor.cases.models import ProtectionCase
from corridor.incidents import counting, services
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg
from corridor.incidents.tests import python_counting
from corridor.linkage.models import PersonLink
from corridor.people.models import Person
from corridor.vocabularies import Exploitation, Sex

VICTIM = IncidentVictim.Role.VICTIM
SMUGGLED = IncidentVictim.Role.SMUGGLED_MIGRANT
TODAY = date(2025, 2, 28)
COUNTRIES = ["NG", "NE", "LY", "IT", "TN", "ES", "MA"]
# Codes outside the list count as "other", each code once per victim (as the rules did).
FORMS = [*Exploitation.values, "weird", "older_code"]


# Days drawn from a few month/days, so that birthdays, incident starts and registrations
# often fall on the same day of the year or one day apart, leap days included: the age
# boundaries (18 on the day, an estimate moved back by whole years) are met often.
DAYS_OF_YEAR = [(2, 28), (2, 29), (3, 1), (6, 1), (6, 2)]


def random_day(rng: random.Random, years: range) -> date:
    year, (month, day) = rng.choice(years), rng.choice(DAYS_OF_YEAR)
    try:
        return date(year, month, day)
    except ValueError:  # 29 February of a common year
        return date(year, 3, 1)


def random_person(rng: random.Random, agency) -> Person:
    registered = random_day(rng, range(2019, 2026))
    fields = {
        "sex": rng.choice([*Sex.values, "", "x"]),
        "nationality": rng.choice(["NG", "ER", "", "GH", "IT", "TN"]),
        "age_disputed": rng.random() < 0.1,
        "age_estimate_min": None,
        "age_estimate_max": None,
        # around midnight, so that the day of registration depends on the time zone
        "created_at": datetime.combine(registered, datetime.min.time(), tzinfo=UTC)
        + timedelta(hours=rng.choice([-1, 0, 11, 12, 13, 23]), minutes=rng.randint(0, 59)),
    }
    kind = rng.random()
    if kind < 0.4:
        fields["date_of_birth"] = random_day(rng, range(1998, 2010))
    elif kind < 0.85:
        fields["age_estimate_min"] = rng.choice([None, *range(12, 26)])
        fields["age_estimate_max"] = rng.choice([None, *range(14, 30)])
    return Person(owner_agency=agency, **fields)


def random_incident(rng: random.Random, agency) -> Incident:
    start = rng.choice([None, random_day(rng, range(2016, 2026))])
    forms = rng.sample(FORMS, rng.choice([0, 0, 1, 1, 2, 3]))
    return Incident(
        owner_agency=agency, title="Incident", start_date=start, forms_of_exploitation=forms
    )


def random_legs(rng: random.Random, incident: Incident) -> list[RouteLeg]:
    legs, here = [], rng.choice(COUNTRIES)
    for order in range(1, rng.choice([0, 1, 2, 3, 4]) + 1):
        there = rng.choice([here, *COUNTRIES])  # a leg may stay in one country
        if rng.random() < 0.15:
            here = rng.choice(COUNTRIES)  # or start elsewhere than the last one ended
        legs.append(
            RouteLeg(
                incident=incident, order=order, from_country=here, to_country=there, mode="land"
            )
        )
        here = there
    return legs


@pytest.fixture
def random_world(world):
    rng = random.Random(20240301)
    agencies = [world.police, world.shelter, world.foreign]
    incidents = Incident.objects.bulk_create(
        random_incident(rng, rng.choice(agencies)) for _ in range(80)
    )
    persons = Person.objects.bulk_create(random_person(rng, world.police) for _ in range(400))
    RouteLeg.objects.bulk_create(leg for i in incidents for leg in random_legs(rng, i))
    links = []
    for person in persons:
        for incident in rng.sample(incidents, rng.choice([1, 1, 1, 2, 3])):
            links.append(
                IncidentVictim(
                    incident=incident,
                    person=person,
                    role=VICTIM if rng.random() < 0.8 else SMUGGLED,
                )
            )
    IncidentVictim.objects.bulk_create(links)
    # Rule 8: some persons were registered two or three times and the records linked; one
    # group's first record is in no incident at all.
    linked = rng.sample(persons[:-1], 90)
    groups = [linked[i : i + rng.choice([2, 3])] for i in range(0, 90, 3)]
    groups.append([Person.objects.create(owner_agency=world.police, sex="male"), persons[-1]])
    PersonLink.objects.bulk_create(
        PersonLink(person=p, identity=min(q.pk for q in group)) for group in groups for p in group
    )
    ProtectionCase.objects.bulk_create(
        ProtectionCase(
            person=p, owner_agency=world.police, status=ProtectionCase.Status.PRESUMED_VICTIM
        )
        for p in rng.sample(persons, 60)
    )
    return incidents


SUBSETS = [
    pytest.param(lambda: Incident.objects.all(), id="every incident"),
    pytest.param(lambda: Incident.objects.filter(start_date__year__gte=2022), id="recent"),
    pytest.param(lambda: Incident.objects.filter(start_date__isnull=True), id="undated"),
    pytest.param(lambda: Incident.objects.filter(owner_agency__country="FR"), id="one country"),
    pytest.param(lambda: Incident.objects.filter(route_legs__to_country="IT"), id="with a join"),
    pytest.param(lambda: Incident.objects.none(), id="nothing"),
]


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"])
@pytest.mark.parametrize("subset", SUBSETS)
def test_the_database_counts_as_the_rules_do(random_world, subset, zone):
    with timezone.override(zone):
        expected = python_counting.count(subset(), today=TODAY)
        actual = counting.count(subset(), today=TODAY)
    assert actual == expected
    assert counting.suppress(actual) == counting.suppress(expected)


def test_the_random_world_covers_the_rules(random_world):
    """The data set above is not trivially uniform: every group and branch is exercised."""
    counts = counting.count(Incident.objects.all(), today=TODAY)
    assert all(counts.by_age_group.values())
    assert all(counts.by_sex.values())
    assert counts.by_exploitation[Exploitation.OTHER] > 0
    assert counts.by_exploitation["unknown"] > 0
    assert counts.smuggled_migrants > 0
    assert () in [r.countries for r in counts.by_route]
    assert len(counts.by_route) > 10


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"date_from": date(2021, 1, 1), "date_to": date(2024, 12, 31)},
        {"country": "LY", "exploitation": "sexual"},
        {"q": "Incident"},
    ],
)
def test_scoped_and_filtered_counts_match_the_rules(random_world, world, filters):
    for user in (world.users.analyst, world.users.coordinator, world.users.responder):
        counts = counting.count_for(user, today=TODAY, **filters)
        if user == world.users.analyst:
            scope = Incident.objects.all()
        else:
            scope = access.incidents_visible_to(user)
        found = services.filter_and_search(scope, **filters).incidents
        expected = python_counting.count(found, today=TODAY)
        if counts.suppressed:
            expected = counting.suppress(expected)
        assert counts == expected


# --- a fixed number of queries ----------------------------------------------------------------


def national_picture(world, victims: int) -> None:
    rng = random.Random(victims)
    incidents = Incident.objects.bulk_create(
        random_incident(rng, world.police) for _ in range(max(1, victims // 5))
    )
    RouteLeg.objects.bulk_create(leg for i in incidents for leg in random_legs(rng, i))
    persons = Person.objects.bulk_create(random_person(rng, world.police) for _ in range(victims))
    IncidentVictim.objects.bulk_create(
        IncidentVictim(incident=rng.choice(incidents), person=p, role=VICTIM) for p in persons
    )


@pytest.mark.parametrize("victims", [10, 200])
def test_counting_takes_a_fixed_number_of_queries(world, victims, django_assert_max_num_queries):
    national_picture(world, victims)
    analyst = world.users.analyst
    with django_assert_max_num_queries(7):
        counts = counting.count_for(analyst)
    assert counts.victims == (victims if victims >= 10 else counting.SUPPRESSED)
    with CaptureQueriesContext(connection) as queries:
        counting.count(Incident.objects.all())
    assert len(queries) == 6
