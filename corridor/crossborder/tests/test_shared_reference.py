"""One referral, one reference on both sides: the offer carries the sender's reference and the
receiving instance files the referral under it, so that the two coordinators quote the same
one on the phone; each side finds the referral by it in its queue.

The two instances of these tests share one database, so a referral sent by Italy already
holds its reference when it arrives in Nigeria: that is the (otherwise one in a million
million) collision, and Nigeria shows Italy's reference beside its own. The message is faked
for the case where the reference is free, as it is between two real instances (the
end-to-end test checks that too).
"""

import uuid

import pytest

from corridor.crossborder import services
from corridor.crossborder.messages import MessageType, new_payload
from corridor.crossborder.models import ReceivedMessage, TransnationalReferral
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.testing import ClientTransport

RECORD = {"prs_FirstName": "Blessing", "prs_Gender": "Female", "prs_Citizenship": "NG"}


@pytest.fixture
def exchange(client, italy, nigeria, django_capture_on_commit_callbacks):
    """Deliver everything each instance has queued to the other."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            with italy.active():
                deliver_pending(transport=ClientTransport(client, nigeria))
            with nigeria.active():
                deliver_pending(transport=ClientTransport(client, italy))

    return run


def offer_from_italy(italy, **body) -> str:
    """An offer from Italy to Nigeria, signed by Italy, as an Italian instance writes it."""
    payload = new_payload(
        type=MessageType.OFFER,
        recipient_country="NG",
        referral_id=str(uuid.uuid4()),
        body={
            "purpose": "return_reintegration",
            "categories": ["identity"],
            "record": RECORD,
            "sender": {"country": "IT", "agency": "Numero Verde Antitratta"},
            **body,
        },
    )
    payload["sender_country"] = "IT"
    return italy.sign(payload)


def post(client, nigeria, token):
    with nigeria.active():
        return client.post("/crossborder/inbox", token, content_type="application/jose")


def look_up(client, user, instance, reference: str):
    client.force_login(user)
    with instance.active():
        return client.get("/crossborder/", {"reference": reference})


def test_a_referral_received_is_filed_under_the_senders_reference(
    client, partners, italy, nigeria, naptip, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, nigeria, offer_from_italy(italy, reference="X-7K3F9QXM"))
    assert response.status_code == 200, response.json()
    received = TransnationalReferral.objects.get(direction="incoming")
    assert received.reference == received.partner_reference == "X-7K3F9QXM"

    # Nigeria's coordinator, on the phone with Italy, types the reference as she hears it.
    found = look_up(client, naptip.coordinator, nigeria, " x-7k3f 9qxm ")
    assert found.status_code == 302 and found["Location"] == "/crossborder/X-7K3F9QXM/"
    with nigeria.active():
        page = client.get(found["Location"]).content.decode()
        queue = client.get("/crossborder/").content.decode()
    assert "X-7K3F9QXM" in page and "the same as here" in page
    assert "X-7K3F9QXM" in queue and 'data-testid="partner-reference"' not in queue
    # Told under it too.
    assert naptip.coordinator.notifications.filter(message__contains="X-7K3F9QXM").exists()


def test_an_offer_without_a_reference_still_gets_in(client, partners, italy, nigeria):
    """An instance of an older version sends none: the referral gets a reference of its own."""
    response = post(client, nigeria, offer_from_italy(italy))
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    received = TransnationalReferral.objects.get(direction="incoming")
    assert received.reference.startswith("X-") and received.partner_reference == ""
    assert not received.partner_reference_differs


@pytest.mark.parametrize("reference", ["P-7K3F9QXM", "X-7k3f9qxm", "X-1", 12345678, ["X-7K"]])
def test_a_malformed_reference_is_refused(client, partners, italy, nigeria, reference):
    response = post(client, nigeria, offer_from_italy(italy, reference=reference))
    answer = response.json()
    assert response.status_code == 422
    assert answer["error"] == "invalid_message" and "reference" in answer["fields"]
    assert not TransnationalReferral.objects.exists() and not ReceivedMessage.objects.exists()


def test_across_the_border_the_referral_is_found_under_the_senders_reference(
    client, world, partners, consent, italy, nigeria, naptip, exchange
):
    sent = services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    exchange()
    received = TransnationalReferral.objects.get(direction="incoming")
    assert received.partner_reference == sent.reference
    # In this shared database Italy's row holds the reference already (see the module's
    # docstring): Nigeria keeps one of its own and shows Italy's beside it.
    assert received.reference != sent.reference and received.partner_reference_differs

    # Nigeria's coordinator finds it under Italy's reference, and sees both on its page.
    found = look_up(client, naptip.coordinator, nigeria, sent.reference)
    assert found.status_code == 302
    assert found["Location"] == f"/crossborder/{received.reference}/"
    with nigeria.active():
        page = client.get(found["Location"]).content.decode()
        queue = client.get("/crossborder/").content.decode()
    assert sent.reference in page and "quote both" in page
    assert received.reference in queue and f"{sent.reference}</bdi>" in queue

    # She accepts: the answer carries her reference back, and Italy finds it under it too.
    with nigeria.active():
        services.accept_incoming_referral(received, actor=naptip.coordinator)
    exchange()
    sent.refresh_from_db()
    assert sent.status == "accepted" and sent.partner_reference == received.reference
    found = look_up(client, world.users.coordinator, italy, received.reference)
    assert found.status_code == 302 and found["Location"] == f"/crossborder/{sent.reference}/"
    with italy.active():
        page = client.get(found["Location"]).content.decode()
    assert received.reference in page

    # Neither side finds the other's record: each looks within what it may see.
    with italy.active():
        assert client.get(f"/crossborder/{received.reference}/").status_code == 404


def test_a_reference_not_known_here_finds_nothing(client, partners, italy, nigeria, naptip):
    post(client, nigeria, offer_from_italy(italy, reference="X-7K3F9QXM"))
    response = look_up(client, naptip.coordinator, nigeria, "X-0000AAAA")
    assert response.status_code == 200
    assert "No transnational referral under the reference X-0000AAAA." in response.content.decode()


def test_a_reference_taken_a_moment_ago_leaves_the_referral_one_of_its_own(
    partners, italy, nigeria, monkeypatch
):
    """Between the check and the insert another referral took it: the savepoint rolls back
    and the referral is saved under a reference of its own."""
    with nigeria.active():
        services.handle_offer(
            partners.italy,
            {
                "referral_id": str(uuid.uuid4()),
                "body": {
                    "reference": "X-7K3F9QXM",
                    "purpose": "return_reintegration",
                    "categories": ["identity"],
                    "record": RECORD,
                },
            },
        )
        late = TransnationalReferral(
            direction="incoming",
            partner=partners.italy,
            remote_id=uuid.uuid4(),
            recipient_country="NG",
            purpose="return_reintegration",
            partner_reference="X-7K3F9QXM",
        )
        monkeypatch.setattr("django.db.models.query.QuerySet.exists", lambda self: False)
        services._save_under_reference(late, "X-7K3F9QXM")
    late.refresh_from_db()
    assert late.reference != "X-7K3F9QXM" and late.partner_reference_differs
