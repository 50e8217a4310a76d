"""The counting rules, table by table: victims are persons, incidents are incidents.

The seeds tell of an incident with 70 victims logged as "one case"; these tests pin down
what Corridor counts instead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.accounts.models import Role
from corridor.core.testing import AgencyFactory, CaseFactory, PersonFactory, UserFactory
from corridor.incidents import counting
from corridor.incidents.counting import HIDDEN, SUPPRESSED, AgeGroup, Counts, RouteCount
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg
from corridor.linkage.models import PersonLink
from corridor.people.models import Person

VICTIM = IncidentVictim.Role.VICTIM
SMUGGLED = IncidentVictim.Role.SMUGGLED_MIGRANT


def incident(agency, title="Incident", **fields) -> Incident:
    return Incident.objects.create(owner_agency=agency, title=title, **fields)


def involve(incident: Incident, *persons: Person, role: str = VICTIM) -> None:
    IncidentVictim.objects.bulk_create(
        IncidentVictim(incident=incident, person=p, role=role) for p in persons
    )


def persons(agency, n: int, **fields) -> list[Person]:
    return [PersonFactory(owner_agency=agency, **fields) for _ in range(n)]


# --- victims, incidents, smuggled migrants --------------------------------------------------

# Each scenario: incidents as {name: [(person, role), ...]}, persons named by letters, and
# the expected (incidents, victims, smuggled migrants).
SCENARIOS = [
    pytest.param(
        {"boat": [(f"p{i}", VICTIM) for i in range(70)]},
        (1, 70, 0),
        id="one incident with 70 victims is 70 victims and 1 incident",
    ),
    pytest.param(
        {"recruitment": [("joy", VICTIM)], "exploitation": [("joy", VICTIM)]},
        (2, 1, 0),
        id="the same person in two incidents is 1 victim and 2 incidents",
    ),
    pytest.param(
        {"a": [("joy", VICTIM), ("ada", VICTIM)], "b": [("joy", VICTIM), ("efe", VICTIM)]},
        (2, 3, 0),
        id="two incidents sharing one of their victims are 3 victims",
    ),
    pytest.param(
        {"raid": []},
        (1, 0, 0),
        id="an incident with no person recorded yet is still an incident",
    ),
    pytest.param(
        {"crossing": [("joy", VICTIM), ("ali", SMUGGLED), ("omar", SMUGGLED)]},
        (1, 1, 2),
        id="smuggled migrants are counted apart from victims",
    ),
    pytest.param(
        {"crossing": [("joy", SMUGGLED)], "exploitation": [("joy", VICTIM)]},
        (2, 1, 0),
        id="a smuggled migrant later exploited counts once, as a victim",
    ),
    pytest.param(
        {"a": [("ali", SMUGGLED)], "b": [("ali", SMUGGLED)]},
        (2, 0, 1),
        id="a smuggled migrant in two incidents is one smuggled migrant",
    ),
]


@pytest.mark.parametrize(("incidents", "expected"), SCENARIOS)
def test_counting_rules(world, incidents, expected):
    people: dict[str, Person] = {}
    for name, links in incidents.items():
        record = incident(world.police, title=name)
        for key, role in links:
            if key not in people:
                people[key] = PersonFactory(owner_agency=world.police)
            involve(record, people[key], role=role)
    counts = counting.count(Incident.objects.all())
    assert (counts.incidents, counts.victims, counts.smuggled_migrants) == expected
    assert counting.count_incidents(Incident.objects.all()) == expected[0]
    assert counting.count_victims(Incident.objects.all()) == expected[1]
    assert counting.count_smuggled_migrants(Incident.objects.all()) == expected[2]


def test_only_the_incidents_given_are_counted(world):
    boat, other = incident(world.police, "boat"), incident(world.police, "other")
    involve(boat, *persons(world.police, 5))
    involve(other, *persons(world.police, 3))
    counts = counting.count(Incident.objects.filter(pk=boat.pk))
    assert (counts.incidents, counts.victims) == (1, 5)


def test_cases_are_protection_cases_of_the_persons_involved(world):
    """70 victims of whom 3 have a protection case: 70 victims, 3 cases, 1 incident."""
    boat = incident(world.police, "boat")
    victims = persons(world.police, 70)
    involve(boat, *victims)
    for person in victims[:3]:
        CaseFactory(person=person, owner_agency=world.police)
    counts = counting.count(Incident.objects.all())
    assert (counts.victims, counts.cases, counts.incidents) == (70, 3, 1)
    # the same person in a second incident brings no second case
    second = incident(world.police, "second")
    involve(second, victims[0])
    assert counting.count_cases(Incident.objects.all()) == 3


# --- forms of exploitation ------------------------------------------------------------------


def test_a_victim_counts_once_per_form_and_the_forms_may_exceed_the_victims(world):
    joy, ada, efe = persons(world.police, 3)
    bar = incident(world.police, "bar", forms_of_exploitation=["sexual", "forced_labour"])
    street = incident(world.police, "street", forms_of_exploitation=["sexual"])
    unknown = incident(world.police, "not yet known")
    involve(bar, joy, ada)
    involve(street, joy)  # joy: sexual exploitation twice is counted once
    involve(unknown, efe)
    forms = counting.victims_by_exploitation(Incident.objects.all())
    assert forms == {"forced_labour": 2, "sexual": 2, "unknown": 1}
    assert sum(forms.values()) == 5 > counting.count_victims(Incident.objects.all()) == 3


def test_smuggled_migrants_are_not_in_the_forms_of_exploitation(world):
    boat = incident(world.police, "boat", forms_of_exploitation=["forced_labour"])
    involve(boat, *persons(world.police, 2), role=SMUGGLED)
    involve(boat, *persons(world.police, 1))
    assert counting.victims_by_exploitation(Incident.objects.all()) == {"forced_labour": 1}


# --- age groups -----------------------------------------------------------------------------

ON = date(2024, 3, 1)
REGISTERED = date(2024, 3, 1)

AGES = [
    pytest.param({"date_of_birth": date(2010, 1, 1)}, AgeGroup.CHILD, id="born 2010: child"),
    pytest.param({"date_of_birth": date(1990, 1, 1)}, AgeGroup.ADULT, id="born 1990: adult"),
    pytest.param({"date_of_birth": date(2006, 3, 1)}, AgeGroup.ADULT, id="18 on the day: adult"),
    pytest.param({"date_of_birth": date(2006, 3, 2)}, AgeGroup.CHILD, id="18 the day after: child"),
    pytest.param({"est": (24, 28)}, AgeGroup.ADULT, id="estimated 24-28: adult"),
    pytest.param({"est": (14, 16)}, AgeGroup.CHILD, id="estimated 14-16: child"),
    pytest.param({"est": (16, 19)}, AgeGroup.UNKNOWN, id="estimated 16-19 straddles 18: unknown"),
    pytest.param({"est": (16, None)}, AgeGroup.UNKNOWN, id="at least 16: unknown"),
    pytest.param({"est": (None, 15)}, AgeGroup.CHILD, id="at most 15: child"),
    pytest.param({}, AgeGroup.UNKNOWN, id="no age at all: unknown, not presumed a child"),
    pytest.param(
        {"date_of_birth": date(1990, 1, 1), "age_disputed": True},
        AgeGroup.UNKNOWN,
        id="disputed age: unknown, not presumed a child",
    ),
    pytest.param(
        {"est": (19, 22), "registered": date(2025, 6, 1), "on": date(2021, 6, 1)},
        AgeGroup.UNKNOWN,
        id="estimated 19-22 in 2025 was 15-18 at a 2021 incident: unknown",
    ),
    pytest.param(
        {"est": (25, 30), "registered": date(2025, 6, 1), "on": date(2021, 6, 1)},
        AgeGroup.ADULT,
        id="estimated 25-30 in 2025 was 21-26 at a 2021 incident: adult",
    ),
    pytest.param(
        {"est": (18, 19), "registered": date(2025, 6, 1), "on": date(2023, 6, 1)},
        AgeGroup.CHILD,
        id="estimated 18-19 in 2025 was 16-17 two years before: child",
    ),
]


@pytest.mark.parametrize(("person", "expected"), AGES)
def test_age_groups(person, expected):
    lo, hi = person.get("est", (None, None))
    group = counting.age_group(
        on=person.get("on", ON),
        date_of_birth=person.get("date_of_birth"),
        age_estimate_min=lo,
        age_estimate_max=hi,
        age_disputed=person.get("age_disputed", False),
        registered_on=person.get("registered", REGISTERED),
    )
    assert group == expected


def test_an_unknown_age_is_protected_as_a_child_but_counted_as_unknown(world):
    boat = incident(world.police, "boat", start_date=date(2024, 1, 10))
    nobody_knows = PersonFactory(
        owner_agency=world.police, age_estimate_min=None, age_estimate_max=None
    )
    assert nobody_knows.presumed_minor  # the protection rule
    child = PersonFactory(owner_agency=world.police, date_of_birth=date(2009, 5, 1))
    adult = PersonFactory(owner_agency=world.police, date_of_birth=date(1995, 5, 1))
    involve(boat, nobody_knows, child, adult)
    assert counting.victims_by_age_group(Incident.objects.all()) == {
        "child": 1,
        "adult": 1,
        "unknown": 1,
    }


def test_age_is_taken_at_the_start_of_the_victims_first_incident(world):
    """Born in May 2006: a child when recruited in 2023, an adult when found in 2025."""
    person = PersonFactory(owner_agency=world.police, date_of_birth=date(2006, 5, 1))
    recruited = incident(world.police, "recruited", start_date=date(2023, 9, 1))
    found = incident(world.police, "found", start_date=date(2025, 2, 1))
    involve(recruited, person)
    involve(found, person)
    assert counting.victims_by_age_group(Incident.objects.all())["child"] == 1
    assert counting.victims_by_age_group(Incident.objects.filter(pk=found.pk))["adult"] == 1
    # no start date at all: the age today
    undated = incident(world.police, "undated")
    involve(undated, person)
    today = date(2030, 1, 1)
    by_age = counting.victims_by_age_group(Incident.objects.filter(pk=undated.pk), today=today)
    assert by_age["adult"] == 1


# --- sex, nationality, route ----------------------------------------------------------------


def test_sex_and_nationality_count_each_victim_once(world):
    a, b = incident(world.police, "a"), incident(world.police, "b")
    joy = PersonFactory(owner_agency=world.police, sex="female", nationality="NG")
    involve(a, joy)
    involve(b, joy)
    involve(a, PersonFactory(owner_agency=world.police, sex="male", nationality=""))
    involve(b, PersonFactory(owner_agency=world.police, sex="male", nationality="ER"))
    counts = counting.count(Incident.objects.all())
    assert counts.by_sex == {"female": 1, "male": 2, "other": 0, "unknown": 0}
    assert counts.by_nationality == {"ER": 1, "NG": 1, "unknown": 1}


def test_a_woman_registered_by_the_police_and_by_a_shelter_is_one_victim_once_linked(world):
    """Rule 8: before the coordinator links the two records she is two victims; after, one,
    described by the first record, in each form and route once."""
    raid = incident(world.police, "raid", forms_of_exploitation=["sexual"])
    shelter_intake = incident(world.shelter, "intake", forms_of_exploitation=["sexual"])
    leg(raid, 1, "NG", "LY")
    leg(shelter_intake, 1, "NG", "LY")
    police_record = PersonFactory(owner_agency=world.police, sex="female", nationality="NG")
    shelter_record = PersonFactory(owner_agency=world.shelter, sex="unknown", nationality="")
    involve(raid, police_record)
    involve(shelter_intake, shelter_record)
    before = counting.count(Incident.objects.all())
    assert before.victims == 2 and before.by_exploitation == {"sexual": 2}
    first = min(police_record.pk, shelter_record.pk)
    PersonLink.objects.bulk_create(
        PersonLink(person=p, identity=first) for p in (police_record, shelter_record)
    )
    after = counting.count(Incident.objects.all())
    assert after.victims == 1 == counting.count_victims(Incident.objects.all())
    assert after.by_exploitation == {"sexual": 1}
    assert [(r.incidents, r.victims) for r in after.by_route] == [(2, 1)]
    described = Person.objects.get(pk=first)
    assert after.by_sex[described.sex] == 1 and sum(after.by_sex.values()) == 1
    assert after.cases == before.cases  # each record's protection case is still a case


def leg(record, order, origin, destination, mode="land"):
    RouteLeg.objects.create(
        incident=record, order=order, from_country=origin, to_country=destination, mode=mode
    )


def test_routes_count_incidents_once_and_their_victims_as_persons(world):
    central = incident(world.police, "central Mediterranean")
    leg(central, 1, "NE", "LY")
    leg(central, 2, "LY", "LY")  # Sebha → Tripoli stays in Libya: Libya once
    leg(central, 3, "LY", "IT", "sea")
    again = incident(world.police, "same route")
    leg(again, 1, "NE", "LY")
    leg(again, 2, "LY", "IT", "sea")
    western = incident(world.police, "western")
    leg(western, 1, "MA", "ES", "sea")
    unknown_route = incident(world.police, "route unknown")
    joy = PersonFactory(owner_agency=world.police)
    involve(central, joy, *persons(world.police, 2))
    involve(again, joy)
    involve(western, *persons(world.police, 4))
    involve(unknown_route, *persons(world.police, 1))

    counts = counting.count(Incident.objects.all())
    assert counts.by_route == [
        RouteCount(("NE", "LY", "IT"), incidents=2, victims=3),
        RouteCount(("MA", "ES"), incidents=1, victims=4),
        RouteCount((), incidents=1, victims=1),
    ]
    assert counts.by_route[0].label == "NE → LY → IT"
    assert sum(r.incidents for r in counts.by_route) == counts.incidents == 4
    by_country = {c.country: (c.incidents, c.victims) for c in counts.by_country}
    assert by_country == {"NE": (2, 3), "LY": (2, 3), "IT": (2, 3), "MA": (1, 4), "ES": (1, 4)}


# --- suppression ----------------------------------------------------------------------------


def counts(**cells) -> Counts:
    base = {"incidents": 0, "victims": 0, "smuggled_migrants": 0, "cases": 0}
    return Counts(**{**base, **cells})


SUPPRESSION = [
    pytest.param(
        counts(incidents=1, victims=70),
        {"incidents": SUPPRESSED, "victims": 70},
        id="1 incident is hidden, 70 victims shown",
    ),
    pytest.param(
        counts(incidents=10, victims=9),
        {"incidents": 10, "victims": SUPPRESSED},
        id="10 is shown, 9 is hidden",
    ),
    pytest.param(
        counts(incidents=0, victims=0),
        {"incidents": 0, "victims": 0},
        id="nothing is nothing",
    ),
    pytest.param(
        counts(victims=40, by_sex={"female": 25, "male": 12, "other": 0, "unknown": 3}),
        {"by_sex": {"female": 25, "male": HIDDEN, "other": 0, "unknown": SUPPRESSED}},
        id="one small cell and a total: the next smallest is hidden too, never called <10",
    ),
    pytest.param(
        counts(victims=40, by_sex={"female": 24, "male": 12, "other": 2, "unknown": 2}),
        {"by_sex": {"female": 24, "male": 12, "other": SUPPRESSED, "unknown": SUPPRESSED}},
        id="two small cells protect each other",
    ),
    pytest.param(
        counts(victims=5, by_sex={"female": 4, "male": 1, "other": 0, "unknown": 0}),
        {"victims": SUPPRESSED, "by_sex": {"female": SUPPRESSED, "male": SUPPRESSED}},
        id="a hidden total hides every cell under it",
    ),
    pytest.param(
        counts(victims=30, by_exploitation={"sexual": 25, "forced_labour": 3}),
        {"by_exploitation": {"sexual": 25, "forced_labour": SUPPRESSED}},
        id="forms overlap: no total to subtract from",
    ),
    pytest.param(
        counts(incidents=14, by_route=[RouteCount(("NE", "LY"), 12, 40), RouteCount((), 2, 2)]),
        {
            "by_route": [
                RouteCount(("NE", "LY"), HIDDEN, 40),
                RouteCount((), SUPPRESSED, SUPPRESSED),
            ]
        },
        id="routes add up to the incidents",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), SUPPRESSION)
def test_suppression_of_small_counts(raw, expected):
    shown = counting.suppress(raw)
    assert shown.suppressed
    for name, value in expected.items():
        actual = getattr(shown, name)
        if isinstance(value, dict):
            actual = {k: actual[k] for k in value}
        assert actual == value, name


# --- who counts what ------------------------------------------------------------------------


@pytest.fixture
def national_picture(world):
    """Palermo police: a boat with 12 victims (11 women, 1 man); Catania: 3 of unknown sex."""
    boat = incident(world.police, "boat", forms_of_exploitation=["sexual"])
    involve(boat, *persons(world.police, 11, sex="female"))
    involve(boat, *persons(world.police, 1, sex="male"))
    catania = AgencyFactory(name="Polizia Catania")
    other = incident(catania, "Catania")
    involve(other, *persons(catania, 3, sex="unknown"))
    return boat, other


def test_an_analyst_sees_national_counts_with_small_cells_suppressed(world, national_picture):
    counts = counting.count_for(world.users.analyst)
    assert counts.suppressed
    assert counts.victims == 15
    assert counts.incidents == SUPPRESSED  # 2
    assert counts.by_sex == {"female": 11, "male": SUPPRESSED, "other": 0, "unknown": SUPPRESSED}
    assert counts.by_exploitation == {"sexual": 12, "unknown": SUPPRESSED}


def test_operational_users_count_what_they_see_exactly(world, national_picture):
    counts = counting.count_for(world.users.responder)
    assert not counts.suppressed
    assert (counts.incidents, counts.victims, counts.by_sex["male"]) == (1, 12, 1)
    # coordinators, investigators and prosecutors of the country see both incidents
    for user in (world.users.coordinator, world.users.investigator, world.users.prosecutor):
        assert counting.count_for(user).incidents == 2
    # an agency of another country sees none of them
    assert counting.count_for(world.users.foreign_responder).incidents == 0


def test_filters_apply_to_the_counts(world, national_picture):
    assert counting.count_for(world.users.coordinator, exploitation="sexual").victims == 12
    with pytest.raises(ValidationError) as error:
        counting.count_for(world.users.coordinator, nationality="NG")
    assert "nationality" in error.value.message_dict


def test_a_user_without_a_role_may_not_count(world):
    nobody = UserFactory(agency=world.police, roles=[])
    with pytest.raises(PermissionDenied):
        counting.count_for(nobody)
    assert counting.count_for(UserFactory(agency=world.nrm, roles=[Role.ADMINISTRATOR])).suppressed


def test_registration_time_moves_an_estimate_back_to_the_incident(world):
    """Registered in June 2025 as 19-22; the incident started in June 2021: 15-18, unknown."""
    person = PersonFactory(
        owner_agency=world.police,
        age_estimate_min=19,
        age_estimate_max=22,
        created_at=datetime(2025, 6, 1, 12, tzinfo=UTC),
    )
    old = incident(world.police, "old", start_date=date(2021, 6, 1))
    involve(old, person)
    assert counting.victims_by_age_group(Incident.objects.all())["unknown"] == 1
