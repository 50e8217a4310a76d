"""The referrals API, story by story: who may send, see and answer a referral.

The world (corridor/conftest.py): Palermo police referred a woman's protection case to
Casa Rifugio Palermo for shelter; Casa Rifugio Catania has no part in it.
"""

import pytest

from corridor.accounts.models import Role
from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.consent.services import record_consent
from corridor.core.testing import AgencyFactory, ReferralFactory, UserFactory
from corridor.referrals.models import Referral


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=auth(user))


def stored(referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


def test_a_request_without_a_token_gets_401(client, world):
    assert client.get("/api/referrals").status_code == 401
    response = client.post(
        f"/api/referrals/{world.referral.reference}/accept",
        {"version": 1},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert stored(world.referral).status == "sent"


# user: (GET /api/referrals/<ref>, POST /api/referrals/<ref>/accept)
MATRIX = {
    "responder": (200, 403),
    "colleague": (200, 403),
    "investigator": (404, 404),  # the wall: referrals are protection data (access.py)
    "coordinator": (200, 403),
    "provider": (200, 200),
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
    referral = world.referral
    read = client.get(f"/api/referrals/{referral.reference}", headers=auth(user))
    answer = post(
        client, f"/api/referrals/{referral.reference}/accept", {"version": referral.version}, user
    )
    assert (read.status_code, answer.status_code) == expected
    listed = client.get("/api/referrals", headers=auth(user)).json()["items"]
    assert (referral.reference in [r["reference"] for r in listed]) == (expected[0] == 200)
    assert (stored(referral).status == "accepted") == (expected[1] == 200)


def test_an_outsider_cannot_tell_a_hidden_referral_from_a_missing_one(client, world):
    headers = auth(world.users.other_provider)
    hidden = client.get(f"/api/referrals/{world.referral.reference}", headers=headers)
    missing = client.get("/api/referrals/R-00000000", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_shelter_sees_what_was_sent_to_it_and_nothing_else(client, world):
    ReferralFactory(case=world.case, from_agency=world.police, to_agency=world.other_shelter)
    body = client.get("/api/referrals", headers=auth(world.users.provider)).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["reference"] == world.referral.reference
    assert item["case_reference"] == world.case.reference
    assert item["from_agency"]["name"] == world.police.name
    assert item["to_agency"]["name"] == world.shelter.name
    assert (item["service_type"], item["status"]) == ("shelter", "sent")
    assert world.person.given_name not in str(body)


def test_the_police_filter_what_they_sent(client, world):
    other = ReferralFactory(
        case=world.case, from_agency=world.police, to_agency=world.other_shelter, status="accepted"
    )
    headers = auth(world.users.responder)
    sent = client.get("/api/referrals?direction=sent", headers=headers).json()
    assert sent["count"] == 2
    assert client.get("/api/referrals?direction=received", headers=headers).json()["count"] == 0
    accepted = client.get("/api/referrals?status=accepted", headers=headers).json()
    assert [r["reference"] for r in accepted["items"]] == [other.reference]
    of_case = client.get(f"/api/referrals?case={world.case.reference}", headers=headers).json()
    assert of_case["count"] == 2


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_administrators_get_an_empty_list(client, world, username):
    response = client.get("/api/referrals", headers=auth(getattr(world.users, username)))
    assert response.json() == {"items": [], "count": 0, "more": False}


# --- sending ----------------------------------------------------------------------------------


def test_the_police_refer_the_case_for_medical_care(client, world):
    health = AgencyFactory(name="ASP Palermo", sector="health")
    consent = record_consent(
        world.person,
        actor=world.users.responder,
        purposes=["assistance"],
        data_categories=["identity", "case", "health"],
        method="written",
        recipient_sectors=["health"],
    )
    response = post(
        client,
        f"/api/cases/{world.case.reference}/referrals",
        {"to_agency_id": health.pk, "service_type": "medical", "note": "Needs a check-up."},
        world.users.responder,
    )
    assert response.status_code == 201
    referral = Referral.objects.get(reference=response.json()["reference"])
    assert (referral.from_agency, referral.to_agency) == (world.police, health)
    assert (referral.service_type, referral.status, referral.note) == (
        "medical",
        "sent",
        "Needs a check-up.",
    )
    assert response.json()["consent_id"] == consent.pk
    assert response.json()["shared_categories"] == ["identity", "case"]
    assert AuditEvent.objects.filter(action="create", object_ref=referral.reference).exists()
    # the receiving agency now has a need to know
    doctor = UserFactory(agency=health, roles=[Role.SERVICE_PROVIDER])
    person = client.get(f"/api/persons/{world.person.reference}", headers=auth(doctor))
    assert person.status_code == 200


def _inactive_agency(world):
    return AgencyFactory(name="Closed shelter", sector="shelter", is_active=False).pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_type": "astrology"}, "service_type"),
        ({"service_type": None}, "service_type"),
        ({"to_agency_id": 999999}, "to_agency_id"),
        ({"to_agency_id": lambda world: world.police.pk}, "to_agency_id"),  # her own agency
        ({"to_agency_id": _inactive_agency}, "to_agency_id"),
        ({"to_agency_id": "Casa Rifugio Catania"}, "to_agency_id"),
    ],
)
def test_bad_input_when_referring_names_the_field_and_writes_nothing(client, world, change, field):
    payload = {"to_agency_id": world.other_shelter.pk, "service_type": "shelter"}
    payload.update({k: v(world) if callable(v) else v for k, v in change.items()})
    response = post(
        client, f"/api/cases/{world.case.reference}/referrals", payload, world.users.responder
    )
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("provider", 403),
        ("other_provider", 404),
        ("prosecutor", 404),
        ("foreign_coordinator", 404),
    ],
)
def test_only_those_who_may_change_the_case_refer_it(client, world, username, expected):
    response = post(
        client,
        f"/api/cases/{world.case.reference}/referrals",
        {"to_agency_id": world.other_shelter.pk, "service_type": "shelter"},
        getattr(world.users, username),
    )
    assert response.status_code == expected
    assert Referral.objects.count() == 1


