"""Writing and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from corridor.audit.anchors import check_anchors
from corridor.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent

Action = AuditEvent.Action


def client_address(request: HttpRequest | None) -> tuple[str, str]:
    if request is None:
        return "", ""
    ip = request.META.get("REMOTE_ADDR", "")
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return ip, agent


def record_event(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str = "",
    object_ref: str = "",
    request: HttpRequest | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction, sealed into the chain if the head
    is free. If another writer holds the head, this one does not wait: the event is written
    unsealed and the worker's sweep (chain_pending) seals it within a minute."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_ref = object_ref or str(getattr(obj, "reference", None) or obj.pk)
    ip, agent = client_address(request)
    with transaction.atomic():
        head = _take_head(wait=False)
        event = AuditEvent(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_username=getattr(actor, "username", "") or "",
            actor_agency=str(getattr(actor, "agency", "") or ""),
            action=action,
            object_type=object_type,
            object_ref=object_ref,
            ip_address=ip,
            user_agent=agent,
            reason=reason,
            details=details or {},
        )
        if head is not None:
            event.chain_seq, event.prev_hash = head.last_seq + 1, head.last_hash
            event.hash = event.compute_hash()
        event.save()
        if head is not None:
            head.last_hash, head.last_seq, head.count = event.hash, event.chain_seq, head.count + 1
            head.save(update_fields=["last_hash", "last_seq", "count"])
    return event


def _take_head(*, wait: bool) -> AuditChainHead | None:
    """Lock the chain head for this transaction; None if another writer holds it."""
    heads = AuditChainHead.objects.select_for_update(skip_locked=not wait)
    head = heads.filter(pk=1).first()
    if head is None and not AuditChainHead.objects.filter(pk=1).exists():
        AuditChainHead.objects.get_or_create(pk=1)  # a database emptied by hand
        head = heads.filter(pk=1).first()
    return head


CHAIN_BATCH = 500


def chain_pending(*, wait: bool = True, limit: int = CHAIN_BATCH) -> dict[int, tuple]:
    """Seal events written while the head was taken, in the order they became visible.

    Holds the head row only for this transaction. Returns {event id: (seq, prev, hash)}.
    """
    with transaction.atomic():
        head = _take_head(wait=wait)
        if head is None:
            return {}  # taken by another writer
        pending = list(AuditEvent.objects.filter(chain_seq__isnull=True).order_by("id")[:limit])
        if not pending:
            return {}
        previous, seq = head.last_hash, head.last_seq
        for event in pending:
            seq += 1
            event.chain_seq, event.prev_hash = seq, previous
            event.hash = previous = event.compute_hash()
        AuditEvent.objects.bulk_update(pending, ["chain_seq", "prev_hash", "hash"])
        head.last_hash, head.last_seq, head.count = previous, seq, head.count + len(pending)
        head.save(update_fields=["last_hash", "last_seq", "count"])
    return {event.pk: (event.chain_seq, event.prev_hash, event.hash) for event in pending}


def chain_all() -> int:
    """Seal everything waiting (the background sweep, and before a verification)."""
    total = 0
    while sealed := chain_pending(wait=True):
        total += len(sealed)
    return total


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    waiting: int = 0  # written moments ago, not sealed into the chain yet

    @property
    def ok(self) -> bool:
        return not self.problem


def _events_in_order(batch: int = 5000) -> Iterator[AuditEvent]:
    last_seq = 0
    while True:
        chunk = list(
            AuditEvent.objects.filter(chain_seq__gt=last_seq).order_by("chain_seq")[:batch]
        )
        if not chunk:
            return
        yield from chunk
        last_seq = chunk[-1].chain_seq


def verify_chain(progress=None) -> ChainReport:
    """Recompute every hash; report the first event whose link or content is wrong, and any
    event left outside the chain longer than sealing ever takes (held back or slipped in)."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in _events_in_order():
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.id, "the previous event is missing or was altered")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.id, "this event's content was altered")
        expected_prev = event.hash
        checked += 1
        if progress and checked % 10000 == 0:
            progress(checked)
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_hash != expected_prev or head.count != checked):
        return ChainReport(checked, None, "events at the end of the trail were removed")
    grace = timedelta(seconds=settings.CORRIDOR_AUDIT_CHAIN_GRACE_SECONDS)
    stale = (
        AuditEvent.objects.filter(chain_seq__isnull=True, at__lt=timezone.now() - grace)
        .order_by("id")
        .first()
    )
    if stale is not None:
        return ChainReport(
            checked, stale.id, f"this event was left out of the chain for more than {grace}"
        )
    anchored = check_anchors()
    if anchored is not None:
        return ChainReport(checked, anchored.event_id, anchored.problem)
    return ChainReport(checked, waiting=AuditEvent.objects.filter(chain_seq__isnull=True).count())


def trail_for(object_type: str, object_ref: str):
    return AuditEvent.objects.filter(object_type=object_type, object_ref=object_ref).order_by("-id")
