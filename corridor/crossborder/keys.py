"""This instance's signing key, and the checks a partner's public key must pass.

Keys are Ed25519 JWKs handled by `joserfc`; nothing here does cryptography by hand.

The signing key comes from, in this order:
1. the file named by `CORRIDOR_SIGNING_KEY_FILE` (a setting of that name overrides the
   environment variable): a private JWK as JSON, e.g. mounted from a secrets store;
2. the newest `InstanceKey` not retired, made by `corridor crossborder_keys` and stored with
   its private half encrypted under CORRIDOR_FIELD_KEYS.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc.jwk import OKPKey

from corridor.crossborder.models import InstanceKey

CURVE = "Ed25519"


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    key: OKPKey  # private

    def __repr__(self) -> str:  # never print the private half
        return f"SigningKey({self.key_id!r})"

    @property
    def public_jwk(self) -> dict:
        return public_jwk_of(self.key, self.key_id)


def public_jwk_of(key: OKPKey, key_id: str) -> dict:
    jwk = key.as_dict(private=False)
    jwk["kid"] = key_id
    jwk.pop("d", None)
    return {name: jwk[name] for name in ("kty", "crv", "x", "kid")}


def new_key_id(key: OKPKey) -> str:
    """The country and the key's RFC 7638 thumbprint, e.g. `it-Pj9Yam…`: unique and stable."""
    return f"{settings.CORRIDOR_COUNTRY.lower()}-{key.thumbprint()}"


def generate_instance_key() -> SigningKey:
    """A new key pair; the caller stores it."""
    key = OKPKey.generate_key(CURVE, private=True)
    return SigningKey(new_key_id(key), key)


def key_file_path() -> str:
    return (
        getattr(settings, "CORRIDOR_SIGNING_KEY_FILE", "")
        or os.environ.get("CORRIDOR_SIGNING_KEY_FILE", "")
    ).strip()


@functools.lru_cache(maxsize=8)
def _key_from_file(path: str, version: tuple[int, int]) -> SigningKey:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        key = OKPKey.import_key(data)
    except (OSError, ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"CORRIDOR_SIGNING_KEY_FILE ({path}) must hold an Ed25519 private key as a JWK: "
            f"{exc.__class__.__name__}"
        ) from None
    if data.get("crv") != CURVE or not key.is_private:
        raise ImproperlyConfigured(
            f"CORRIDOR_SIGNING_KEY_FILE ({path}) must hold an Ed25519 *private* key as a JWK"
        )
    return SigningKey(str(data.get("kid") or new_key_id(key)), key)


def write_key_file(path: str | Path, signing_key: SigningKey) -> None:
    """Write a private JWK file readable by its owner only (for tests, the demo, deployments)."""
    jwk = signing_key.key.as_dict(private=True)
    jwk["kid"] = signing_key.key_id
    path = Path(path)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(json.dumps(jwk), encoding="utf-8")


def instance_signing_key() -> SigningKey:
    """The key this instance signs its messages with; ImproperlyConfigured if there is none."""
    path = key_file_path()
    if path:
        try:
            stat = os.stat(path)
        except OSError:
            raise ImproperlyConfigured(
                f"CORRIDOR_SIGNING_KEY_FILE names {path}, which cannot be read"
            ) from None
        return _key_from_file(path, (stat.st_mtime_ns, stat.st_size))  # re-read when replaced
    stored = InstanceKey.objects.filter(retired_at__isnull=True).first()
    if stored is None:
        raise ImproperlyConfigured(
            "This instance has no signing key: run `corridor crossborder_keys` "
            "or set CORRIDOR_SIGNING_KEY_FILE."
        )
    return _key_from_row(stored.key_id, stored.private_jwk)


@functools.lru_cache(maxsize=8)
def _key_from_row(key_id: str, private_jwk: str) -> SigningKey:
    return SigningKey(key_id, OKPKey.import_key(json.loads(private_jwk)))


def instance_key_id() -> str | None:
    """The id of the key this instance signs with, or None when it has none yet."""
    try:
        return instance_signing_key().key_id
    except ImproperlyConfigured:
        return None


def create_instance_key(*, rotate: bool = False) -> tuple[InstanceKey, bool]:
    """The current stored key, or a new one (`rotate`: retire the current one first).

    Returns (key, created). Keys already handed to partners keep working on their side
    only until they register the new public key: rotate in agreement with them.
    """
    with transaction.atomic():
        current = InstanceKey.objects.select_for_update().filter(retired_at__isnull=True).first()
        if current is not None and not rotate:
            return current, False
        if current is not None:
            InstanceKey.objects.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        fresh = generate_instance_key()
        private = fresh.key.as_dict(private=True)
        private["kid"] = fresh.key_id
        row = InstanceKey.objects.create(
            key_id=fresh.key_id,
            public_jwk=fresh.public_jwk,
            private_jwk=json.dumps(private),
        )
    return row, True


# --- a partner's public key -------------------------------------------------------------------


def parse_public_jwk(text_or_dict, *, key_id: str = "") -> tuple[dict, str]:
    """Check a pasted public key; return (the public JWK, its key id).

    Raises ValidationError naming `public_jwk` (or `key_id`) with what is wrong.
    """
    if isinstance(text_or_dict, dict):
        data = text_or_dict
    else:
        try:
            data = json.loads(text_or_dict or "")
        except ValueError:
            raise ValidationError(
                {"public_jwk": _("This is not JSON: paste the public key (JWK) exactly.")}
            ) from None
    if not isinstance(data, dict):
        raise ValidationError({"public_jwk": _("A JWK is a JSON object.")})
    if "d" in data:
        raise ValidationError(
            {
                "public_jwk": _(
                    "This is a private key. Paste only the public key; the partner must make "
                    "a new key pair, since this private key has been exposed."
                )
            }
        )
    if data.get("kty") != "OKP" or data.get("crv") != CURVE:
        raise ValidationError(
            {
                "public_jwk": _(
                    "Only Ed25519 keys are accepted (kty OKP, crv Ed25519); this key is "
                    "{kty} {crv}."
                ).format(kty=data.get("kty", "?"), crv=data.get("crv", "?"))
            }
        )
    try:
        key = OKPKey.import_key({"kty": "OKP", "crv": CURVE, "x": data.get("x", "")})
    except (ValueError, TypeError) as exc:
        raise ValidationError({"public_jwk": _("This is not a valid Ed25519 public key.")}) from exc
    jwk_kid = str(data.get("kid") or "").strip()
    key_id = (key_id or "").strip()
    if jwk_kid and key_id and jwk_kid != key_id:
        raise ValidationError(
            {"key_id": _("The key id differs from the one in the key ({kid}).").format(kid=jwk_kid)}
        )
    key_id = key_id or jwk_kid
    if not key_id:
        raise ValidationError({"key_id": _("Give the key id (kid) the partner signs with.")})
    if len(key_id) > 100:
        raise ValidationError({"key_id": _("A key id is at most 100 characters.")})
    return public_jwk_of(key, key_id), key_id