# --- answering --------------------------------------------------------------------------------


def test_the_shelter_accepts_then_completes_the_referral(client, world):
    url = f"/api/referrals/{world.referral.reference}"
    accepted = post(client, f"{url}/accept", {"version": 1}, world.users.provider)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["responded_at"] is not None
    completed = post(client, f"{url}/complete", {"version": 2}, world.users.provider)
    assert completed.status_code == 200
    assert (completed.json()["status"], completed.json()["version"]) == ("completed", 3)
    assert stored(world.referral).completed_at is not None


def test_declining_needs_a_reason_and_closes_the_shelters_access(client, world):
    url = f"/api/referrals/{world.referral.reference}/decline"
    provider = world.users.provider
    response = post(client, url, {"version": 1, "reason": "  "}, provider)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["reason"]
    assert stored(world.referral).status == "sent"

    response = post(client, url, {"version": 1, "reason": "No bed free until March."}, provider)
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "No bed free until March."
    event = AuditEvent.objects.get(action="change", object_ref=world.referral.reference)
    assert event.reason == "No bed free until March."
    assert (
        client.get(f"/api/persons/{world.person.reference}", headers=auth(provider)).status_code
        == 404
    )


def test_an_answer_based_on_a_stale_version_gets_409_and_writes_nothing(client, world):
    Referral.objects.filter(pk=world.referral.pk).update(version=2)  # someone answered meanwhile
    response = post(
        client,
        f"/api/referrals/{world.referral.reference}/accept",
        {"version": 1},
        world.users.provider,
    )
    assert response.status_code == 409
    assert (stored(world.referral).status, stored(world.referral).version) == ("sent", 2)
    assert not AuditEvent.objects.filter(action="change").exists()


def test_a_referral_cannot_be_completed_before_it_is_accepted(client, world):
    response = post(
        client,
        f"/api/referrals/{world.referral.reference}/complete",
        {"version": 1},
        world.users.provider,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["status"]
    assert stored(world.referral).status == "sent"


def test_an_answer_needs_the_version(client, world):
    response = post(
        client, f"/api/referrals/{world.referral.reference}/accept", {}, world.users.provider
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["version"]
    assert stored(world.referral).status == "sent"


def test_a_number_too_large_for_the_database_is_refused_not_a_server_error(client, world):
    """Found by the API fuzzing: an agency id past 64 bits made SQLite overflow (a 500)."""
    response = client.get(
        "/api/referrals/queue?to_agency_id=99999999999999999999",
        headers=auth(world.users.coordinator),
    )
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert response.json() == {"detail": [{"field": None, "message": "A number is too large."}]}
