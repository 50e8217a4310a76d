"""The signed envelope instances exchange: a compact JWS (RFC 7515) signed with Ed25519.

Header: `{"alg": "Ed25519", "kid": <the sender's key id>, "typ": "corridor-message"}` —
`Ed25519` is the fully-specified name (RFC 9864) of what RFC 8037 called `EdDSA` with an
Ed25519 key. Payload (JSON):

    {"message_id": uuid4, "type": "referral.offer", "sender_country": "IT",
     "recipient_country": "NG", "sent_at": "2025-01-31T12:00:00+00:00",
     "referral_id": <the referring instance's id of the referral>, "body": {...}}

The body of `referral.offer` carries the sender's `reference` (X-…), which the receiver
files the referral under (see corridor.crossborder.services); `referral.accepted` and
`referral.declined` carry the receiver's back. Both are optional, for instances of an older
version.

`referral_id` is always the id the *referring* instance gave the referral, in both
directions, so each side finds its record: the referring side by its own id, the receiving
side by the id it stored as the partner's. The linkage messages (`linkage.encodings`,
`linkage.matches`) belong to an exchange named in their body, and carry `referral_id: ""`
(a referral message with one is refused by its handler as `invalid_message`).

Verification (`verify`) refuses, each with its own code and HTTP status:
malformed (400), unsupported_algorithm (400), unknown_key (401), bad_signature (401),
partner_suspended / partner_revoked (403), sender_mismatch (403), wrong_recipient (400),
stale_timestamp (401), unknown_type (400). The signature is checked before the partner's
status, so nobody learns a partner's status without a valid signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from corridor.crossborder.keys import SigningKey
from corridor.crossborder.models import Partner

ALGORITHM = "Ed25519"
TYP = "corridor-message"
MAX_MESSAGE_BYTES = 256 * 1024
DEFAULT_MAX_SKEW_SECONDS = 300


class MessageType:
    OFFER = "referral.offer"
    ACCEPTED = "referral.accepted"
    DECLINED = "referral.declined"
    STATUS = "referral.status"
    WITHDRAWN = "referral.withdrawn"
    CONSENT_REVOKED = "consent.revoked"
    # Finding persons known to both instances from encodings (corridor.crossborder.pprl):
    # bound to an exchange, not to a referral, so they carry an empty `referral_id`.
    LINKAGE_ENCODINGS = "linkage.encodings"
    LINKAGE_MATCHES = "linkage.matches"

    REFERRAL_BOUND = (OFFER, ACCEPTED, DECLINED, STATUS, WITHDRAWN, CONSENT_REVOKED)
    ALL = (*REFERRAL_BOUND, LINKAGE_ENCODINGS, LINKAGE_MATCHES)


REQUIRED = {
    "message_id": str,
    "type": str,
    "sender_country": str,
    "recipient_country": str,
    "sent_at": str,
    "referral_id": str,
    "body": dict,
}


class Rejected(Exception):
    """Why the inbox refuses a message: a stable `code`, an HTTP status, a sentence."""

    def __init__(self, code: str, status: int, detail: str, *, partner: Partner | None = None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.status = status
        self.detail = detail
        self.partner = partner


def max_skew() -> timedelta:
    seconds = getattr(settings, "CORRIDOR_CROSSBORDER_MAX_SKEW_SECONDS", DEFAULT_MAX_SKEW_SECONDS)
    return timedelta(seconds=int(seconds))


def new_payload(
    *, type: str, recipient_country: str, referral_id: str, body: dict, message_id=None
) -> dict:
    """A message's content, without `sent_at` (stamped when it is signed for an attempt)."""
    return {
        "message_id": str(message_id or uuid.uuid4()),
        "type": type,
        "sender_country": settings.CORRIDOR_COUNTRY,
        "recipient_country": recipient_country,
        "referral_id": str(referral_id),
        "body": body,
    }


