"""The durable outbox: nothing sent for a rolled-back change, nothing lost when the partner is
down, every message delivered once and in order when it comes back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.crossborder import services
from corridor.crossborder.messages import MessageType
from corridor.crossborder.models import OutboxMessage, ReceivedMessage, TransnationalReferral
from corridor.crossborder.outbox import backoff_delay, deliver_pending, enqueue
from corridor.crossborder.testing import ClientTransport


@pytest.fixture
def referral(world, partners, consent):
    return services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )


def later(minutes=60):
    return lambda: timezone.now() + timedelta(minutes=minutes)


def pending():
    return OutboxMessage.objects.filter(status="pending")


def incoming():
    return TransnationalReferral.objects.filter(direction="incoming")


def test_a_rolled_back_change_sends_nothing(world, partners, consent):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.send_transnational_referral(
            world.case,
            actor=world.users.coordinator,
            partner=partners.nigeria,
            purpose="return_reintegration",
        )
        raise RuntimeError("the process died before commit")
    assert not OutboxMessage.objects.exists()
    assert not TransnationalReferral.objects.exists()


def test_the_offer_waits_in_the_outbox_until_the_partner_acknowledges_it(client, referral, nigeria):
    message = OutboxMessage.objects.get()
    assert (message.type, message.status, message.referral) == (
        "referral.offer",
        "pending",
        referral,
    )
    report = deliver_pending(transport=ClientTransport(client, nigeria))
    assert report.delivered == 1
    message.refresh_from_db()
    assert message.status == "delivered" and message.attempts == 1
    assert message.delivered_at is not None and message.token.count(".") == 2
    referral.refresh_from_db()
    assert referral.status == "received"  # the partner's acknowledgement
    assert incoming().count() == 1
    assert AuditEvent.objects.filter(
        action="export", object_type="crossborder_message", object_ref=str(message.message_id)
    ).exists()


@pytest.mark.parametrize("outage", ["down", "503"])
def test_a_partner_down_loses_nothing_and_gets_each_message_once_when_back(
    client, world, referral, partners, nigeria, outage
):
    tracing = services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="family_tracing",
    )
    broken = ClientTransport(client, nigeria, down=outage == "down")
    if outage == "503":
        broken.fail_with = 503
    for attempt in range(1, 4):
        report = deliver_pending(transport=broken, now=later(attempt * 60))
        assert report.delivered == 0 and report.retrying == 1  # the head; the other waits
        head = pending().order_by("created_at", "pk").first()
        assert head.referral == referral and head.attempts == attempt
        assert head.next_attempt_at > timezone.now() + timedelta(minutes=attempt * 60)
        assert outage in head.last_error.lower() or "refused" in head.last_error
    assert pending().count() == 2 and not incoming().exists()
    assert len(broken.calls) == 3  # only the oldest was tried: order is kept

    working = ClientTransport(client, nigeria)
    report = deliver_pending(transport=working, now=later(24 * 60))
    assert report.delivered == 2 and not pending().exists()
    received = [m.referral.remote_id for m in ReceivedMessage.objects.order_by("received_at", "pk")]
    assert received == [referral.uid, tracing.uid]  # in order

    assert deliver_pending(transport=working, now=later(48 * 60)).attempted == 0
    assert ReceivedMessage.objects.count() == 2 and incoming().count() == 2  # once each


def test_withdrawing_before_delivery_cancels_the_offer_so_no_data_leaves(
    client, world, referral, nigeria
):
    services.withdraw_transnational_referral(
        referral, actor=world.users.coordinator, reason="She decided to stay in Italy."
    )
    offer, withdrawal = OutboxMessage.objects.order_by("created_at", "pk")
    assert offer.status == "cancelled" and withdrawal.status == "pending"
    transport = ClientTransport(client, nigeria)
    assert deliver_pending(transport=transport).delivered == 1
    assert len(transport.calls) == 1
    assert ReceivedMessage.objects.get().outcome.startswith("ignored")  # nothing held there
    assert not incoming().exists()


def test_a_lost_acknowledgement_is_redelivered_and_processed_once(client, referral, nigeria):
    flaky = ClientTransport(client, nigeria, lose_answers=1)
    report = deliver_pending(transport=flaky)
    assert report.retrying == 1
    assert incoming().count() == 1  # it did arrive
    assert pending().count() == 1  # but Italy does not know

    report = deliver_pending(transport=ClientTransport(client, nigeria), now=later())
    assert report.delivered == 1
    assert incoming().count() == 1
    assert ReceivedMessage.objects.count() == 1
    message = OutboxMessage.objects.get()
    assert message.attempts == 2 and message.status == "delivered"


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap(settings):
    settings.CORRIDOR_CROSSBORDER_RETRY_BASE_SECONDS = 2
    settings.CORRIDOR_CROSSBORDER_RETRY_MAX_SECONDS = 900
    lowest = [backoff_delay(n, rng=lambda: 0.0).total_seconds() for n in range(1, 12)]
    highest = [backoff_delay(n, rng=lambda: 0.999999).total_seconds() for n in range(1, 12)]
    assert lowest[:5] == [1, 2, 4, 8, 16]  # half of 2, 4, 8, 16, 32
    assert [round(h) for h in highest[:5]] == [2, 4, 8, 16, 32]
    assert max(highest) <= 900 and lowest[-1] == 450


def test_a_refused_message_is_retried_then_held_as_failed_for_the_administrators(
    client, world, referral, partners, nigeria, naptip, settings, django_capture_on_commit_callbacks
):
    settings.CORRIDOR_CROSSBORDER_MAX_REJECTIONS = 3
    with nigeria.active():  # Nigeria has not registered Italy's new key: it refuses
        services.suspend_partner(partners.italy, actor=naptip.admin)
    transport = ClientTransport(client, nigeria)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(1, 4):
            deliver_pending(transport=transport, now=later(n * 60))
    message = OutboxMessage.objects.get()
    assert message.status == "failed" and message.rejections == 3
    assert message.last_status_code == 403 and "partner_suspended" in message.last_error
    assert world.users.admin.notifications.filter(message__contains="refused").exists()
    assert not incoming().exists()

    # Fixed on the other side: an administrator puts it back in the queue.
    with nigeria.active():
        services.reactivate_partner(partners.italy, actor=naptip.admin)
    assert services.retry_failed_messages(partners.nigeria, actor=world.users.admin) == 1
    assert deliver_pending(transport=transport).delivered == 1
    assert incoming().count() == 1


def test_a_failed_message_does_not_hold_back_the_next_ones(
    client, world, partners, consent, nigeria, settings
):
    settings.CORRIDOR_CROSSBORDER_MAX_REJECTIONS = 1
    with transaction.atomic():  # a status report about no referral: Nigeria refuses it (422)
        enqueue(partners.nigeria, type=MessageType.STATUS, body={"status": "assisted"})
    services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    report = deliver_pending(transport=ClientTransport(client, nigeria))
    assert (report.failed, report.delivered) == (1, 1)
    failed = OutboxMessage.objects.get(status="failed")
    assert failed.last_status_code == 422 and "invalid_message" in failed.last_error
    assert incoming().count() == 1


def test_messages_to_a_suspended_partner_wait_and_to_a_revoked_one_fail(
    client, world, referral, partners, nigeria
):
    services.suspend_partner(partners.nigeria, actor=world.users.admin)
    report = deliver_pending(transport=ClientTransport(client, nigeria))
    assert report.held == 1 and pending().count() == 1
    services.revoke_partner(partners.nigeria, actor=world.users.admin, reason="key leaked")
    assert OutboxMessage.objects.get().status == "failed"
    assert not incoming().exists()


def test_a_deliverer_killed_holding_the_lease_does_not_hold_up_its_partner(
    client, referral, partners, nigeria
):
    """Its worker was killed mid-delivery: the next pass takes over at once, not in minutes."""
    import socket
    import subprocess
    import sys

    from corridor.crossborder.outbox import _take_lease

    ended = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    ended.wait()
    assert _take_lease(partners.nigeria, f"{socket.gethostname()[:22]}|{ended.pid}|deadbeef")
    report = deliver_pending(transport=ClientTransport(client, nigeria))
    assert report.delivered == 1 and pending().count() == 0


def test_a_second_deliverer_leaves_a_partner_being_served_alone(
    client, referral, partners, nigeria
):
    from corridor.crossborder.outbox import _take_lease

    assert _take_lease(partners.nigeria, "another worker")
    report = deliver_pending(transport=ClientTransport(client, nigeria))
    assert report.attempted == 0 and pending().count() == 1
