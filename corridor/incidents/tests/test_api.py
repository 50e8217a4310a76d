"""The incidents API, story by story: the pages' need-to-know, the counting rules, and
clear errors that name the field."""

from datetime import date

import pytest

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.core.testing import AgencyFactory, PersonFactory
from corridor.incidents import services
from corridor.incidents.models import Incident, IncidentVictim, RouteLeg


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="investigation system")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def boat(world):
    incident = services.record_incident(
        actor=world.users.responder,
        title="Landing at Lampedusa",
        start_date=date(2024, 3, 1),
        forms_of_exploitation=["sexual"],
    )
    services.add_victim(incident, actor=world.users.responder, person=world.person)
    stranger = PersonFactory(owner_agency=AgencyFactory(name="Caritas Roma"))
    IncidentVictim.objects.create(incident=incident, person=stranger, role="smuggled_migrant")
    return incident


def test_an_investigator_records_an_incident_and_builds_it_up(client, world):
    headers = auth(world.users.investigator)
    response = client.post(
        "/api/incidents",
        {
            "title": "Apartment in Castel Volturno",
            "summary": "Five women, debts of 30,000 euros each.",
            "start_date": "2023-09-01",
            "forms_of_exploitation": ["sexual"],
            "means_of_control": ["DebtBondage", "Threats"],
            "recruiter_relation": "recruiter_agent",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    reference = body["reference"]
    assert body["owner_agency"]["id"] == world.police.id
    assert body["version"] == 1 and body["victim_count"] == 0

    def post(path, payload):
        return client.post(
            f"/api/incidents/{reference}/{path}",
            payload,
            content_type="application/json",
            headers=headers,
        )

    victim = post("victims", {"person": world.person.reference, "notes": "Witness"})
    assert victim.status_code == 201
    assert victim.json() == {
        "person_reference": world.person.reference,
        "role": "victim",
        "notes": "Witness",
    }
    suspect = post("suspects", {"names": "Madam Gold", "network_role": "organiser"})
    assert suspect.status_code == 201 and suspect.json()["reference"].startswith("SU-")
    for leg in (
        {"from_country": "NG", "from_locality": "Benin City", "to_country": "NE", "mode": "land"},
        {"from_country": "NE", "to_country": "LY", "mode": "land", "smuggler_involved": True},
        {"from_country": "LY", "to_country": "IT", "to_locality": "Lampedusa", "mode": "sea"},
    ):
        assert post("route-legs", leg).status_code == 201
    place = post("places", {"kind": "exploitation", "country": "IT", "locality": "Castel Volturno"})
    assert place.status_code == 201
    event = post(
        "events", {"kind": "exploitation", "date": "2023-10-01", "place": place.json()["id"]}
    )
    assert event.status_code == 201

    detail = client.get(f"/api/incidents/{reference}", headers=headers).json()
    assert detail["route"] == ["Benin City (NG)", "NE", "LY", "Lampedusa (IT)"]
    assert [leg["order"] for leg in detail["route_legs"]] == [1, 2, 3]
    assert detail["suspects"][0]["names"] == "Madam Gold"
    assert detail["events"][0]["place"] == place.json()["id"]
    assert detail["victim_count"] == 1 and detail["persons_not_in_your_records"] == 0


def test_persons_outside_need_to_know_are_counted_not_referenced(client, world, boat):
    response = client.get(f"/api/incidents/{boat.reference}", headers=auth(world.users.responder))
    body = response.json()
    assert [p["person_reference"] for p in body["persons"]] == [world.person.reference]
    assert body["persons_not_in_your_records"] == 1
    assert (body["victim_count"], body["smuggled_migrant_count"]) == (1, 1)
    assert AuditEvent.objects.filter(action="view", object_ref=boat.reference).exists()


@pytest.mark.parametrize("outsider", ["provider", "foreign_coordinator", "analyst"])
def test_outsiders_get_404_and_an_empty_list(client, world, boat, outsider):
    headers = auth(getattr(world.users, outsider))
    assert client.get(f"/api/incidents/{boat.reference}", headers=headers).status_code == 404
    assert client.get("/api/incidents", headers=headers).json() == {
        "items": [],
        "count": 0,
        "more": False,
    }
    response = client.post(
        f"/api/incidents/{boat.reference}/victims",
        {"person": world.person.reference},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_reader_who_may_not_change_gets_403(client, world, boat):
    response = client.post(
        f"/api/incidents/{boat.reference}/route-legs",
        {"from_country": "LY", "to_country": "IT", "mode": "sea"},
        content_type="application/json",
        headers=auth(world.users.prosecutor),
    )
    assert response.status_code == 403
    assert not RouteLeg.objects.exists()


def test_the_list_filters_like_the_page(client, world, boat):
    services.record_incident(
        actor=world.users.responder, title="Farm", forms_of_exploitation=["forced_labour"]
    )
    headers = auth(world.users.coordinator)
    body = client.get("/api/incidents", {"exploitation": "sexual"}, headers=headers).json()
    assert [i["reference"] for i in body["items"]] == [boat.reference]
    assert body["items"][0]["victim_count"] == 1
    response = client.get("/api/incidents", {"exploitation": "slavery"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "exploitation"


BAD_INPUT = [
    pytest.param({"title": "x", "end_date": "2024-01-01", "start_date": "2024-02-01"}, "end_date"),
    pytest.param({"title": "x", "means_of_control": ["Beatings"]}, "means_of_control.0"),
    pytest.param({"title": "x", "forms_of_exploitation": ["slavery"]}, "forms_of_exploitation.0"),
    pytest.param({"title": "x", "owner_agency": 1}, "owner_agency"),
    pytest.param({"summary": "no title"}, "title"),
    pytest.param({"title": "x", "start_date": "March 2024"}, "start_date"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_INPUT)
def test_bad_input_names_the_field_and_writes_nothing(client, world, payload, field):
    response = client.post(
        "/api/incidents",
        payload,
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["detail"]]
    assert not Incident.objects.exists()


def test_a_victim_outside_need_to_know_is_refused_on_the_field(client, world, boat):
    stranger = PersonFactory(owner_agency=world.shelter)
    response = client.post(
        f"/api/incidents/{boat.reference}/victims",
        {"person": stranger.reference},
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "person"


def test_an_edit_based_on_an_old_version_answers_409(client, world, boat):
    headers = auth(world.users.responder)
    url = f"/api/incidents/{boat.reference}"
    first = client.patch(
        url,
        {"version": 1, "end_date": "2024-03-02"},
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(
        url, {"version": 1, "title": "Stale"}, content_type="application/json", headers=headers
    )
    assert stale.status_code == 409
    assert Incident.objects.get(pk=boat.pk).title == "Landing at Lampedusa"


def test_a_victim_is_removed(client, world, boat):
    response = client.delete(
        f"/api/incidents/{boat.reference}/victims/{world.person.reference}",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 204
    assert not boat.victim_links.filter(person=world.person).exists()


# --- statistics -----------------------------------------------------------------------------


@pytest.fixture
def seventy(world):
    """One incident with 70 victims (one of them a man), and one of them in a second one."""
    boat = Incident.objects.create(owner_agency=world.police, title="boat")
    victims = [PersonFactory(owner_agency=world.police) for _ in range(69)]
    victims.append(PersonFactory(owner_agency=world.police, sex="male"))
    IncidentVictim.objects.bulk_create(
        IncidentVictim(incident=boat, person=p, role="victim") for p in victims
    )
    second = Incident.objects.create(owner_agency=world.police, title="second")
    IncidentVictim.objects.create(incident=second, person=victims[0], role="victim")
    return boat


def test_statistics_count_victims_as_persons_and_incidents_as_incidents(client, world, seventy):
    body = client.get("/api/statistics/counts", headers=auth(world.users.coordinator)).json()
    assert (body["victims"], body["incidents"], body["suppressed"]) == (70, 2, False)
    assert body["by_sex"]["male"] == 1


def test_analysts_get_suppressed_aggregates(client, world, seventy):
    body = client.get("/api/statistics/counts", headers=auth(world.users.analyst)).json()
    assert body["suppressed"] is True
    assert body["victims"] == 70
    assert body["incidents"] == "<10"
    assert body["by_sex"]["male"] == "<10"
    assert body["by_sex"]["female"] == "hidden"  # 69 would give the 1 man away: hidden too
    assert body["by_age_group"] == {"child": 0, "adult": 70, "unknown": 0}


def test_statistics_take_filters_and_refuse_roles_without_counts(client, world, seventy):
    headers = auth(world.users.coordinator)
    body = client.get("/api/statistics/counts", {"date_from": "2020-01-01"}, headers=headers)
    assert body.json()["incidents"] == 0  # neither incident has a date
    nobody = world.users.responder
    nobody.groups.clear()
    nobody.__dict__.pop("roles", None)
    response = client.get("/api/statistics/counts", headers=auth(nobody))
    assert response.status_code == 403
