"""Writing and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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
    """Append one event to the chain, inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_ref = object_ref or str(getattr(obj, "reference", None) or obj.pk)
    ip, agent = client_address(request)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
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
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _events_in_order(batch: int = 5000) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        chunk = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not chunk:
            return
        yield from chunk
        last_id = chunk[-1].id


def verify_chain(progress=None) -> ChainReport:
    """Recompute every hash; report the first event whose link or content is wrong."""
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
    anchored = check_anchors()
    if anchored is not None:
        return ChainReport(checked, anchored.event_id, anchored.problem)
    return ChainReport(checked)


def trail_for(object_type: str, object_ref: str):
    return AuditEvent.objects.filter(object_type=object_type, object_ref=object_ref).order_by("-id")
