"""The durable outbox: messages to partners, written with the change they report, delivered
by `corridor crossborder_deliver` until the partner acknowledges them.

Guarantees:
- **Nothing sent for a rolled-back change, nothing lost if the process dies**: `enqueue`
  writes the message in the caller's transaction; delivery happens later, from the table.
- **In order, once**: one deliverer at a time per partner (a lease on the partner row), the
  oldest pending message first; while it waits for a retry, the partner's later messages
  wait behind it. The partner answers a redelivered message id "already received", so a
  message whose acknowledgement was lost is still processed once.
- **Retries**: a network error, a timeout, 5xx, 408, 425 or 429 is retried with
  exponential backoff and jitter (base × 2^(attempt−1), capped, each delay drawn between
  half and all of it), forever: a partner that is down loses nothing. Any other answer is a
  refusal (bad signature, unknown key, suspended partner, invalid content...): it is retried
  the same way (a partner may register our key late, a clock may be fixed) until
  CORRIDOR_CROSSBORDER_MAX_REJECTIONS refusals, then the message is marked failed, the
  administrators are told, and it stays listed on the partner's page where it can be retried.
  A failed message does not hold back the partner's later messages.
- Each attempt signs the message again (fresh `sent_at`), so a message delayed by an outage
  is not refused as stale when it finally goes.
- A partner suspended here: its messages wait. Revoked: they are marked failed.

`deliver_pending(transport=...)` takes any callable `transport(url, body) -> (status, json)`
that raises OSError (or TransportError) when the partner cannot be reached: tests wire two
simulated instances together with Django's test client (corridor.crossborder.testing).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import os
import random
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event
from corridor.crossborder import messages
from corridor.crossborder.keys import instance_signing_key
from corridor.crossborder.models import OutboxMessage, Partner, TransnationalReferral
from corridor.jobs.registry import background_job
from corridor.jobs.runner import JobRun
from corridor.jobs.services import process_identity, start_job
from corridor.notifications.services import notify

logger = logging.getLogger(__name__)

Transport = Callable[[str, bytes], tuple[int, dict | None]]
MessageStatus = OutboxMessage.Status

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
TRANSIENT_STATUSES = frozenset({408, 425, 429})
OBJECT_TYPE = "crossborder_message"


def _setting(name: str, default):
    return getattr(settings, name, default)


def retry_base_seconds() -> float:
    return float(_setting("CORRIDOR_CROSSBORDER_RETRY_BASE_SECONDS", 2))


def retry_max_seconds() -> float:
    return float(_setting("CORRIDOR_CROSSBORDER_RETRY_MAX_SECONDS", 900))


def max_rejections() -> int:
    return int(_setting("CORRIDOR_CROSSBORDER_MAX_REJECTIONS", 5))


def timeout_seconds() -> float:
    return float(_setting("CORRIDOR_CROSSBORDER_TIMEOUT_SECONDS", 10))


def backoff_delay(attempts: int, *, rng: Callable[[], float] = random.random) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: exponential, capped, jittered."""
    ceiling = min(retry_max_seconds(), retry_base_seconds() * 2 ** min(max(attempts, 1) - 1, 30))
    return timedelta(seconds=ceiling * (0.5 + rng() / 2))


# --- enqueue ---------------------------------------------------------------------------------


def enqueue(
    partner: Partner,
    *,
    type: str,
    body: dict,
    referral: TransnationalReferral | None = None,
    actor=None,
    request=None,
) -> OutboxMessage:
    """Queue a message to `partner` inside the caller's transaction (and audit it)."""
    payload = messages.new_payload(
        type=type,
        recipient_country=partner.country,
        referral_id=str(referral.shared_id) if referral is not None else "",
        body=body,
    )
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            partner=partner,
            referral=referral,
            message_id=payload["message_id"],
            type=type,
            payload_json=json.dumps(payload, ensure_ascii=False),
        )
        record_event(
            Action.CREATE,
            actor=actor,
            object_type=OBJECT_TYPE,
            object_ref=payload["message_id"],
            request=request,
            details={
                "direction": "out",
                "type": type,
                "partner": partner.country,
                "referral": referral.reference if referral else None,
            },
        )
        start_job(deliver_outbox, dedup_key=DELIVERY_JOB)
    return message


