"""Recording an incident and what it is made of: checked, atomic, audited, scoped."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from corridor.accounts import access
from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import AgencyFactory, PersonFactory
from corridor.incidents import services
from corridor.incidents.models import (
    Incident,
    IncidentSuspect,
    IncidentVictim,
    RouteLeg,
    Suspect,
)


@pytest.fixture
def boat(world):
    """Palermo police recorded a landing at Lampedusa."""
    return services.record_incident(
        actor=world.users.responder,
        title="Landing at Lampedusa",
        summary="Seventy people on a rubber boat from Zuwara; several women with debts.",
        start_date=date(2024, 3, 1),
        forms_of_exploitation=["sexual", "forced_labour"],
        means_of_control=["DebtBondage", "WithholdsDocuments"],
        recruiter_relation="recruiter_agent",
    )


def test_a_responder_records_an_incident_and_the_creation_is_audited(world, boat):
    assert boat.reference.startswith("I-") and len(boat.reference) == 10
    assert boat.owner_agency == world.police
    event = AuditEvent.objects.get(action="create", object_type="incident")
    assert event.object_ref == boat.reference
    assert "summary" in event.details["fields"]
    assert "rubber boat" not in str(event.details)  # the summary itself stays out of the trail


def test_the_summary_is_encrypted_at_rest(world, boat):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM incidents_incident WHERE id = %s", [boat.pk])
        stored = cursor.fetchone()[0]
    assert "Zuwara" not in stored
    assert Incident.objects.get(pk=boat.pk).summary.startswith("Seventy people")


BAD_INPUT = [
    pytest.param({"title": ""}, "title", id="a title is required"),
    pytest.param(
        {"title": "x", "forms_of_exploitation": ["slavery"]},
        "forms_of_exploitation",
        id="an unknown form of exploitation",
    ),
    pytest.param(
        {"title": "x", "means_of_control": ["debt_bondage"]},
        "means_of_control",
        id="means of control are HTCDS codes",
    ),
    pytest.param(
        {"title": "x", "forms_of_exploitation": "sexual"},
        "forms_of_exploitation",
        id="a list, not a string",
    ),
    pytest.param(
        {"title": "x", "start_date": date(2024, 5, 1), "end_date": date(2024, 4, 1)},
        "end_date",
        id="an end before the start",
    ),
    pytest.param(
        {"title": "x", "recruiter_relation": "uncle"}, "recruiter_relation", id="bad relation"
    ),
    pytest.param({"title": "x", "owner_agency": 3}, "owner_agency", id="an unknown field"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_INPUT)
def test_bad_input_names_the_field_and_writes_nothing(world, fields, field):
    with pytest.raises(ValidationError) as error:
        services.record_incident(actor=world.users.responder, **fields)
    assert field in error.value.message_dict
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(object_type="incident").exists()


def test_roles_that_do_not_record_incidents_are_refused(world):
    for user in (world.users.provider, world.users.analyst, world.users.admin):
        with pytest.raises(PermissionDenied):
            services.record_incident(actor=user, title="x")
    assert services.record_incident(actor=world.users.prosecutor, title="network").pk


def test_who_sees_an_incident(world, boat):
    users = world.users
    visible = {
        name
        for name in vars(users)
        if access.incidents_visible_to(getattr(users, name)).filter(pk=boat.pk).exists()
    }
    # the owning agency, and the country's coordinators, investigators and prosecutors
    assert visible == {"responder", "colleague", "investigator", "coordinator", "prosecutor"}
    for outsider in (users.provider, users.analyst, users.foreign_coordinator, users.admin):
        with pytest.raises(Http404):
            access.get_incident_for_user(outsider, boat.reference)


def test_who_changes_an_incident(world, boat):
    users = world.users
    for user in (users.responder, users.colleague, users.investigator, users.coordinator):
        assert access.get_incident_for_user(user, boat.reference, for_change=True)
    with pytest.raises(PermissionDenied):  # sees it (networks) but it is not theirs
        access.get_incident_for_user(users.prosecutor, boat.reference, for_change=True)
    with pytest.raises(PermissionDenied):
        services.update_incident(
            boat, actor=users.prosecutor, expected_version=boat.version, title="mine"
        )


def test_two_people_editing_at_once_never_overwrite_each_other(world, boat):
    version = boat.version
    first = Incident.objects.get(pk=boat.pk)
    second = Incident.objects.get(pk=boat.pk)
    services.update_incident(
        first, actor=world.users.responder, expected_version=version, end_date=date(2024, 3, 2)
    )
    with pytest.raises(ConcurrentEdit):
        services.update_incident(
            second, actor=world.users.coordinator, expected_version=version, title="Overwritten"
        )
    stored = Incident.objects.get(pk=boat.pk)
    assert stored.title == "Landing at Lampedusa" and stored.end_date == date(2024, 3, 2)
    assert stored.version == version + 1
    change = AuditEvent.objects.get(action="change", object_ref=boat.reference)
    assert change.details == {"fields": ["end_date"], "values": {"end_date": "2024-03-02"}}


def test_a_change_to_the_summary_is_audited_without_its_text(world, boat):
    services.update_incident(
        boat, actor=world.users.responder, expected_version=boat.version, summary="New facts."
    )
    change = AuditEvent.objects.get(action="change", object_ref=boat.reference)
    assert change.details == {"fields": ["summary"], "values": {}}


# --- victims --------------------------------------------------------------------------------


def test_a_person_the_actor_sees_is_added_as_a_victim(world, boat):
    link = services.add_victim(
        boat, actor=world.users.responder, person=world.person.reference.lower()
    )
    assert link.person == world.person and link.role == IncidentVictim.Role.VICTIM
    event = AuditEvent.objects.get(action="change", object_ref=boat.reference)
    assert event.details == {"added": "victim", "person": world.person.reference, "role": "victim"}


def test_a_person_outside_need_to_know_cannot_be_added(world, boat):
    """The answer is the same as for a reference that does not exist: no enumeration."""
    elsewhere = PersonFactory(owner_agency=AgencyFactory(name="Caritas Roma"))
    answers = []
    for reference in (elsewhere.reference, "P-00000000"):
        with pytest.raises(ValidationError) as error:
            services.add_victim(boat, actor=world.users.responder, person=reference)
        answers.append(error.value.message_dict["person"][0].replace(reference, "REF"))
    assert answers[0] == answers[1]
    assert not IncidentVictim.objects.exists()


def test_a_person_is_in_an_incident_once(world, boat):
    services.add_victim(boat, actor=world.users.responder, person=world.person)
    with pytest.raises(ValidationError) as error:
        services.add_victim(
            boat, actor=world.users.responder, person=world.person, role="smuggled_migrant"
        )
    assert "person" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_victim(boat, actor=world.users.responder, person=world.person, role="x")
    assert "role" in error.value.message_dict
    assert IncidentVictim.objects.count() == 1


def test_a_victim_is_removed_and_the_removal_is_audited(world, boat):
    services.add_victim(boat, actor=world.users.responder, person=world.person)
    services.remove_victim(boat, actor=world.users.colleague, person=world.person.reference)
    assert not IncidentVictim.objects.exists()
    assert AuditEvent.objects.filter(object_ref=boat.reference, details__removed="victim").exists()
    with pytest.raises(ValidationError) as error:
        services.remove_victim(boat, actor=world.users.colleague, person=world.person)
    assert "person" in error.value.message_dict


# --- suspects -------------------------------------------------------------------------------


def test_a_new_suspect_is_recorded_with_encrypted_names(world, boat):
    link = services.add_suspect(
        boat,
        actor=world.users.investigator,
        names="Osas Igbinedion",
        aliases="Madam Gold",
        sex="female",
        nationality="ng",
        network_role="money_collector",
        notes="Collected payments in Castel Volturno.",
    )
    suspect = link.suspect
    assert suspect.reference.startswith("SU-") and suspect.nationality == "NG"
    assert suspect.owner_agency == world.police
    assert AuditEvent.objects.filter(object_type="suspect", action="create").exists()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT names, aliases FROM incidents_suspect")
        assert "Osas" not in "".join(cursor.fetchone())


def test_a_known_suspect_links_two_incidents_of_one_network(world, boat):
    madam = services.add_suspect(
        boat, actor=world.users.responder, names="Madam Gold", network_role="organiser"
    ).suspect
    second = services.record_incident(actor=world.users.coordinator, title="Apartment in Turin")
    services.add_suspect(second, actor=world.users.coordinator, suspect=madam.reference)
    assert set(madam.incident_links.values_list("incident__title", flat=True)) == {
        "Landing at Lampedusa",
        "Apartment in Turin",
    }
    with pytest.raises(ValidationError) as error:
        services.add_suspect(second, actor=world.users.coordinator, suspect=madam.reference)
    assert "suspect" in error.value.message_dict


def test_a_suspect_outside_need_to_know_cannot_be_linked(world, boat):
    foreign = services.record_incident(actor=world.users.foreign_responder, title="Paris")
    theirs = services.add_suspect(foreign, actor=world.users.foreign_responder, names="X").suspect
    with pytest.raises(ValidationError) as error:
        services.add_suspect(boat, actor=world.users.responder, suspect=theirs.reference)
    assert "suspect" in error.value.message_dict
    assert not IncidentSuspect.objects.filter(incident=boat).exists()


def test_a_bad_suspect_names_the_field_and_writes_nothing(world, boat):
    with pytest.raises(ValidationError) as error:
        services.add_suspect(boat, actor=world.users.responder, names="X", network_role="boss")
    assert "network_role" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_suspect(boat, actor=world.users.responder, nationality="Nigeria")
    assert "nationality" in error.value.message_dict
    assert not Suspect.objects.exists()


# --- route, places, events ------------------------------------------------------------------


def test_route_legs_are_appended_in_order_and_read_as_a_route(world, boat):
    actor = world.users.responder
    services.add_route_leg(
        boat, actor=actor, from_country="ne", from_locality="Agadez", to_country="LY",
        to_locality="Sebha", mode="land", smuggler_involved=True,
    )  # fmt: skip
    services.add_route_leg(
        boat, actor=actor, from_country="LY", from_locality="Sebha", to_country="LY",
        to_locality="Tripoli", mode="land",
    )  # fmt: skip
    services.add_route_leg(
        boat, actor=actor, from_country="LY", from_locality="Zuwara", to_country="IT",
        to_locality="Lampedusa", mode="sea", departed_on=date(2024, 3, 1),
        arrived_on=date(2024, 3, 2),
    )  # fmt: skip
    legs = list(boat.route_legs.order_by("order"))
    assert [leg.order for leg in legs] == [1, 2, 3]
    assert services.route_stops(legs) == [
        "Agadez (NE)", "Sebha (LY)", "Tripoli (LY)", "…", "Zuwara (LY)", "Lampedusa (IT)",
    ]  # fmt: skip
    assert services.route_countries(legs) == ["NE", "LY", "IT"]


ROUTE_ERRORS = [
    pytest.param({"from_country": "XX"}, "from_country", id="not a country"),
    pytest.param({"to_country": ""}, "to_country", id="no destination"),
    pytest.param({"mode": "camel"}, "mode", id="unknown mode"),
    pytest.param(
        {"departed_on": date(2024, 3, 2), "arrived_on": date(2024, 3, 1)},
        "arrived_on",
        id="arrival before departure",
    ),
]


@pytest.mark.parametrize(("change", "field"), ROUTE_ERRORS)
def test_a_bad_route_leg_names_the_field_and_writes_nothing(world, boat, change, field):
    leg = {"from_country": "NE", "to_country": "LY", "mode": "land", **change}
    with pytest.raises(ValidationError) as error:
        services.add_route_leg(boat, actor=world.users.responder, **leg)
    assert field in error.value.message_dict
    assert not RouteLeg.objects.exists()


def test_places_and_events_make_a_timeline(world, boat):
    actor = world.users.responder
    benin = services.add_place(
        boat, actor=actor, country="NG", locality="Benin City", kind="recruitment",
        latitude="6.33504", longitude=5.62749,
    )  # fmt: skip
    services.add_event(boat, actor=actor, kind="exploitation", date=date(2024, 5, 1))
    services.add_event(
        boat, actor=actor, kind="recruitment", date=date(2023, 11, 1), place=benin.pk,
        description="Promised work in a hair salon.",
    )  # fmt: skip
    services.add_event(boat, actor=actor, kind="transport")
    assert [(e.kind, e.place) for e in boat.events.all()] == [
        ("recruitment", benin),
        ("exploitation", None),
        ("transport", None),
    ]
    other = services.record_incident(actor=actor, title="Other")
    with pytest.raises(ValidationError) as error:
        services.add_event(other, actor=actor, kind="recruitment", place=benin.pk)
    assert "place" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_place(boat, actor=actor, country="NG", kind="recruitment", latitude=91)
    assert "latitude" in error.value.message_dict


def test_additions_need_the_right_to_change_the_incident(world, boat):
    prosecutor = world.users.prosecutor
    attempts = [
        lambda: services.add_victim(boat, actor=prosecutor, person=world.person),
        lambda: services.add_suspect(boat, actor=prosecutor, names="X"),
        lambda: services.add_route_leg(
            boat, actor=prosecutor, from_country="NE", to_country="LY", mode="land"
        ),
        lambda: services.add_place(boat, actor=prosecutor, country="NE", kind="transit"),
        lambda: services.add_event(boat, actor=prosecutor, kind="transport"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not AuditEvent.objects.filter(action="change").exists()


# --- filters --------------------------------------------------------------------------------


def test_filters_by_period_country_and_form(world, boat):
    actor = world.users.responder
    services.add_route_leg(boat, actor=actor, from_country="LY", to_country="IT", mode="sea")
    services.record_incident(actor=actor, title="Undated", forms_of_exploitation=[])
    ended = services.record_incident(
        actor=actor, title="Ended 2023", end_date=date(2023, 12, 31),
        forms_of_exploitation=["forced_labour"],
    )  # fmt: skip
    services.add_place(ended, actor=actor, country="LY", kind="exploitation")
    everything = Incident.objects.all()

    def titles(**filters):
        return sorted(
            services.filter_incidents(everything, **filters).values_list("title", flat=True)
        )

    assert titles() == ["Ended 2023", "Landing at Lampedusa", "Undated"]
    assert titles(date_from=date(2024, 1, 1)) == ["Landing at Lampedusa"]
    assert titles(date_to=date(2023, 12, 31)) == ["Ended 2023"]
    assert titles(country="ly") == ["Ended 2023", "Landing at Lampedusa"]
    assert titles(country="IT") == ["Landing at Lampedusa"]
    assert titles(exploitation="forced_labour") == ["Ended 2023", "Landing at Lampedusa"]
    assert titles(exploitation="forced") == []  # whole codes only
    assert titles(means_of_control="DebtBondage") == ["Landing at Lampedusa"]
    assert titles(q="lampedusa") == ["Landing at Lampedusa"]
    assert titles(q=boat.reference.lower()) == ["Landing at Lampedusa"]
