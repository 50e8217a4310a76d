"""The cases API, story by story: the pages' need-to-know, audited reads, versioned changes.

The world (corridor/conftest.py): Palermo police opened a protection case for a woman and
referred it to a shelter in Palermo.
"""

import pytest

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.testing import CaseFactory, PersonFactory


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=auth(user))


def test_a_request_without_a_token_gets_401(client, world):
    assert client.get("/api/cases").status_code == 401
    assert client.get(f"/api/cases/{world.case.reference}").status_code == 401
    response = client.post(
        f"/api/cases/{world.case.reference}/status",
        {"status": "referred", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert ProtectionCase.objects.get(pk=world.case.pk).status == "presumed_victim"


# user: (GET /api/cases/<ref>, POST /api/cases/<ref>/status)
MATRIX = {
    "responder": (200, 200),
    "colleague": (200, 200),
    "investigator": (200, 200),
    "coordinator": (200, 200),
    "provider": (200, 403),
    "other_provider": (404, 404),
    "prosecutor": (404, 404),
    "analyst": (404, 404),
    "admin": (404, 404),
    "foreign_coordinator": (404, 404),
    "foreign_responder": (404, 404),
}


@pytest.mark.parametrize(("username", "expected"), MATRIX.items())
def test_the_api_applies_the_pages_access_matrix(client, world, username, expected):
    user = getattr(world.users, username)
    case = world.case
    read = client.get(f"/api/cases/{case.reference}", headers=auth(user))
    change = post(
        client,
        f"/api/cases/{case.reference}/status",
        {"status": "referred", "version": case.version},
        user,
    )
    assert (read.status_code, change.status_code) == expected
    listed = client.get("/api/cases", headers=auth(user)).json()["items"]
    assert (case.reference in [c["reference"] for c in listed]) == (expected[0] == 200)
    stored = ProtectionCase.objects.get(pk=case.pk).status
    assert (stored == "referred") == (expected[1] == 200)


def test_an_outsider_cannot_tell_a_hidden_case_from_a_missing_one(client, world):
    headers = auth(world.users.other_provider)
    hidden = client.get(f"/api/cases/{world.case.reference}", headers=headers)
    missing = client.get("/api/cases/C-00000000", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_administrators_get_an_empty_list(client, world, username):
    response = client.get("/api/cases", headers=auth(getattr(world.users, username)))
    assert response.json() == {"items": [], "count": 0}


def test_reading_a_case_is_audited_and_names_no_personal_data(client, world):
    response = client.get(f"/api/cases/{world.case.reference}", headers=auth(world.users.provider))
    body = response.json()
    assert body["person_reference"] == world.person.reference
    assert body["owner_agency"]["id"] == world.police.pk
    assert body["forms_of_exploitation"] == ["sexual"]
    assert body["status"] == "presumed_victim"
    assert world.person.given_name not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_type="protectioncase")
    assert (event.object_ref, event.actor_username) == (world.case.reference, "provider")


def test_a_coordinator_filters_the_national_cases_by_stage(client, world):
    closed = CaseFactory(
        person=PersonFactory(owner_agency=world.prosecution),
        owner_agency=world.prosecution,
        status="closed",
    )
    CaseFactory(
        person=PersonFactory(owner_agency=world.foreign),
        owner_agency=world.foreign,
        status="closed",
    )  # another country's case: not hers
    headers = auth(world.users.coordinator)
    everything = client.get("/api/cases", headers=headers).json()
    assert everything["count"] == 2
    only_closed = client.get("/api/cases?status=closed", headers=headers).json()
    assert [c["reference"] for c in only_closed["items"]] == [closed.reference]
    of_person = client.get(f"/api/cases?person={world.person.reference}", headers=headers).json()
    assert [c["reference"] for c in of_person["items"]] == [world.case.reference]


def test_an_unknown_stage_filter_is_refused_naming_the_parameter(client, world):
    response = client.get("/api/cases?status=lost", headers=auth(world.users.coordinator))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "status"


def test_a_first_responder_opens_a_case_for_her_agencys_person(client, world):
    person = PersonFactory(owner_agency=world.police)
    response = post(
        client,
        f"/api/persons/{person.reference}/cases",
        {"kind": "trafficking", "forms_of_exploitation": ["forced_labour"], "risk_level": "high"},
        world.users.responder,
    )
    assert response.status_code == 201
    case = ProtectionCase.objects.get(reference=response.json()["reference"])
    assert (case.person, case.owner_agency, case.risk_level) == (person, world.police, "high")
    assert case.forms_of_exploitation == ["forced_labour"]
    assert AuditEvent.objects.filter(action="create", object_ref=case.reference).exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("provider", 403),
        ("other_provider", 404),
        ("foreign_coordinator", 404),
        ("analyst", 404),
    ],
)
def test_only_those_who_may_change_the_person_open_a_case(client, world, username, expected):
    response = post(
        client, f"/api/persons/{world.person.reference}/cases", {}, getattr(world.users, username)
    )
    assert response.status_code == expected
    assert ProtectionCase.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"forms_of_exploitation": ["witchcraft"]}, "forms_of_exploitation.0"),
        ({"kind": "shoplifting"}, "kind"),
        ({"risk_level": "extreme"}, "risk_level"),
    ],
)
def test_bad_input_when_opening_a_case_names_the_field(client, world, body, field):
    response = post(
        client, f"/api/persons/{world.person.reference}/cases", body, world.users.responder
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert ProtectionCase.objects.count() == 1


def test_the_owner_moves_the_case_to_the_next_stage(client, world):
    case = world.case
    response = post(
        client,
        f"/api/cases/{case.reference}/status",
        {"status": "assisted", "version": case.version, "note": "In the shelter."},
        world.users.investigator,
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("assisted", 2)
    event = AuditEvent.objects.get(action="change", object_ref=case.reference)
    assert event.reason == "In the shelter."
    assert event.details["status"] == ["presumed_victim", "assisted"]


def test_closing_a_case_records_when(client, world):
    response = post(
        client,
        f"/api/cases/{world.case.reference}/status",
        {"status": "closed", "version": 1},
        world.users.coordinator,
    )
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None
    assert ProtectionCase.objects.get(pk=world.case.pk).closed_at is not None


def test_a_stage_change_based_on_a_stale_version_gets_409_and_writes_nothing(client, world):
    url = f"/api/cases/{world.case.reference}/status"
    assert (
        post(client, url, {"status": "referred", "version": 1}, world.users.responder).status_code
        == 200
    )
    response = post(client, url, {"status": "closed", "version": 1}, world.users.coordinator)
    assert response.status_code == 409
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.status, stored.version, stored.closed_at) == ("referred", 2, None)
    assert AuditEvent.objects.filter(action="change", object_ref=world.case.reference).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "vanished", "version": 1}, "status"),
        ({"status": "assisted"}, "version"),
        ({"status": "assisted", "version": "one"}, "version"),
    ],
)
def test_a_bad_stage_change_names_the_field_and_writes_nothing(client, world, body, field):
    response = post(
        client, f"/api/cases/{world.case.reference}/status", body, world.users.responder
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["detail"]]
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.status, stored.version) == ("presumed_victim", 1)