def cancel_undelivered(referral: TransnationalReferral, *, type: str) -> int:
    """Cancel the referral's messages of `type` not delivered yet (their data never leaves)."""
    return OutboxMessage.objects.filter(
        referral=referral, type=type, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED, last_error=_("Cancelled before delivery."))


# --- transports ------------------------------------------------------------------------------


class TransportError(Exception):
    """The partner could not be reached (the message will be retried)."""


def check_partner_url(url: str) -> None:
    """Only HTTPS leaves this machine, and never to a private, link-local or otherwise
    internal address (after resolving the name: no request forgery towards the instance's own
    network); plain HTTP and loopback only outside production, for tests and demonstrations."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local_allowed = not settings.PRODUCTION
    if parts.scheme == "http" and _is_loopback(host) and local_allowed:
        return
    if parts.scheme != "https" or not host:
        raise TransportError(f"refusing to send over {parts.scheme or '?'} to {host or '?'}")
    for address in _addresses(host, parts.port or 443):
        if address.is_loopback and local_allowed:
            continue
        if _internal(address):
            raise TransportError(f"refusing to send to {host}: {address} is an internal address")


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []  # not resolvable now: the connection will fail and be retried
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _internal(address) -> bool:
    address = getattr(address, "ipv4_mapped", None) or address
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer, not a detour
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _json(raw: bytes) -> dict | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def http_transport(url: str, body: bytes) -> tuple[int, dict | None]:
    """POST the signed message over HTTP(S) with the standard library; follows no redirect."""
    check_partner_url(url)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/jose",
            "Accept": "application/json",
            "User-Agent": "Corridor-crossborder/1",
        },
    )
    try:
        with _opener.open(request, timeout=timeout_seconds()) as response:
            return response.status, _json(response.read(65536))
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read(65536))


# --- delivery --------------------------------------------------------------------------------

DELIVERY_JOB = "crossborder:deliver"
RETRY_JOB = "crossborder:deliver-retry"


@background_job(title=gettext_lazy("Deliver messages to partner countries"))
def deliver_outbox(run: JobRun) -> dict:
    """One delivery pass; queued with each new message, again at the next retry time, and
    every minute by the schedule (a partner back from suspension, a lost wake-up)."""
    report = deliver_pending(log=logger.info)
    due = (
        OutboxMessage.objects.filter(
            status=MessageStatus.PENDING, partner__status=Partner.Status.ACTIVE
        )
        .exclude(partner__country=settings.CORRIDOR_COUNTRY)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if due is not None:  # never at once: a pass that only fails must not spin
        soonest = timezone.now() + timedelta(seconds=1)
        start_job(deliver_outbox, dedup_key=RETRY_JOB, run_after=max(due, soonest))
    return {
        "delivered": report.delivered,
        "retrying": report.retrying,
        "failed": report.failed,
        "waiting": report.held,
    }


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0  # waiting for a retry time, or for a suspended partner
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed

    def __str__(self) -> str:
        return (
            f"{self.delivered} delivered, {self.retrying} to retry, {self.failed} failed, "
            f"{self.held} waiting"
        )


# Renewed before each message: a deliverer that stops renewing loses the partner within
# LEASE; one whose process is gone (killed worker, same machine) loses it at once.
LEASE = timedelta(seconds=30)


def _lease_owner() -> str:
    return f"{socket.gethostname()[:22]}|{os.getpid()}|{uuid.uuid4().hex[:8]}"


def _owner_is_gone(owner: str) -> bool:
    """True when the lease's owner was a process of this machine that no longer runs."""
    host, _, rest = owner.partition("|")
    pid = rest.partition("|")[0]
    if host != socket.gethostname()[:22] or not pid.isdigit():
        return False  # another machine's (or unknown): only the lease's expiry frees it
    return process_identity(int(pid)) is None


