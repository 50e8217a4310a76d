"""A database superuser who rewrites the whole chain — and its head — passes the chain check;
the head anchored outside the database catches every such rewrite."""

import json

import pytest

from corridor.audit.anchors import anchor_head, read_anchors
from corridor.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from corridor.audit.services import Action, record_event, verify_chain
from corridor.jobs.worker import run_jobs


@pytest.fixture
def anchored(world, settings, tmp_path):
    settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    for n in range(5):
        record_event(Action.VIEW, actor=world.users.responder, obj=world.person, details={"n": n})
    anchor_head()
    return tmp_path / "anchors.jsonl"


def rechain() -> None:
    """What a superuser can do: recompute every hash and the head so the chain verifies."""
    previous, count = GENESIS_HASH, 0
    for event in AuditEvent.objects.order_by("id"):
        event.prev_hash = previous
        event.hash = event.compute_hash()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        previous, count = event.hash, count + 1
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": previous, "count": count})


def test_an_untouched_anchored_trail_verifies(anchored):
    assert verify_chain().ok
    assert len(read_anchors(anchored)) == 1
    anchor_head()  # nothing new since: no new line
    assert len(read_anchors(anchored)) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        "edit and re-chain",
        "delete the tail and fix the head",
        "truncate and reset the head",
        "delete the head row",
    ],
)
def test_a_rewritten_chain_no_longer_matches_its_anchor(anchored, tamper):
    events = list(AuditEvent.objects.order_by("id"))
    if tamper == "edit and re-chain":
        AuditEvent.objects.filter(pk=events[1].pk).update(reason="covering tracks")
        rechain()
    elif tamper == "delete the tail and fix the head":
        AuditEvent.objects.filter(pk__gte=events[3].pk).delete()
        rechain()
    elif tamper == "truncate and reset the head":
        AuditEvent.objects.all().delete()
        AuditChainHead.objects.update(last_hash=GENESIS_HASH, count=0)
    else:
        AuditChainHead.objects.all().delete()
    report = verify_chain()
    assert not report.ok
    assert "anchored" in report.problem or "end of the trail" in report.problem


def test_without_the_anchor_such_a_rewrite_would_pass(anchored, settings):
    AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).update(reason="covering tracks")
    rechain()
    settings.CORRIDOR_AUDIT_ANCHOR_FILE = ""
    assert verify_chain().ok  # which is why the anchor exists


def test_a_forged_anchor_line_is_found(anchored):
    line = json.loads(anchored.read_text())
    line["count"] = 1
    anchored.write_text(json.dumps(line) + "\n")
    assert "altered" in verify_chain().problem


def test_the_worker_anchors_the_head_on_schedule(world, settings, tmp_path):
    settings.CORRIDOR_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    record_event(Action.VIEW, actor=world.users.responder, obj=world.person)
    run_jobs()
    (anchor,) = read_anchors(tmp_path / "anchors.jsonl")
    assert anchor["count"] == AuditChainHead.objects.get().count
