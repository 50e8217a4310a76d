"""The inbox: only a registered, active partner's signed, fresh, first-time message gets in.

Every refusal answers a clear JSON error, writes nothing and is audited with its reason —
never with the message's content. A message delivered twice is processed once.
"""

import base64
import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from joserfc.jwk import OKPKey

from corridor.audit.models import AuditEvent
from corridor.crossborder import services
from corridor.crossborder.keys import SigningKey
from corridor.crossborder.messages import MessageType, new_payload, verify
from corridor.crossborder.models import ReceivedMessage, TransnationalReferral
from corridor.crossborder.testing import Instance

OFFER_BODY = {
    "purpose": "return_reintegration",
    "categories": ["identity"],
    "record": {"prs_FirstName": "Blessing", "prs_Gender": "Female", "prs_Citizenship": "NG"},
    "sender": {"country": "IT", "agency": "Numero Verde Antitratta"},
}


def offer(**overrides) -> dict:
    """An offer from Italy to Nigeria (as the Italian instance would write it)."""
    payload = new_payload(
        type=MessageType.OFFER,
        recipient_country="NG",
        referral_id=str(uuid.uuid4()),
        body=OFFER_BODY,
    )
    payload["sender_country"] = "IT"
    return {**payload, **overrides}


def post(client, instance, token):
    with instance.active():
        return client.post("/crossborder/inbox", token, content_type="application/jose")


def refusals():
    return AuditEvent.objects.filter(object_type="crossborder_message", action="message_refused")


def nothing_written():
    return not TransnationalReferral.objects.exists() and not ReceivedMessage.objects.exists()


def test_a_signed_message_round_trips(partners, italy, nigeria):
    message = offer()
    token = italy.sign(message)
    with nigeria.active():
        verified = verify(token.encode())
    assert verified.partner == partners.italy
    assert {k: v for k, v in verified.payload.items() if k != "sent_at"} == message
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "Ed25519", "kid": italy.signing_key.key_id, "typ": "corridor-message"}


def test_a_valid_offer_is_accepted_audited_and_queued(client, partners, italy, nigeria):
    message = offer()
    response = post(client, nigeria, italy.sign(message))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    referral = TransnationalReferral.objects.get()
    assert referral.direction == "incoming" and referral.status == "received"
    assert referral.partner == partners.italy and referral.recipient_country == "NG"
    assert str(referral.remote_id) == message["referral_id"]
    assert referral.payload == OFFER_BODY["record"]
    event = AuditEvent.objects.get(
        object_type="crossborder_message", object_ref=message["message_id"]
    )
    assert event.action == "message_received" and event.details["partner"] == "IT"
    assert "Blessing" not in json.dumps(event.details)


def forged_by_someone_else(italy, message):
    """Signed with another key under Italy's key id."""
    impostor = SigningKey(italy.signing_key.key_id, OKPKey.generate_key("Ed25519"))
    return Instance("IT", "", impostor).sign(message)


def unknown_instance(tmp_path, message):
    return Instance.create("FR", tmp_path).sign({**message, "sender_country": "FR"})


def unsigned(italy, message):
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    header = {"alg": "none", "kid": italy.signing_key.key_id, "typ": "corridor-message"}
    stamped = {**message, "sent_at": timezone.now().isoformat()}
    return f"{part(header)}.{part(stamped)}."


CASES = {
    # story: (how the token is made, HTTP status, error code)
    "a forged signature": (lambda i, m, t: forged_by_someone_else(i, m), 401, "bad_signature"),
    "an unknown key id": (lambda i, m, t: unknown_instance(t, m), 401, "unknown_key"),
    "no signature (alg none)": (lambda i, m, t: unsigned(i, m), 400, "unsupported_algorithm"),
    "another recipient country": (
        lambda i, m, t: i.sign({**m, "recipient_country": "GH"}),
        400,
        "wrong_recipient",
    ),
    "a claimed sender country that is not the key's": (
        lambda i, m, t: i.sign({**m, "sender_country": "FR"}),
        403,
        "sender_mismatch",
    ),
    "a timestamp 10 minutes old": (
        lambda i, m, t: i.sign(m, now=timezone.now() - timedelta(minutes=10)),
        401,
        "stale_timestamp",
    ),
    "a timestamp 10 minutes ahead": (
        lambda i, m, t: i.sign(m, now=timezone.now() + timedelta(minutes=10)),
        401,
        "stale_timestamp",
    ),
    "an unknown message type": (
        lambda i, m, t: i.sign({**m, "type": "referral.teleported"}),
        400,
        "unknown_type",
    ),
    "garbage": (lambda i, m, t: "this is not a message", 400, "malformed"),
}


