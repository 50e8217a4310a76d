"""The audit trail is append-only and tamper-evident."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.audit.models import AuditEvent
from corridor.audit.services import Action, record_event, verify_chain


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
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == 40