def digest(payload: dict) -> str:
    """What identifies a message's content: everything but `sent_at`."""
    content = {k: v for k, v in payload.items() if k != "sent_at"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sign(payload: dict, key: SigningKey, *, now: datetime | None = None) -> str:
    """The compact JWS of `payload` stamped with `sent_at` = now."""
    stamped = {**payload, "sent_at": (now or timezone.now()).isoformat()}
    header = {"alg": ALGORITHM, "kid": key.key_id, "typ": TYP}
    data = json.dumps(stamped, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return jws.serialize_compact(header, data, key.key, algorithms=[ALGORITHM])


@dataclass
class Verified:
    partner: Partner
    payload: dict
    digest: str


def _header(token: str) -> dict:
    try:
        header_b64 = token.split(".")[0]
        padded = header_b64 + "=" * (-len(header_b64) % 4)
        header = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        header = None
    if not isinstance(header, dict) or token.count(".") != 2:
        raise Rejected("malformed", 400, _("The message is not a compact JWS."))
    return header


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def too_large() -> Rejected:
    return Rejected("too_large", 413, _("The message is larger than 256 KiB."))


def verify(raw: bytes, *, now: datetime | None = None) -> Verified:
    """Check everything but the message id (see inbox.receive); raise Rejected."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise too_large()
    try:
        token = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise Rejected("malformed", 400, _("The message is not a compact JWS.")) from None
    header = _header(token)
    if header.get("alg") != ALGORITHM or header.get("typ") != TYP:
        raise Rejected(
            "unsupported_algorithm",
            400,
            _("Only {typ} messages signed with {alg} are accepted.").format(typ=TYP, alg=ALGORITHM),
        )
    kid = header.get("kid")
    partner = Partner.objects.filter(key_id=kid).first() if isinstance(kid, str) and kid else None
    if partner is None:
        raise Rejected(
            "unknown_key",
            401,
            _("No partner is registered with this key id; exchange keys first."),
        )
    try:
        public = OKPKey.import_key(partner.public_jwk)
        signed = jws.deserialize_compact(token, public, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        raise Rejected(
            "bad_signature",
            401,
            _("The signature does not match the key registered for this partner."),
            partner=partner,
        ) from None
    if partner.status == Partner.Status.REVOKED:
        raise Rejected("partner_revoked", 403, _("This partner was revoked."), partner=partner)
    if partner.status == Partner.Status.SUSPENDED:
        raise Rejected("partner_suspended", 403, _("This partner is suspended."), partner=partner)
    try:
        payload = json.loads(signed.payload)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or any(
        not isinstance(payload.get(name), kind) for name, kind in REQUIRED.items()
    ):
        raise Rejected(
            "malformed",
            400,
            _("The message must hold: {fields}.").format(fields=", ".join(REQUIRED)),
            partner=partner,
        )
    try:
        uuid.UUID(payload["message_id"])
    except ValueError:
        raise Rejected("malformed", 400, _("message_id must be a UUID."), partner=partner) from None
    if payload["sender_country"] != partner.country:
        raise Rejected(
            "sender_mismatch",
            403,
            _("This key belongs to the partner of {country}, not of {claimed}.").format(
                country=partner.country, claimed=payload["sender_country"]
            ),
            partner=partner,
        )
    if payload["recipient_country"] != settings.CORRIDOR_COUNTRY:
        raise Rejected(
            "wrong_recipient",
            400,
            _("This instance serves {ours}, not {theirs}.").format(
                ours=settings.CORRIDOR_COUNTRY, theirs=payload["recipient_country"]
            ),
            partner=partner,
        )
    sent_at = _parse_time(payload["sent_at"])
    now = now or timezone.now()
    if sent_at is None or abs(now - sent_at) > max_skew():
        raise Rejected(
            "stale_timestamp",
            401,
            _(
                "sent_at is more than {seconds} seconds away from this instance's clock "
                "({now}); check both clocks."
            ).format(seconds=int(max_skew().total_seconds()), now=now.isoformat()),
            partner=partner,
        )
    if payload["type"] not in MessageType.ALL:
        raise Rejected(
            "unknown_type",
            400,
            _("Unknown message type; expected one of: {types}.").format(
                types=", ".join(MessageType.ALL)
            ),
            partner=partner,
        )
    return Verified(partner, payload, digest(payload))
