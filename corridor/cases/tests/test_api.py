"""The cases API, story by story: the pages' need-to-know, audited reads, versioned changes.

The world (corridor/conftest.py): Palermo police opened a protection case for a woman and
referred it to a shelter in Palermo.
"""

import pytest

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.consent.models import Consent
from corridor.core.testing import NOW, CaseFactory, PersonFactory


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
    assert response.json() == {"items": [], "count": 0, "more": False}


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


def test_closing_a_case_records_when_and_why(client, world):
    url = f"/api/cases/{world.case.reference}/status"
    refused = post(client, url, {"status": "closed", "version": 1}, world.users.coordinator)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["detail"]] == ["closure_reason"]
    response = post(
        client,
        url,
        {"status": "closed", "version": 1, "closure_reason": "lost_contact"},
        world.users.coordinator,
    )
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None
    assert response.json()["closure_reason"] == "lost_contact"
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


# --- the case file through the API -------------------------------------------------------------


def test_the_coordinator_moves_a_case_through_transitions_and_reads_its_history(client, world):
    url = f"/api/cases/{world.case.reference}/transitions"
    coordinator = world.users.coordinator
    before = client.get(url, headers=auth(coordinator)).json()
    assert before["allowed"] == ["referred", "assisted", "closed"]
    version = before["version"]
    for stage in ("referred", "assisted", "long_term_support"):
        response = post(client, url, {"to": stage, "version": version, "note": stage}, coordinator)
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    closed = post(
        client,
        url,
        {"to": "closed", "version": version, "closure_reason": "assisted_reintegrated"},
        coordinator,
    )
    assert (closed.json()["status"], closed.json()["closure_reason"]) == (
        "closed",
        "assisted_reintegrated",
    )
    after = client.get(url, headers=auth(coordinator)).json()
    assert after["allowed"] == ["identified", "long_term_support"]  # reopen: fresh or as it was
    assert [(e["from_value"], e["to_value"]) for e in after["history"]] == [
        ("presumed_victim", "referred"),
        ("referred", "assisted"),
        ("assisted", "long_term_support"),
        ("long_term_support", "closed"),
    ]
    assert after["history"][-1]["actor"] == "coordinator"
    assert after["history"][-1]["reason"] == "assisted_reintegrated"


