from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One append-only line of the audit trail, chained to the previous one by its hash.

    The hash covers every field and the previous hash, so editing, inserting or removing a
    row breaks the chain at that row; `corridor audit verify` finds the first broken link.
    `person_ref` names the person the event is about (her own record, or her screening,
    case, consent, referral...), so that one filter finds everything that happened to and
    around her; it joined the hash when it joined the table (see `canonical`).
    An event written while another writer holds the chain head is written unsealed (no
    `chain_seq` yet) and sealed moments later by the worker's sweep (audit.services.
    chain_pending), so that recording a view never waits for other viewers.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        DELETE = "delete", _("Deleted")
        BREAK_GLASS = "break_glass", _("Emergency access")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        ADMIN = "admin", _("Administration")
        KEY_ROTATION = "key_rotation", _("Keys rotated")
        MESSAGE_RECEIVED = "message_received", _("Partner message received")
        MESSAGE_REFUSED = "message_refused", _("Partner message refused")
        SEARCH = "search", _("Searched")
        LINK = "link", _("Linked as one person")
        UNLINK = "unlink", _("Unlinked")

    at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    actor_agency = models.CharField(_("agency"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=40, blank=True)
    object_ref = models.CharField(_("record"), max_length=40, blank=True)
    person_ref = models.CharField(_("person"), max_length=40, blank=True)
    ip_address = models.CharField(_("from"), max_length=45, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    reason = EncryptedTextField(_("reason"), blank=True)
    details = models.JSONField(default=dict, blank=True)
    chain_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_ref"]),
            models.Index(fields=["person_ref", "id"], name="audit_person_trail"),
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unchained"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit events are append-only and cannot be deleted.")

    def canonical(self) -> bytes:
        payload = {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "actor_agency": self.actor_agency,
            "action": self.action,
            "object_type": self.object_type,
            "object_ref": self.object_ref,
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "reason": self.reason,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        # Events written before the field existed have none and were hashed without it: it
        # is hashed only when set, so they verify as they were sealed, and setting it on an
        # old event, clearing it or changing it on a new one breaks the chain all the same.
        if self.person_ref:
            payload["person_ref"] = self.person_ref
        return json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked by whoever seals events into the chain, so it stays linear."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    count = models.BigIntegerField(default=0)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count} events, last {self.last_hash[:12]}"