@pytest.mark.parametrize(("story", "case"), CASES.items(), ids=list(CASES))
def test_a_bad_message_is_refused_clearly_audited_and_writes_nothing(
    client, partners, italy, nigeria, tmp_path, story, case
):
    make, status, code = case
    response = post(client, nigeria, make(italy, offer(), tmp_path))
    assert response.status_code == status, response.json()
    body = response.json()
    assert body["error"] == code and body["detail"]
    assert nothing_written()
    event = refusals().get()
    assert event.reason == code and event.details["error"] == code
    assert "Blessing" not in json.dumps(event.details) + event.reason


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_a_suspended_or_revoked_partner_is_refused(
    client, world, partners, italy, nigeria, naptip, status
):
    with nigeria.active():
        if status == "suspended":
            services.suspend_partner(partners.italy, actor=naptip.admin, reason="audit")
        else:
            services.revoke_partner(partners.italy, actor=naptip.admin, reason="key leaked")
    response = post(client, nigeria, italy.sign(offer()))
    assert response.status_code == 403
    assert response.json()["error"] == f"partner_{status}"
    assert nothing_written()
    assert refusals().get().details["partner"] == "IT"


def test_the_same_message_delivered_twice_creates_one_referral(client, partners, italy, nigeria):
    message = offer()
    first = post(client, nigeria, italy.sign(message))
    # The acknowledgement was lost: Italy's outbox signs it again (new sent_at) and resends.
    again = post(client, nigeria, italy.sign(message))
    # And an exact copy of the first token, replayed within the freshness window.
    replayed = post(client, nigeria, italy.sign(message))
    assert first.json()["status"] == "accepted"
    assert again.status_code == replayed.status_code == 200
    assert again.json()["status"] == replayed.json()["status"] == "already_received"
    assert TransnationalReferral.objects.count() == 1
    assert ReceivedMessage.objects.count() == 1
    assert not refusals().exists()


def test_a_message_id_reused_for_other_content_is_refused_as_a_replay(
    client, partners, italy, nigeria
):
    message = offer()
    assert post(client, nigeria, italy.sign(message)).status_code == 200
    reused = {**message, "referral_id": str(uuid.uuid4())}
    response = post(client, nigeria, italy.sign(reused))
    assert response.status_code == 409
    assert response.json()["error"] == "message_id_reused"
    assert TransnationalReferral.objects.count() == 1
    assert refusals().get().reason == "message_id_reused"


def test_an_old_captured_message_cannot_be_replayed(client, partners, italy, nigeria):
    token = italy.sign(offer(), now=timezone.now() - timedelta(hours=2))
    response = post(client, nigeria, token)
    assert response.status_code == 401 and response.json()["error"] == "stale_timestamp"


def test_an_offer_with_a_field_outside_its_categories_is_refused_naming_it(
    client, partners, italy, nigeria
):
    body = {
        **OFFER_BODY,
        "record": {**OFFER_BODY["record"], "crd_Narrative": "what happened", "prs_Nickname": "x"},
    }
    response = post(client, nigeria, italy.sign(offer(body=body)))
    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "invalid_message"
    assert set(data["fields"]) == {"crd_Narrative", "prs_Nickname"}
    assert nothing_written()
    assert "what happened" not in json.dumps(refusals().get().details)


def test_an_invalid_value_is_refused_naming_the_field(client, partners, italy, nigeria):
    body = {
        **OFFER_BODY,
        "categories": ["identity", "contact"],
        "record": {**OFFER_BODY["record"], "prs_Email": "not an address"},
    }
    response = post(client, nigeria, italy.sign(offer(body=body)))
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["prs_Email"]


def test_only_post_reaches_the_inbox(client, partners, nigeria):
    with nigeria.active():
        assert client.get("/crossborder/inbox").status_code == 405


def test_unauthenticated_garbage_is_counted_not_audited_row_by_row(client, partners, nigeria):
    """500 garbage posts make a handful of audit rows (first, 10th, 100th), then the source is
    refused unread."""
    from corridor.crossborder import inbox

    answers = [
        post(client, nigeria, "garbage").status_code for _ in range(inbox.UNAUTHENTICATED_LIMIT + 5)
    ]
    assert set(answers[: inbox.UNAUTHENTICATED_LIMIT]) == {400}
    assert set(answers[inbox.UNAUTHENTICATED_LIMIT :]) == {429}
    counted = [e.details["refused_in_window"] for e in refusals().order_by("id")]
    assert counted == [1, 10, 100]
    assert all(e.details["unauthenticated"] for e in refusals())


def test_a_known_partners_refused_messages_stay_audited_one_by_one(
    client, partners, italy, nigeria
):
    for _ in range(3):
        post(client, nigeria, italy.sign({**offer(), "recipient_country": "GH"}))
    assert refusals().count() == 3


def test_a_body_over_the_limit_is_refused_in_json_without_being_read(client, partners, nigeria):
    with nigeria.active():
        response = client.post(
            "/crossborder/inbox", b"x" * (3 * 1024 * 1024), content_type="application/jose"
        )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
