"""The incident pages: record, read, add victims by reference; outsiders see nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.audit.models import AuditEvent
from corridor.core.testing import AgencyFactory, PersonFactory
from corridor.incidents import services
from corridor.incidents.counting import SUPPRESSED
from corridor.incidents.models import Incident, IncidentVictim


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def boat(world):
    """A landing at Lampedusa with the police's own victim, one victim the police cannot
    see (registered by a shelter elsewhere) and the central Mediterranean route."""
    actor = world.users.responder
    incident = services.record_incident(
        actor=actor,
        title="Landing at Lampedusa",
        summary="Seventy people on a rubber boat.",
        start_date=date(2024, 3, 1),
        forms_of_exploitation=["sexual"],
    )
    services.add_victim(incident, actor=actor, person=world.person, notes="Speaks Edo.")
    elsewhere = PersonFactory(owner_agency=AgencyFactory(name="Caritas Roma"), given_name="Hidden")
    IncidentVictim.objects.create(incident=incident, person=elsewhere, role="victim")
    for origin, o_place, destination, d_place, mode in [
        ("NE", "Agadez", "LY", "Sebha", "land"),
        ("LY", "Sebha", "LY", "Tripoli", "land"),
        ("LY", "Tripoli", "IT", "Lampedusa", "sea"),
    ]:
        services.add_route_leg(
            incident, actor=actor, from_country=origin, from_locality=o_place,
            to_country=destination, to_locality=d_place, mode=mode,
        )  # fmt: skip
    return incident


def test_a_responder_records_an_incident(client, world):
    client.force_login(world.users.responder)
    assert client.get("/incidents/new/").status_code == 200
    response = client.post(
        "/incidents/new/",
        {
            "title": "Farm near Foggia",
            "summary": "Workers paid 2 euros an hour.",
            "start_date": "2024-06-01",
            "forms_of_exploitation": ["forced_labour"],
            "means_of_control": ["TakesEarnings", "ExcessiveWorkingHours"],
            "recruiter_relation": "employer",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/{incident.reference}/"
    assert incident.means_of_control == ["TakesEarnings", "ExcessiveWorkingHours"]
    assert incident.owner_agency == world.police


def test_bad_input_names_the_field_and_writes_nothing(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        "/incidents/new/",
        {
            "title": "",
            "start_date": "2024-06-01",
            "end_date": "2024-05-01",
            "forms_of_exploitation": ["slavery"],
        },
    )
    assert response.status_code == 200
    assert {"title", "forms_of_exploitation"} <= set(response.context["form"].errors)
    response = client.post(
        "/incidents/new/", {"title": "x", "start_date": "2024-06-01", "end_date": "2024-05-01"}
    )
    assert "end_date" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_the_detail_page_names_only_the_persons_the_reader_may_see(client, world, boat):
    client.force_login(world.users.responder)
    response = client.get(f"/incidents/{boat.reference}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert world.person.display_name in page and "Speaks Edo." in page
    assert "Hidden" not in page
    assert "1 person (not in your records)" in page
    assert (
        "Agadez (NE)</bdi> → <bdi>Sebha (LY)</bdi> → <bdi>Tripoli (LY)</bdi> → <bdi>Lampedusa (IT)"
        in page
    )
    # the incident read is audited, and so is the sight of the person's name
    assert AuditEvent.objects.filter(action="view", object_ref=boat.reference).exists()
    person_list = AuditEvent.objects.get(action="view", object_type="person_list")
    assert person_list.details["references"] == [world.person.reference]
    # counts include everyone: 2 victims, 1 incident
    assert response.context["counts"].victims == 2
    assert response.context["counts"].incidents == 1


def test_a_prosecutor_reads_the_network_but_sees_no_victim_outside_their_records(
    client, world, boat
):
    client.force_login(world.users.prosecutor)
    response = client.get(f"/incidents/{boat.reference}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 persons (not in your records)" in page
    assert world.person.display_name not in page
    assert f"/incidents/{boat.reference}/edit/" not in page  # read-only
    assert client.get(f"/incidents/{boat.reference}/edit/").status_code == 403
    assert client.post(f"/incidents/{boat.reference}/victims/add/", {}).status_code == 403


@pytest.mark.parametrize("outsider", ["provider", "foreign_coordinator", "analyst", "admin"])
def test_outsiders_get_404_as_for_a_missing_incident(client, world, boat, outsider):
    client.force_login(getattr(world.users, outsider))
    for url in (
        f"/incidents/{boat.reference}/",
        f"/incidents/{boat.reference}/edit/",
        f"/incidents/{boat.reference}/victims/add/",
        "/incidents/I-00000000/",
    ):
        assert client.get(url).status_code == 404, url


def test_an_analyst_sees_counts_and_no_incident(client, world, boat):
    client.force_login(world.users.analyst)
    response = client.get("/incidents/")
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"] is None
    assert boat.reference not in page and "Landing at Lampedusa" not in page
    counts = response.context["counts"]
    assert counts.suppressed and counts.victims == SUPPRESSED
    assert "&lt;10" in page


@pytest.mark.parametrize(
    ("language", "hidden"), [("en", "hidden"), ("fr", "masqué"), ("ar", "مخفي")]
)
def test_a_count_hidden_to_protect_a_small_one_is_never_called_under_10(
    client, world, language, hidden
):
    """12 adults and 3 children: the children are "<10"; the adults, 12, are hidden so that
    the 3 cannot be worked out from the 15, and the page says so instead of "<10"."""
    raid = Incident.objects.create(owner_agency=world.police, title="Farm raid")
    for _ in range(12):
        IncidentVictim.objects.create(
            incident=raid, person=PersonFactory(owner_agency=world.police), role="victim"
        )
    for _ in range(3):
        child = PersonFactory(owner_agency=world.police, age_estimate_min=12, age_estimate_max=14)
        IncidentVictim.objects.create(incident=raid, person=child, role="victim")
    client.force_login(world.users.analyst)
    response = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE=language)
    ages = dict(response.context["by_age_group"])
    assert ages[next(k for k in ages if ages[k] == hidden)] == hidden
    assert sorted(map(str, ages.values())) == sorted(["<10", hidden, "0"])
    page = response.content.decode()
    block = page[page.index('data-testid="by-age-group"') :].split("</dl>")[0]
    assert hidden in block and block.count("&lt;10") == 1


def test_the_list_is_scoped_and_filtered(client, world, boat):
    foreign = services.record_incident(actor=world.users.foreign_responder, title="Paris raid")
    farm = services.record_incident(
        actor=world.users.colleague,
        title="Farm near Foggia",
        forms_of_exploitation=["forced_labour"],
    )
    client.force_login(world.users.responder)
    page = client.get("/incidents/").content.decode()
    assert boat.reference in page and farm.reference in page
    assert foreign.reference not in page
    assert "NE → LY → IT" in page
    filtered = client.get("/incidents/", {"exploitation": "forced_labour"}).content.decode()
    assert farm.reference in filtered and boat.reference not in filtered
    by_country = client.get("/incidents/", {"country": "LY"}).content.decode()
    assert boat.reference in by_country and farm.reference not in by_country


def test_the_list_costs_the_same_queries_for_few_or_many_incidents(client, world, boat):
    client.force_login(world.users.coordinator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/incidents/").status_code == 200
        return len(ctx)

    few = queries()
    for i in range(15):
        incident = services.record_incident(actor=world.users.responder, title=f"Incident {i}")
        services.add_route_leg(
            incident, actor=world.users.responder, from_country="NE", to_country="LY", mode="land"
        )
        IncidentVictim.objects.create(
            incident=incident, person=PersonFactory(owner_agency=world.police), role="victim"
        )
    assert queries() == few


def test_a_victim_is_added_by_reference_from_a_phone(client, world, boat):
    person = PersonFactory(owner_agency=world.police)
    client.force_login(world.users.colleague)
    url = f"/incidents/{boat.reference}/victims/add/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"person": person.reference, "role": "smuggled_migrant"})
    assert response.status_code == 302
    assert boat.victim_links.get(person=person).role == "smuggled_migrant"
    # a reference outside the colleague's records is refused on the field
    stranger = PersonFactory(owner_agency=world.shelter)
    response = client.post(url, {"person": stranger.reference, "role": "victim"})
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not boat.victim_links.filter(person=stranger).exists()


def test_suspects_places_and_events_are_added_from_their_forms(client, world, boat):
    client.force_login(world.users.investigator)
    base = f"/incidents/{boat.reference}"
    response = client.post(
        f"{base}/suspects/add/",
        {"names": "Osas", "sex": "female", "nationality": "NG", "network_role": "organiser"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/places/add/", {"kind": "recruitment", "country": "NG", "locality": "Benin City"}
    )
    assert response.status_code == 302
    place = boat.places.get()
    response = client.post(
        f"{base}/events/add/",
        {"kind": "recruitment", "date": "2023-11-01", "place": place.pk, "description": "Salon"},
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/route/add/", {"from_country": "XX", "to_country": "LY", "mode": "land"}
    )
    assert response.status_code == 200 and "from_country" in response.context["form"].errors
    page = client.get(f"{base}/").content.decode()
    assert "Osas" in page and "Benin City (NG)" in page and "Salon" in page


def test_a_victim_is_removed(client, world, boat):
    client.force_login(world.users.responder)
    response = client.post(f"/incidents/{boat.reference}/victims/{world.person.reference}/remove/")
    assert response.status_code == 302
    assert not boat.victim_links.filter(person=world.person).exists()


def test_a_stale_edit_page_shows_a_clear_error(client, world, boat):
    client.force_login(world.users.responder)
    stale = boat.version
    services.update_incident(
        boat, actor=world.users.colleague, expected_version=stale, title="Changed meanwhile"
    )
    response = client.post(
        f"/incidents/{boat.reference}/edit/",
        {"title": "Mine", "recruiter_relation": "unknown", "version": stale},
    )
    assert response.status_code == 200
    assert "changed by someone else" in str(response.context["form"].non_field_errors())
    assert Incident.objects.get(pk=boat.pk).title == "Changed meanwhile"


def test_the_edit_page_shows_the_stored_incident_and_saves_a_change(client, world, boat):
    client.force_login(world.users.coordinator)
    url = f"/incidents/{boat.reference}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["forms_of_exploitation"] == ["sexual"]
    assert form.initial["version"] == boat.version
    response = client.post(
        url,
        {
            "title": "Landing at Lampedusa, 1 March",
            "start_date": "2024-03-01",
            "forms_of_exploitation": ["sexual", "forced_begging"],
            "means_of_control": ["FalsePromises"],
            "recruiter_relation": "family_member",
            "summary": boat.summary,
            "version": boat.version,
        },
    )
    assert response.status_code == 302
    boat.refresh_from_db()
    assert boat.forms_of_exploitation == ["sexual", "forced_begging"]
    assert boat.recruiter_relation == "family_member" and boat.version == 2


def test_a_known_suspect_is_linked_by_reference(client, world, boat):
    madam = services.add_suspect(boat, actor=world.users.responder, names="Madam Gold").suspect
    second = services.record_incident(actor=world.users.responder, title="Apartment in Turin")
    client.force_login(world.users.responder)
    response = client.post(
        f"/incidents/{second.reference}/suspects/add/",
        {"suspect": madam.reference, "sex": "unknown", "network_role": "other"},
    )
    assert response.status_code == 302
    assert second.suspect_links.get().suspect == madam
