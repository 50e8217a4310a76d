"""Receiving a partner's message: verify it, process it once, answer in JSON, audit it all.

Answers:
- 200 `{"status": "accepted"}`: verified and applied. `{"status": "ignored", "detail": ...}`:
  verified, recorded, but it changes nothing (e.g. a status report overtaken by a
  withdrawal) — the sender must not retry it.
- 200 `{"status": "already_received"}`: a message id already processed, with the same
  content: the sender did not get our first answer (a lost acknowledgement) and sent it again.
  Nothing is created twice. This is the idempotent answer to a replay *within the freshness
  window*; a replay of an old message is refused as `stale_timestamp` before its id is looked
  at, since `sent_at` is covered by the signature.
- 409 `message_id_reused`: a message id already processed, with different content: refused.
- 4xx `{"error": code, "detail": sentence}` for every other refusal (messages.verify), and
  422 `invalid_message` with `fields` when the content is wrong (e.g. an unknown field in an
  offered record, an unknown referral id): the sender's outbox retries a few times, then
  holds the message as failed for its administrators.

A refusal of a known partner's signed message is logged and written to the audit trail with
its reason — never the content. Refusals of unauthenticated traffic (unknown key, bad
signature, garbage, too large) are counted per source address instead: the first of each
ten-minute window is audited and logged, then a summary at the 10th, 100th, 1000th…; past
`UNAUTHENTICATED_LIMIT` in a window the source gets `429 too_many_refusals` without being read,
so no one can grow the audit trail by posting at the inbox.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from corridor.audit.services import Action, record_event
from corridor.crossborder import services
from corridor.crossborder.messages import MAX_MESSAGE_BYTES, Rejected, Verified, too_large, verify
from corridor.crossborder.models import ReceivedMessage

logger = logging.getLogger(__name__)

OBJECT_TYPE = "crossborder_message"
# The audit trail has no "received"/"refused" actions yet: a message applied is a record
# created here; a refused one is a failed authentication of a machine.
AUDIT_RECEIVED = Action.MESSAGE_RECEIVED
AUDIT_REFUSED = Action.MESSAGE_REFUSED


REFUSAL_WINDOW_SECONDS = 600
UNAUTHENTICATED_LIMIT = 300  # refusals per source and window before it is not even read
UNSIGNED_CODES = frozenset({"bad_signature"})  # a partner named, but not proven


def _window_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return f"crossborder-refusals:{address or '?'}:{int(time.time() // REFUSAL_WINDOW_SECONDS)}"


def _count_refusal(request) -> int:
    key = _window_key(request)
    cache.add(key, 0, timeout=2 * REFUSAL_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=2 * REFUSAL_WINDOW_SECONDS)
        return 1


def throttled(request) -> InboxAnswer | None:
    """The answer to a source that sent too much unauthenticated traffic in this window."""
    if (cache.get(_window_key(request)) or 0) < UNAUTHENTICATED_LIMIT:
        return None
    return InboxAnswer(
        429,
        {
            "error": "too_many_refusals",
            "detail": _("Too many refused messages from this address; try again later."),
        },
    )


@dataclass
class InboxAnswer:
    status: int
    data: dict = field(default_factory=dict)


_SUMMARY_COUNTS = frozenset(10**n for n in range(9))


def receive_request(request: HttpRequest) -> InboxAnswer:
    """The inbox's HTTP body, read at most one byte past the limit: a huge body is refused
    in JSON (413 `too_large`), never buffered."""
    refused = throttled(request)
    if refused is not None:
        return refused
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_MESSAGE_BYTES:
        return _refuse(too_large(), request)
    return receive(request.read(MAX_MESSAGE_BYTES + 1), request=request)


def receive(raw: bytes, *, request: HttpRequest | None = None) -> InboxAnswer:
    refused = throttled(request)
    if refused is not None:
        return refused
    try:
        verified = verify(raw)
    except Rejected as rejection:
        return _refuse(rejection, request)
    message = verified.payload
    message_id = message["message_id"]
    earlier = ReceivedMessage.objects.filter(message_id=message_id).first()
    if earlier is not None:
        return _again(earlier, verified, request)
    try:
        with transaction.atomic():
            received = ReceivedMessage.objects.create(
                message_id=message_id,
                partner=verified.partner,
                type=message["type"],
                digest=verified.digest,
            )
            outcome, referral = services.HANDLERS[message["type"]](verified.partner, message)
            received.outcome, received.referral = outcome[:200], referral
            received.save(update_fields=["outcome", "referral"])
            record_event(
                AUDIT_RECEIVED,
                object_type=OBJECT_TYPE,
                object_ref=message_id,
                request=request,
                details={
                    "direction": "in",
                    "type": message["type"],
                    "partner": verified.partner.country,
                    "referral": referral.reference if referral else None,
                    "outcome": outcome[:200],
                },
            )
    except IntegrityError:
        # The same message arriving twice at once: the other one won.
        earlier = ReceivedMessage.objects.filter(message_id=message_id).first()
        if earlier is not None:
            return _again(earlier, verified, request)
        return _refuse(
            Rejected(
                "conflict",
                409,
                _("The message conflicts with one already received."),
                partner=verified.partner,
            ),
            request,
            message_id=message_id,
        )
    except ValidationError as exc:
        fields = (
            {name: " ".join(messages) for name, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"": " ".join(exc.messages)}
        )
        rejection = Rejected(
            "invalid_message",
            422,
            _("The message's content is not valid: {fields}.").format(fields=", ".join(fields)),
            partner=verified.partner,
        )
        return _refuse(rejection, request, message_id=message_id, fields=fields)
    status = "ignored" if outcome.startswith("ignored") else "accepted"
    return InboxAnswer(200, {"status": status, "message_id": message_id, "detail": outcome})


def _again(earlier: ReceivedMessage, verified: Verified, request) -> InboxAnswer:
    message_id = verified.payload["message_id"]
    if earlier.digest != verified.digest or earlier.partner_id != verified.partner.pk:
        return _refuse(
            Rejected(
                "message_id_reused",
                409,
                _("This message id was already used for another message; use a new id."),
                partner=verified.partner,
            ),
            request,
            message_id=message_id,
        )
    record_event(
        AUDIT_RECEIVED,
        object_type=OBJECT_TYPE,
        object_ref=message_id,
        request=request,
        details={
            "direction": "in",
            "type": verified.payload["type"],
            "partner": verified.partner.country,
            "outcome": "already received",
        },
    )
    return InboxAnswer(
        200,
        {
            "status": "already_received",
            "message_id": message_id,
            "detail": _("This message was already received; nothing was done again."),
        },
    )


def _refuse(
    rejection: Rejected,
    request,
    *,
    message_id: str = "",
    fields: dict | None = None,
) -> InboxAnswer:
    partner = rejection.partner
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    data = {"error": rejection.code, "detail": rejection.detail}
    if partner is None or rejection.code in UNSIGNED_CODES:
        count = _count_refusal(request)
        if count not in _SUMMARY_COUNTS:
            return InboxAnswer(rejection.status, data)
        logger.warning(
            "crossborder inbox refused %s unauthenticated message(s) from %s in %s s (last: %s)",
            count,
            address or "?",
            REFUSAL_WINDOW_SECONDS,
            rejection.code,
        )
        record_event(
            AUDIT_REFUSED,
            object_type=OBJECT_TYPE,
            request=request,
            reason=rejection.code,
            details={
                "direction": "in",
                "error": rejection.code,
                "partner": None,
                "unauthenticated": True,
                "refused_in_window": count,
                "window_seconds": REFUSAL_WINDOW_SECONDS,
            },
        )
        return InboxAnswer(rejection.status, data)
    logger.warning(
        "crossborder inbox refused a message: %s (partner %s, from %s)",
        rejection.code,
        partner.country if partner else "unknown",
        address or "?",
    )
    details = {
        "direction": "in",
        "error": rejection.code,
        "partner": partner.country if partner else None,
    }
    if fields:
        details["fields"] = sorted(fields)
    record_event(
        AUDIT_REFUSED,
        object_type=OBJECT_TYPE,
        object_ref=message_id,
        request=request,
        reason=rejection.code,
        details=details,
    )
    if fields:
        data["fields"] = fields
    if message_id:
        data["message_id"] = message_id
    return InboxAnswer(rejection.status, data)
