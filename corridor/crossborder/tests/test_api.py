"""The crossborder API: the same rules as the pages, for integrations."""

import pytest

from corridor.accounts.services import issue_api_token
from corridor.crossborder import keys
from corridor.crossborder.models import OutboxMessage, Partner, TransnationalReferral
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.testing import ClientTransport


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="integration")
    return {"Authorization": f"Bearer {raw}"}


def post(client, url, body, user):
    return client.post(url, body, content_type="application/json", headers=auth(user))


def send_url(world, preview=False):
    return f"/api/cases/{world.case.reference}/transnational-referrals" + (
        "?preview=1" if preview else ""
    )


SEND = {"partner_country": "NG", "purpose": "return_reintegration"}


def test_the_schema_documents_the_crossborder_endpoints(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/crossborder/partners" in paths
    assert "/api/cases/{reference}/transnational-referrals" in paths
    assert "/api/crossborder/referrals/{reference}/accept" in paths


@pytest.mark.parametrize(("username", "expected"), [("admin", 200), ("coordinator", 403)])
def test_only_administrators_list_partners(client, world, partners, username, expected):
    response = client.get("/api/crossborder/partners", headers=auth(getattr(world.users, username)))
    assert response.status_code == expected
    if expected == 200:
        assert [p["country"] for p in response.json()["items"]] == ["IT", "NG"]


def test_an_administrator_registers_and_suspends_a_partner(client, world, italy):
    jwk = keys.generate_instance_key().public_jwk
    body = {
        "country": "GH",
        "name": "Ghana NRM",
        "base_url": "https://gh.example.org",
        "public_jwk": jwk,
    }
    response = post(client, "/api/crossborder/partners", body, world.users.admin)
    assert response.status_code == 201, response.json()
    partner_id = response.json()["id"]
    response = post(
        client,
        f"/api/crossborder/partners/{partner_id}/suspend",
        {"reason": "audit"},
        world.users.admin,
    )
    assert response.json()["status"] == "suspended"
    assert (
        post(client, "/api/crossborder/partners", body, world.users.coordinator).status_code == 403
    )

    bad = {**body, "country": "SN", "public_jwk": {**jwk, "d": "secret"}}
    response = post(client, "/api/crossborder/partners", bad, world.users.admin)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["public_jwk"]
    assert Partner.objects.count() == 1


def test_a_preview_sends_nothing_and_is_what_is_sent(client, world, partners, consent):
    preview = post(client, send_url(world, preview=True), SEND, world.users.coordinator)
    assert preview.status_code == 200
    assert not TransnationalReferral.objects.exists() and not OutboxMessage.objects.exists()
    sent = post(client, send_url(world), SEND, world.users.coordinator)
    assert sent.status_code == 201
    assert sent.json()["record"] == preview.json()["record"]
    assert sent.json()["status"] == "sent" and sent.json()["direction"] == "outgoing"


@pytest.mark.parametrize(
    ("username", "expected"),
    [("coordinator", 201), ("responder", 403), ("other_provider", 404), ("admin", 404)],
)
def test_only_coordinators_send_through_the_api(
    client, world, partners, consent, username, expected
):
    response = post(client, send_url(world), SEND, getattr(world.users, username))
    assert response.status_code == expected


def test_the_api_names_what_is_missing(client, world, partners):
    response = post(client, send_url(world), SEND, world.users.coordinator)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["consent"]
    response = post(
        client, send_url(world), {**SEND, "partner_country": "GH"}, world.users.coordinator
    )
    assert [e["field"] for e in response.json()["detail"]] == ["partner_country"]


def test_nigeria_answers_and_follows_up_through_the_api(
    client, world, partners, consent, italy, nigeria, naptip
):
    post(client, send_url(world), SEND, world.users.coordinator)
    deliver_pending(transport=ClientTransport(client, nigeria))
    with nigeria.active():
        queue = client.get("/api/crossborder/queue", headers=auth(naptip.coordinator))
        assert queue.status_code == 200
        (item,) = queue.json()["items"]
        assert item["status"] == "received" and item["sender"]["country"] == "IT"
        reference = item["reference"]
        assert (
            client.get("/api/crossborder/queue", headers=auth(naptip.responder)).status_code == 403
        )
        base = f"/api/crossborder/referrals/{reference}"
        assert post(client, f"{base}/accept", {}, naptip.responder).status_code == 404
        accepted = post(client, f"{base}/accept", {"version": item["version"]}, naptip.coordinator)
        assert accepted.status_code == 200 and accepted.json()["case_reference"]
        bad = post(
            client, f"{base}/status", {"status": "reintegration_followup"}, naptip.coordinator
        )
        assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "month"
        ok = post(
            client,
            f"{base}/status",
            {"status": "reintegration_followup", "month": 6},
            naptip.coordinator,
        )
        assert ok.json()["status"] == "reintegration_followup"
        assert ok.json()["followup_month"] == 6
        assert (
            post(client, f"{base}/withdraw", {"reason": "x"}, naptip.coordinator).status_code == 403
        )
    with nigeria.active():
        deliver_pending(transport=ClientTransport(client, italy))
    outgoing = TransnationalReferral.objects.get(direction="outgoing")
    detail = client.get(
        f"/api/crossborder/referrals/{outgoing.reference}", headers=auth(world.users.coordinator)
    ).json()
    assert [r["status"] for r in detail["reports"]] == ["accepted", "reintegration_followup"]
    withdrawn = post(
        client,
        f"/api/crossborder/referrals/{outgoing.reference}/withdraw",
        {"reason": "She moved on."},
        world.users.coordinator,
    )
    assert withdrawn.json()["status"] == "withdrawn"
    declined = post(
        client,
        f"/api/crossborder/referrals/{outgoing.reference}/decline",
        {"reason": "no"},
        world.users.coordinator,
    )
    assert declined.status_code == 403  # Italy sent it: it does not answer it