def test_a_forbidden_transition_names_the_stage_under_the_field_to(client, world):
    response = post(
        client,
        f"/api/cases/{world.case.reference}/transitions",
        {"to": "local_integration", "version": 1},
        world.users.coordinator,
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "to"
    assert "Presumed victim" in error["message"] and "Local integration" in error["message"]


@pytest.mark.parametrize(
    ("username", "to", "expected"),
    [
        ("responder", "closed", 403),  # closing is the coordinator's
        ("investigator", "closed", 403),
        ("provider", "assisted", 403),  # the shelter has not accepted the referral yet
        ("other_provider", "assisted", 404),
        ("foreign_coordinator", "closed", 404),
        ("coordinator", "closed", 200),
    ],
)
def test_transitions_are_allowed_only_to_the_right_role(client, world, username, to, expected):
    body = {"to": to, "version": 1, "closure_reason": "lost_contact" if to == "closed" else ""}
    response = post(
        client,
        f"/api/cases/{world.case.reference}/transitions",
        body,
        getattr(world.users, username),
    )
    assert response.status_code == expected
    stored = ProtectionCase.objects.get(pk=world.case.pk).status
    assert (stored == to) == (expected == 200)


def test_a_transition_on_a_stale_version_gets_409(client, world):
    url = f"/api/cases/{world.case.reference}/transitions"
    post(client, url, {"to": "referred", "version": 1}, world.users.responder)
    response = post(client, url, {"to": "assisted", "version": 1}, world.users.coordinator)
    assert response.status_code == 409
    assert ProtectionCase.objects.get(pk=world.case.pk).status == "referred"


@pytest.mark.time_machine(NOW)  # 2 April 2026: the period started a month ago
def test_the_reflection_period_is_started_extended_and_read(client, world):
    url = f"/api/cases/{world.case.reference}/reflection"
    coordinator = world.users.coordinator
    started = post(client, url, {"version": 1, "starts_on": "2026-03-01"}, coordinator)
    assert started.status_code == 200
    assert (started.json()["ends_on"], started.json()["total_days"]) == ("2026-03-30", 30)
    extended = post(
        client,
        f"{url}/extensions",
        {"version": 2, "new_end": "2026-04-14", "reason": "Surgery."},
        coordinator,
    )
    assert extended.status_code == 201
    body = client.get(url, headers=auth(world.users.provider)).json()
    assert (body["ends_on"], body["total_days"], body["version"]) == ("2026-04-14", 45, 3)
    assert [e["reason"] for e in body["extensions"]] == ["Surgery."]
    short = post(
        client,
        f"{url}/extensions",
        {"version": 3, "new_end": "2026-04-01", "reason": "x"},
        coordinator,
    )
    assert short.status_code == 422
    assert [e["field"] for e in short.json()["detail"]] == ["new_end"]


def test_needs_are_added_and_listed(client, world):
    url = f"/api/cases/{world.case.reference}/needs"
    response = post(
        client,
        url,
        {"needs": ["shelter", "mhpss"], "notes": "Sleeps badly."},
        world.users.responder,
    )
    assert response.status_code == 201
    assert response.json()["assessor"] == "responder"
    bad = post(client, url, {"needs": ["spa_day"]}, world.users.responder)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "needs.0"
    listed = client.get(url, headers=auth(world.users.coordinator)).json()
    assert [a["needs"] for a in listed] == [["shelter", "mhpss"]]
    assert client.get(url, headers=auth(world.users.other_provider)).status_code == 404


def test_reviews_are_scheduled_and_completed_by_a_coordinator(client, world):
    url = f"/api/cases/{world.case.reference}/reviews"
    assert post(client, url, {"due_on": "2099-01-01"}, world.users.responder).status_code == 403
    created = post(
        client, url, {"due_on": "2099-01-01", "topic": "Return plan"}, world.users.coordinator
    )
    assert created.status_code == 201 and created.json()["overdue"] is False
    review_id = created.json()["id"]
    done = post(
        client, f"{url}/{review_id}/complete", {"outcome": "Plan agreed."}, world.users.coordinator
    )
    assert done.status_code == 200 and done.json()["outcome"] == "Plan agreed."
    again = post(client, f"{url}/{review_id}/complete", {"outcome": "x"}, world.users.coordinator)
    assert again.status_code == 422


def test_risk_coordinator_and_principles_through_the_api(client, world):
    ref = world.case.reference
    coordinator = world.users.coordinator
    risk = post(
        client,
        f"/api/cases/{ref}/risk",
        {"risk_level": "high", "reason": "Threats.", "version": 1},
        coordinator,
    )
    assert risk.json()["risk_level"] == "high"
    assigned = post(
        client,
        f"/api/cases/{ref}/coordinator",
        {"username": "coordinator", "version": 2},
        coordinator,
    )
    assert assigned.json()["coordinator"] == "coordinator"
    nobody = post(
        client, f"/api/cases/{ref}/coordinator", {"username": "ghost", "version": 3}, coordinator
    )
    assert nobody.status_code == 422 and nobody.json()["detail"][0]["field"] == "coordinator"
    principles = post(
        client,
        f"/api/cases/{ref}/principles",
        {"assistance_unconditional": True, "cooperation_status": "declined", "version": 3},
        coordinator,
    )
    assert (
        principles.json()["cooperation_status"],
        principles.json()["assistance_unconditional"],
    ) == ("declined", True)


def test_consents_are_recorded_listed_and_revoked(client, world):
    url = f"/api/persons/{world.person.reference}/consents"
    body = {
        "purposes": ["assistance"],
        "data_categories": ["identity", "health"],
        "method": "written",
        "recipient_agencies": [world.shelter.pk],
        "recipient_countries": ["ng"],
        "case": world.case.reference,
    }
    created = post(client, url, body, world.users.responder)
    assert created.status_code == 201
    consent = created.json()
    assert consent["case_reference"] == world.case.reference and consent["active"]
    assert [a["id"] for a in consent["recipient_agencies"]] == [world.shelter.pk]
    assert consent["recipient_countries"] == ["NG"]

    listed = client.get(url, headers=auth(world.users.provider))
    assert [c["id"] for c in listed.json()] == [consent["id"]]
    assert AuditEvent.objects.filter(
        action="view", object_ref=world.person.reference, details__purpose="consents"
    ).exists()

    revoke = f"/api/consents/{consent['id']}/revoke"
    assert post(client, revoke, {"reason": "x"}, world.users.provider).status_code == 403
    assert post(client, revoke, {"reason": "x"}, world.users.foreign_coordinator).status_code == 404
    revoked = post(client, revoke, {"reason": "She changed her mind."}, world.users.coordinator)
    assert revoked.status_code == 200
    assert (revoked.json()["active"], revoked.json()["revocation_reason"]) == (
        False,
        "She changed her mind.",
    )
    assert post(client, revoke, {}, world.users.coordinator).status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"recipient_agencies": [999999]}, "recipient_agencies"),
        ({"case": "C-00000000"}, "case"),
        ({"purposes": ["gossip"]}, "purposes.0"),
    ],
)
def test_bad_consent_input_names_the_field_and_writes_nothing(client, world, change, field):
    body = {
        "purposes": ["assistance"],
        "data_categories": ["identity"],
        "method": "verbal",
        "recipient_sectors": ["shelter"],
        **change,
    }
    response = post(
        client, f"/api/persons/{world.person.reference}/consents", body, world.users.responder
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert not Consent.objects.exists()


def test_a_childs_consent_through_the_api_must_come_from_the_guardian(client, world):
    world.person.age_disputed = True
    world.person.save()
    body = {
        "purposes": ["assistance"],
        "data_categories": ["identity"],
        "method": "verbal",
        "recipient_sectors": ["shelter"],
    }
    url = f"/api/persons/{world.person.reference}/consents"
    response = post(client, url, body, world.users.responder)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "method"
    assert (
        post(client, url, {**body, "method": "guardian"}, world.users.responder).status_code == 201
    )


def test_a_shelter_reads_needs_only_when_its_referral_shares_them(client, world):
    url = f"/api/cases/{world.case.reference}/needs"
    post(client, url, {"needs": ["medical"]}, world.users.coordinator)
    refused = client.get(url, headers=auth(world.users.provider))
    assert refused.status_code == 403  # the referral shares identity and case only
    history = client.get(
        f"/api/cases/{world.case.reference}/transitions", headers=auth(world.users.provider)
    )
    assert history.status_code == 200