def _take_lease(partner: Partner, owner: str) -> bool:
    now = timezone.now()
    lease = Q(delivery_lease_until__isnull=True) | Q(delivery_lease_until__lt=now)
    if (
        Partner.objects.filter(pk=partner.pk)
        .filter(lease)
        .update(delivery_lease_until=now + LEASE, delivery_lease_owner=owner)
    ):
        return True
    holder = (
        Partner.objects.filter(pk=partner.pk)
        .values_list("delivery_lease_owner", "delivery_lease_until")
        .first()
    )
    if holder and holder[0] and _owner_is_gone(holder[0]):
        logger.warning(
            "partner %s: taking over the delivery lease of %s, which stopped",
            partner.country,
            holder[0],
        )
        return bool(
            Partner.objects.filter(pk=partner.pk, delivery_lease_owner=holder[0]).update(
                delivery_lease_until=now + LEASE, delivery_lease_owner=owner
            )
        )
    if holder:
        logger.info(
            "partner %s: another deliverer (%s) holds the lease until %s; leaving it",
            partner.country,
            holder[0] or "?",
            holder[1],
        )
    return False


def _renew_lease(partner: Partner, owner: str) -> bool:
    return bool(
        Partner.objects.filter(pk=partner.pk, delivery_lease_owner=owner).update(
            delivery_lease_until=timezone.now() + LEASE
        )
    )


def _release_lease(partner: Partner, owner: str) -> None:
    Partner.objects.filter(pk=partner.pk, delivery_lease_owner=owner).update(
        delivery_lease_until=None, delivery_lease_owner=""
    )


def deliver_pending(
    *,
    transport: Transport | None = None,
    partner: Partner | None = None,
    log: Callable[[str], None] | None = None,
    rng: Callable[[], float] = random.random,
    now: Callable[[], datetime] = timezone.now,
) -> DeliveryReport:
    """Deliver what is due to each partner, in order; one pass (see the module docstring).

    `now` is the clock the retry schedule is read against (tests move it forward); messages
    are always signed with the wall clock, which the partner checks.
    """
    transport = transport or http_transport
    report = DeliveryReport()
    partners = Partner.objects.filter(outbox__status=MessageStatus.PENDING).exclude(
        country=settings.CORRIDOR_COUNTRY  # another instance's rows in a shared test database
    )
    if partner is not None:
        partners = partners.filter(pk=partner.pk)
    for target in partners.distinct().order_by("country"):
        if target.status == Partner.Status.REVOKED:
            report.failed += fail_for_revoked_partner(target)
            continue
        if target.status == Partner.Status.SUSPENDED:
            report.held += target.outbox.filter(status=MessageStatus.PENDING).count()
            continue
        owner = _lease_owner()
        if not _take_lease(target, owner):
            waiting = target.outbox.filter(status=MessageStatus.PENDING).count()
            report.held += waiting
            if log:
                log(f"{target.country}: {waiting} waiting; another deliverer holds the lease")
            continue  # another deliverer is on it
        try:
            _deliver_to(target, owner, transport, report, log, rng, now)
        finally:
            _release_lease(target, owner)
    return report


def _deliver_to(partner, owner, transport, report, log, rng, now) -> None:
    while _renew_lease(partner, owner):
        message = (
            partner.outbox.filter(status=MessageStatus.PENDING)
            .select_related("referral")
            .order_by("created_at", "pk")
            .first()
        )
        if message is None:
            return
        if message.next_attempt_at > now():
            report.held += partner.outbox.filter(status=MessageStatus.PENDING).count()
            return  # the oldest waits for its retry: the later ones wait behind it
        outcome = _attempt(message, partner, transport, report, log, rng, now)
        if outcome == MessageStatus.PENDING:
            report.held += partner.outbox.filter(status=MessageStatus.PENDING).count() - 1
            return


