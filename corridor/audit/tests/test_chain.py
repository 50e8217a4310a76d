"""The audit trail is append-only and tamper-evident."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from corridor.audit.models import AuditChainHead, AuditEvent
from corridor.audit.services import Action, chain_all, record_event, verify_chain


@pytest.fixture
def trail(world):
    actor = world.users.responder
    return [
        record_event(Action.VIEW, actor=actor, obj=world.person, details={"n": n}) for n in range(5)
    ]


def test_an_untouched_trail_verifies(trail, capsys):
    report = verify_chain()
    assert report.ok and report.checked == len(trail)
    call_command("audit", "verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_an_edited_event_is_found(trail):
    AuditEvent.objects.filter(pk=trail[2].pk).update(actor_username="somebody-else")
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == trail[2].pk
    assert "content was altered" in report.problem
    with pytest.raises(CommandError, match=f"at event {trail[2].pk}"):
        call_command("audit", "verify")


def test_an_edit_that_also_recomputes_the_hash_breaks_the_next_link(trail):
    forged = AuditEvent.objects.get(pk=trail[1].pk)
    forged.reason = "covering tracks"
    AuditEvent.objects.filter(pk=forged.pk).update(reason=forged.reason, hash=forged.compute_hash())
    report = verify_chain()
    assert report.broken_at == trail[2].pk


def test_a_removed_event_is_found(trail):
    AuditEvent.objects.filter(pk=trail[3].pk).delete()
    assert verify_chain().broken_at == trail[4].pk


def test_removing_the_last_events_is_found(trail):
    AuditEvent.objects.filter(pk__gte=trail[3].pk).delete()
    report = verify_chain()
    assert not report.ok
    assert "end of the trail" in report.problem


def test_events_cannot_be_changed_or_deleted_through_the_model(trail):
    event = trail[0]
    event.reason = "edited"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_viewing_a_person_is_audited_with_who_and_from_where(client, world, settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    client.force_login(world.users.responder)
    client.get(
        f"/people/{world.person.reference}/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Field tablet"
    )
    event = AuditEvent.objects.get(action="view", object_ref=world.person.reference)
    assert event.actor_username == "responder"
    assert event.actor_agency == world.police.name
    assert event.ip_address == "10.1.2.3"
    assert event.user_agent == "Field tablet"


def test_administrators_read_a_records_trail_in_the_ui(client, world, settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    record_event(Action.VIEW, actor=world.users.responder, obj=world.person)
    client.force_login(world.users.admin)
    page = client.get("/audit/", {"record": world.person.reference}).content.decode()
    assert world.person.reference in page and "responder" in page
    assert "intact" in client.get("/audit/verify/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_linear_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("needs a server database: SQLite in memory is one connection")

    def write(worker: int) -> None:
        try:
            for n in range(10):
                record_event(Action.VIEW, object_type="person", object_ref=f"P-W{worker}N{n}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    chain_all()  # what the worker's sweep does within a minute
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == 40
    assert report.waiting == 0
    assert sorted(AuditEvent.objects.values_list("chain_seq", flat=True)) == list(range(1, 41))


@pytest.mark.django_db(transaction=True)
def test_recording_a_view_does_not_wait_for_whoever_holds_the_chain():
    """A long transaction holding the chain head (an import, a slow sweep) delays sealing,
    never the people reading records: their events wait and are sealed after it."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite":
        pytest.skip("needs row locks: SQLite serialises every writer anyway")
    AuditChainHead.objects.get_or_create(pk=1)  # as the migration made it
    holding, release = threading.Event(), threading.Event()

    def hold_the_head() -> None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_head)
    holder.start()
    assert holding.wait(10)
    done = threading.Event()

    def view() -> None:
        try:
            record_event(Action.VIEW, object_type="person", object_ref="P-WAITS-NOT")
            done.set()
        finally:
            connections.close_all()

    viewer = threading.Thread(target=view)
    viewer.start()
    finished_while_held = done.wait(10)
    release.set()
    holder.join(10)
    viewer.join(10)
    assert finished_while_held, "recording a view waited for the chain head"
    event = AuditEvent.objects.get(object_ref="P-WAITS-NOT")
    assert event.chain_seq is None
    assert verify_chain().waiting == 1
    assert chain_all() == 1
    report = verify_chain()
    assert report.ok and report.waiting == 0


def test_an_event_held_out_of_the_chain_is_reported(trail, monkeypatch, time_machine):
    from corridor.audit import services

    monkeypatch.setattr(services, "_take_head", lambda **kwargs: None)  # as if held
    slipped = record_event(Action.VIEW, object_type="person", object_ref="P-SLIPPED")
    monkeypatch.undo()
    assert slipped.chain_seq is None
    report = verify_chain()
    assert report.ok and report.waiting == 1  # moments after writing: normal

    time_machine.move_to(timezone.now() + timedelta(minutes=10))
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == slipped.pk
    assert "left out of the chain" in report.problem


def test_events_are_sealed_in_the_order_they_were_written(trail):
    assert [e.chain_seq for e in trail] == [1, 2, 3, 4, 5]
    assert all(e.prev_hash == p.hash for p, e in zip(trail, trail[1:], strict=False))
