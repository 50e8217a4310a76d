"""Writing and verifying the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import Q
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


# The foreign keys that lead from a record to the person it is about, tried in this order on
# each model: a screening, consent, age assessment or legal hold names her (`person`); a
# referral, a case event, a review or a transnational referral its case (`case`); a service
# delivery or a status report its referral (`referral`).
PERSON_PATH = ("person", "case", "referral")
PERSON_MODEL = "people.person"


def _step_to_person(model) -> models.ForeignKey | None:
    for name in PERSON_PATH:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_one or (field.one_to_one and field.concrete):
            return field
    return None


@cache
def _lookup_to_person(model) -> str | None:
    """The ORM path from `model` to the person's reference ("case__person__reference"), or
    None when its records are about no one person (an agency, a catalogue, an incident)."""
    names = []
    while model._meta.label_lower != PERSON_MODEL:
        field = _step_to_person(model)
        if field is None or len(names) == len(PERSON_PATH):
            return None
        names.append(field.name)
        model = field.related_model
    return "__".join([*names, "reference"])


def person_reference_of(obj) -> str:
    """The reference of the person `obj` is about: hers for a person, her own for her
    screening or consent, her case's for a referral, and so on; "" for a record about no
    one person. What the caller already loaded costs nothing; the first foreign key not
    loaded is followed to the end in one query."""
    for _ in range(len(PERSON_PATH) + 1):
        if obj._meta.label_lower == PERSON_MODEL:
            return obj.reference
        field = _step_to_person(obj.__class__)  # not type(): request.user is a lazy proxy
        if field is None:
            return ""
        if not field.is_cached(obj):
            key, lookup = getattr(obj, field.attname), _lookup_to_person(field.related_model)
            if key is None or lookup is None:
                return ""
            rows = field.related_model._base_manager.filter(**{field.target_field.attname: key})
            return rows.values_list(lookup, flat=True).first() or ""
        obj = getattr(obj, field.name)
        if obj is None:
            return ""
    return ""


def _person_ref(obj, object_type: str, object_ref: str, details: dict | None) -> str:
    """Whom the event is about: the person the recorded object leads to; else the person
    named as the record (an erased person, recorded by reference once she is gone); else the
    person the details name, as services do that record a legal hold, an erasure request or
    a victim added to an incident. An event about many persons at once (a page of the person
    list, a search, a pair of records judged different) names none: a person's trail shows
    her record being opened, not every list she appeared in."""
    if obj is not None and (found := person_reference_of(obj)):
        return found
    if object_type == "person" and object_ref:
        return object_ref
    named = (details or {}).get("person")
    return named if isinstance(named, str) else ""


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
    person_ref = _person_ref(obj, object_type, object_ref, details)[:40]
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
            person_ref=person_ref,
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


def trail_of_person(reference: str):
    """Everything that happened to and around one person: the events about her record and
    about her screenings, cases, consents, referrals... Events written before `person_ref`
    existed are found only where they name her record itself."""
    return AuditEvent.objects.filter(
        Q(person_ref=reference) | Q(object_type="person", object_ref=reference)
    ).order_by("-id")