def _attempt(message, partner, transport, report, log, rng, now) -> str:
    key = instance_signing_key()
    token = messages.sign(message.payload, key)  # the wall clock the partner checks
    started = time.perf_counter()
    status: int | None = None
    data: dict | None = None
    try:
        status, data = transport(partner.inbox_url, token.encode("ascii"))
        error = ""
    except (TransportError, OSError, http.client.HTTPException) as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:500]
    elapsed_ms = (time.perf_counter() - started) * 1000
    attempts = message.attempts + 1
    label = f"{partner.country} {message.type} {message.message_id}"
    if status is not None and 200 <= status < 300:
        _mark_delivered(message, token, attempts, status, data, now())
        report.delivered += 1
        report.latencies_ms.append(elapsed_ms)
        if log:
            log(f"→ {label}: delivered ({status}) in {elapsed_ms:.0f} ms")
        return MessageStatus.DELIVERED
    refused = status is not None and not (status >= 500 or status in TRANSIENT_STATUSES)
    if status is not None:
        detail = (data or {}).get("error") or ""
        error = f"HTTP {status} {detail}: {(data or {}).get('detail', '')}".strip(": ")[:500]
    rejections = message.rejections + (1 if refused else 0)
    if refused and rejections >= max_rejections():
        _mark_failed(message, token, attempts, rejections, status, error)
        report.failed += 1
        if log:
            log(f"✗ {label}: refused {rejections} times, marked failed — {error}")
        return MessageStatus.FAILED
    delay = backoff_delay(attempts, rng=rng)
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
        token=token,
        attempts=attempts,
        rejections=rejections,
        last_status_code=status,
        last_error=error,
        next_attempt_at=now() + delay,
    )
    report.retrying += 1
    if log:
        log(
            f"… {label}: attempt {attempts} failed ({error}); retry in {delay.total_seconds():.0f} s"
        )
    return MessageStatus.PENDING


def _mark_delivered(message, token, attempts, status, data, at) -> None:
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            status=MessageStatus.DELIVERED,
            token=token,
            attempts=attempts,
            last_status_code=status,
            last_error="",
            delivered_at=at,
        )
        if not updated:
            return  # cancelled meanwhile; its withdrawal follows it
        referral = message.referral
        if message.type == messages.MessageType.OFFER and referral is not None:
            TransnationalReferral.objects.filter(
                pk=referral.pk, status=TransnationalReferral.Status.SENT
            ).update(
                status=TransnationalReferral.Status.RECEIVED,
                received_at=at,
                version=F("version") + 1,
            )
        record_event(
            Action.EXPORT,
            object_type=OBJECT_TYPE,
            object_ref=str(message.message_id),
            details={
                "direction": "out",
                "type": message.type,
                "partner": message.partner.country,
                "referral": referral.reference if referral else None,
                "attempts": attempts,
                "answer": (data or {}).get("status", ""),
            },
        )


def _mark_failed(message, token, attempts, rejections, status, error) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            status=MessageStatus.FAILED,
            token=token,
            attempts=attempts,
            rejections=rejections,
            last_status_code=status,
            last_error=error,
        )
        _record_failure(message, error)


def _record_failure(message, error: str) -> None:
    partner = message.partner
    record_event(
        Action.CHANGE,
        object_type=OBJECT_TYPE,
        object_ref=str(message.message_id),
        reason=error,
        details={
            "direction": "out",
            "type": message.type,
            "partner": partner.country,
            "failed": True,
        },
    )
    admins = User.objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR).distinct()
    name, kind = partner.name, message.type
    notify(
        list(admins),
        lambda: _(
            "A message to the partner {partner} ({type}) was refused and is on hold: {error}"
        ).format(partner=name, type=kind, error=error),
        url=reverse("crossborder:partner_detail", args=[partner.pk]),
    )


def fail_for_revoked_partner(partner: Partner) -> int:
    """Mark the pending messages of a revoked partner failed (they will never be sent)."""
    failed = 0
    error = _("The partner was revoked.")
    for message in list(partner.outbox.filter(status=MessageStatus.PENDING)):
        with transaction.atomic():
            if OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
                status=MessageStatus.FAILED, last_error=error
            ):
                record_event(
                    Action.CHANGE,
                    object_type=OBJECT_TYPE,
                    object_ref=str(message.message_id),
                    reason=error,
                    details={"direction": "out", "type": message.type, "failed": True},
                )
                failed += 1
    return failed
