"""The persons API, story by story: tokens only, the pages' need-to-know, every read audited.

The world (corridor/conftest.py): Palermo police registered a woman and referred her case
to a shelter in Palermo; a second shelter, a prosecutor, an analyst, an administrator and a
French police unit have no need to know.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from corridor.accounts.services import issue_api_token, revoke_api_token
from corridor.audit.models import AuditEvent
from corridor.core.testing import PersonFactory
from corridor.people.models import Person


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def views_of(reference: str):
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type="person", object_ref=reference
    )


# --- authentication -------------------------------------------------------------------------


def test_a_request_without_a_token_gets_401(client, world):
    response = client.get("/api/persons")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "A valid API token is required."}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cor_0123456789ab_not-the-secret",
        "Bearer not-a-corridor-token",
        "Basic cmVzcG9uZGVyOnNlY3JldA==",
        "Bearer ",
    ],
)
def test_a_bad_token_gets_401(client, world, header):
    response = client.get(
        f"/api/persons/{world.person.reference}", headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert not views_of(world.person.reference).exists()


def test_a_revoked_token_stops_working(client, world):
    responder = world.users.responder
    token, raw = issue_api_token(actor=responder, name="old integration")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/persons", headers=headers).status_code == 200
    revoke_api_token(token, actor=responder)
    assert client.get("/api/persons", headers=headers).status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(client, world):
    responder = world.users.responder
    headers = auth(responder)
    responder.is_active = False
    responder.save()
    assert client.get("/api/persons", headers=headers).status_code == 401


def test_a_signed_in_browser_session_is_not_accepted(client, world):
    client.force_login(world.users.responder)
    assert client.get("/people/").status_code in (200, 302)  # the pages accept the session
    assert client.get("/api/persons").status_code == 401
    response = client.patch(
        f"/api/persons/{world.person.reference}",
        {"version": 1, "languages": "en"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_a_token_writes_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/persons",
        {"sex": "male"},
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 201


# --- the access matrix, as on the pages ---------------------------------------------------

# user: (GET /api/persons/<ref>, PATCH /api/persons/<ref>)
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
    headers = auth(getattr(world.users, username))
    url = f"/api/persons/{world.person.reference}"
    read = client.get(url, headers=headers)
    change = client.patch(
        url,
        {"version": world.person.version, "languages": "en, it"},
        content_type="application/json",
        headers=headers,
    )
    assert (read.status_code, change.status_code) == expected
    listed = client.get("/api/persons", headers=headers).json()["items"]
    assert (world.person.reference in [p["reference"] for p in listed]) == (expected[0] == 200)
    languages = Person.objects.get(pk=world.person.pk).languages
    assert (languages == "en, it") == (expected[1] == 200)


def test_an_outsider_cannot_tell_a_hidden_person_from_a_missing_one(client, world):
    headers = auth(world.users.foreign_coordinator)
    hidden = client.get(f"/api/persons/{world.person.reference}", headers=headers)
    missing = client.get("/api/persons/P-00000000", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content == b'{"detail": "Not found."}'
    hidden_patch = client.patch(
        f"/api/persons/{world.person.reference}",
        {"version": 1},
        content_type="application/json",
        headers=headers,
    )
    missing_patch = client.patch(
        "/api/persons/P-00000000", {"version": 1}, content_type="application/json", headers=headers
    )
    assert hidden_patch.status_code == missing_patch.status_code == 404
    assert hidden_patch.content == missing_patch.content


def test_a_shelter_workers_token_lists_only_the_persons_referred_to_her_shelter(client, world):
    PersonFactory(owner_agency=world.police)  # registered by the police, never referred
    PersonFactory(owner_agency=world.shelter)  # the shelter's own record: not hers either
    response = client.get("/api/persons", headers=auth(world.users.provider))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["reference"] for p in body["items"]] == [world.person.reference]


def test_the_shelter_reads_the_referred_person_but_cannot_change_her(client, world):
    headers = auth(world.users.provider)
    person = world.person
    response = client.get(f"/api/persons/{person.reference}", headers=headers)
    assert response.status_code == 200
    assert response.json()["given_name"] == person.given_name
    response = client.patch(
        f"/api/persons/{person.reference}",
        {"version": person.version, "family_name": "Changed"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).family_name == person.family_name


@pytest.mark.parametrize("username", ["analyst", "admin"])
def test_analysts_and_administrators_see_no_person(client, world, username):
    headers = auth(getattr(world.users, username))
    response = client.get("/api/persons", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0, "more": False}
    assert client.get(f"/api/persons/{world.person.reference}", headers=headers).status_code == 404
    response = client.post(
        "/api/persons", {"sex": "female"}, content_type="application/json", headers=headers
    )
    assert response.status_code == 403
    assert Person.objects.count() == 1


# --- reading: the detail, the list, the audit trail ---------------------------------------


def test_the_owner_reads_the_whole_record_with_iso_dates(client, world):
    person = world.person
    Person.objects.filter(pk=person.pk).update(date_of_birth="2001-03-09")
    response = client.get(f"/api/persons/{person.reference}", headers=auth(world.users.responder))
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == person.reference
    assert body["owner_agency"]["name"] == world.police.name
    assert body["family_name"] == person.family_name
    assert body["phone"] == person.phone
    assert body["document_number"] == person.document_number
    assert body["narrative"] == person.narrative
    assert body["date_of_birth"] == "2001-03-09"
    assert body["created_at"].startswith(person.created_at.date().isoformat())
    assert body["version"] == 1


def test_the_list_leaves_contact_document_and_narrative_to_the_detail(client, world):
    item = client.get("/api/persons", headers=auth(world.users.responder)).json()["items"][0]
    assert item["reference"] == world.person.reference
    assert item["given_name"] == world.person.given_name
    for field in ("phone", "email", "address", "document_number", "narrative"):
        assert field not in item


def test_every_read_of_a_person_is_audited(client, world):
    headers = auth(world.users.provider)
    reference = world.person.reference
    client.get(f"/api/persons/{reference}", headers=headers)
    client.get(f"/api/persons/{reference}", headers=headers)
    events = views_of(reference)
    assert events.count() == 2
    assert {e.actor_username for e in events} == {"provider"}
    client.get("/api/persons", headers=headers)
    listed = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_type="person_list")
    assert listed.actor_username == "provider"
    assert listed.details["references"] == [reference]


def test_the_list_audits_only_the_page_it_returns(client, world):
    newer = [PersonFactory(owner_agency=world.police) for _ in range(3)]
    response = client.get("/api/persons?limit=2&offset=1", headers=auth(world.users.responder))
    body = response.json()
    assert body["count"] == 4
    returned = [p["reference"] for p in body["items"]]
    assert returned == [newer[1].reference, newer[0].reference]
    event = AuditEvent.objects.get(object_type="person_list")
    assert event.details["references"] == returned


def test_an_empty_page_writes_no_audit_event(client, world):
    client.get("/api/persons", headers=auth(world.users.analyst))
    assert not AuditEvent.objects.filter(object_type="person_list").exists()


def test_a_page_larger_than_allowed_is_refused_naming_the_parameter(client, world):
    response = client.get("/api/persons?limit=0", headers=auth(world.users.responder))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"


def test_the_list_costs_the_same_queries_for_2_or_20_persons(client, world):
    headers = auth(world.users.responder)
    client.get("/api/persons", headers=headers)  # warm-up: the token's last use is written
    PersonFactory(owner_agency=world.police)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/persons", headers=headers).json()["items"]) == 2
    for _ in range(18):
        PersonFactory(owner_agency=world.police)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/persons", headers=headers).json()["items"]) == 20
    assert len(many) == len(few)


# --- writing ----------------------------------------------------------------------------------


def test_a_first_responder_registers_a_person_for_her_agency(client, world):
    response = client.post(
        "/api/persons",
        {
            "given_name": "Blessing",
            "sex": "female",
            "nationality": "NG",
            "age_estimate_min": 15,
            "age_estimate_max": 17,
            "phone": "+2348030000000",
        },
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(reference=body["reference"])
    assert person.owner_agency == world.police
    assert person.given_name == "Blessing"
    assert body["presumed_minor"] is True
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="person", object_ref=person.reference
    ).exists()


def test_the_owner_changes_a_record_with_the_version_she_read(client, world):
    headers = auth(world.users.colleague)
    url = f"/api/persons/{world.person.reference}"
    version = client.get(url, headers=headers).json()["version"]
    response = client.patch(
        url,
        {"version": version, "languages": "en, pcm"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["languages"] == "en, pcm"
    assert response.json()["version"] == version + 1
    person = Person.objects.get(pk=world.person.pk)
    assert (person.languages, person.version) == ("en, pcm", version + 1)
    change = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_ref=person.reference)
    assert change.details["fields"] == ["languages"]


def test_a_change_based_on_a_stale_version_gets_409_and_writes_nothing(client, world):
    person = world.person
    url = f"/api/persons/{person.reference}"
    first = client.patch(
        url,
        {"version": 1, "aliases": "Blessy"},
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert first.status_code == 200
    second = client.patch(
        url,
        {"version": 1, "aliases": "Joy"},
        content_type="application/json",
        headers=auth(world.users.colleague),
    )
    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    stored = Person.objects.get(pk=person.pk)
    assert (stored.aliases, stored.version) == ("Blessy", 2)
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.CHANGE, object_ref=person.reference
        ).count()
        == 1
    )


def test_a_change_needs_the_version(client, world):
    response = client.patch(
        f"/api/persons/{world.person.reference}",
        {"aliases": "Joy"},
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "version", "message": "Field required"}]
    assert Person.objects.get(pk=world.person.pk).aliases == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sex": "robot"}, "sex"),
        ({"age_estimate_min": 30, "age_estimate_max": 20}, "age_estimate_max"),
        ({"age_estimate_min": -1}, "age_estimate_min"),
        ({"nationality": "XX"}, "nationality"),
        ({"date_of_birth": "09/03/2001"}, "date_of_birth"),
        ({"document_type": "library_card"}, "document_type"),
        ({"given_name": None}, "given_name"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"given_name": "Am\ud800ina"}, "given_name"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, world, body, field):
    headers = auth(world.users.responder)
    response = client.post("/api/persons", body, content_type="application/json", headers=headers)
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["detail"]]
    assert all(error["message"] for error in response.json()["detail"])
    assert Person.objects.count() == 1

    url = f"/api/persons/{world.person.reference}"
    response = client.patch(
        url, {"version": 1, **body}, content_type="application/json", headers=headers
    )
    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["detail"]]
    stored = Person.objects.get(pk=world.person.pk)
    assert stored.version == 1
    assert (stored.sex, stored.age_estimate_min, stored.age_estimate_max) == ("female", 24, 28)
    assert not AuditEvent.objects.filter(
        action__in=["create", "change"], object_type="person"
    ).exists()


def test_a_body_that_is_not_json_is_refused(client, world):
    response = client.post(
        "/api/persons",
        "{not json",
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 400
    assert Person.objects.count() == 1


def test_characters_that_would_disguise_a_name_are_not_stored(client, world):
    headers = auth(world.users.responder)
    body = {
        "given_name": "\u202eanimA\u202c\u200b",
        "family_name": "Dia\u0000llo\ufeff",
        "aliases": "\u2066Ami\u2069",
    }
    response = client.post("/api/persons", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    person = Person.objects.get(reference=response.json()["reference"])
    assert (person.given_name, person.family_name, person.aliases) == ("animA", "Diallo", "Ami")


def test_a_persian_name_keeps_its_zero_width_non_joiner(client, world):
    headers = auth(world.users.responder)
    body = {"given_name": "\u0645\u06cc\u200c\u0631\u0648\u062f"}
    response = client.post("/api/persons", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    person = Person.objects.get(reference=response.json()["reference"])
    assert "\u200c" in person.given_name


def test_a_long_list_counts_to_the_limit_and_says_there_is_more(client, world, settings):
    """A national list is not counted to its last row on every call: `count` stops at the
    limit (or at the end of the page asked for) and `more` tells the client to page on."""
    settings.CORRIDOR_COUNT_LIMIT = 3
    responder = world.users.responder
    for _ in range(6):
        PersonFactory(owner_agency=responder.agency)
    total = Person.objects.filter(owner_agency=responder.agency).count()
    headers = auth(responder)
    first = client.get("/api/persons?limit=2", headers=headers).json()
    assert (len(first["items"]), first["count"], first["more"]) == (2, 3, True)
    deep = client.get(f"/api/persons?limit=2&offset={total - 2}", headers=headers).json()
    assert (len(deep["items"]), deep["count"], deep["more"]) == (2, total, False)
    settings.CORRIDOR_COUNT_LIMIT = 100
    exact = client.get("/api/persons?limit=2", headers=headers).json()
    assert (exact["count"], exact["more"]) == (total, False)
