"""Transnational referral between Corridor instances: partners, keys, messages, referrals.

- **InstanceKey**: this instance's Ed25519 signing key pair (the private JWK encrypted at
  rest), unless `CORRIDOR_SIGNING_KEY_FILE` names a file holding it.
- **Partner**: another country's instance, trusted through the public key its administrator
  handed over out of band.
- **TransnationalReferral**: a case sent to (outgoing) or received from (incoming) a partner,
  with exactly the fields that crossed the border.
- **OutboxMessage**: a signed message waiting to be delivered (durable: written in the same
  transaction as the change it reports). **ReceivedMessage**: a message accepted by the
  inbox, kept so that a message id is processed once.
- **PprlExchange**, **PprlPart**, **PprlMatch**: finding persons known to both instances
  from Bloom-filter encodings, never names (corridor.crossborder.pprl_exchange).
"""

from __future__ import annotations

import json
import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference
from corridor.vocabularies import country_choices


def transnational_reference() -> str:
    return new_reference("X")


# A reference a partner instance may send for a referral (its own `transnational_reference`,
# or a longer one of a later version: the field holds 12 characters).
PARTNER_REFERENCE = re.compile(r"^X-[0-9A-Z]{4,10}$")


class InstanceKey(models.Model):
    """A signing key pair of this instance; the newest one not retired signs."""

    key_id = models.CharField(_("key id"), max_length=100, unique=True)
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_jwk = EncryptedTextField(_("private key (JWK)"))
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("signing key of this instance")
        verbose_name_plural = _("signing keys of this instance")

    def __str__(self) -> str:
        return self.key_id


class Partner(models.Model):
    """Another country's Corridor instance, trusted through its public signing key."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("address of the instance"), max_length=300)
    public_jwk = models.JSONField(_("public signing key (JWK)"))
    key_id = models.CharField(_("key id"), max_length=100, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("reason for the last change of status"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # One deliverer at a time per partner keeps its messages in order (see outbox.py).
    delivery_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivery_lease_owner = models.CharField(max_length=40, blank=True, editable=False)
    # Agreed by the two administrators out of band; both instances key their Bloom-filter
    # encodings with it (corridor.crossborder.pprl), so encodings only compare within the pair.
    pprl_secret = EncryptedTextField(
        _("linkage secret agreed with this partner"),
        blank=True,
        help_text=_(
            "The same secret on both instances, agreed through another channel; needed to "
            "look for persons known to both without sending names."
        ),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("partner instance")
        verbose_name_plural = _("partner instances")
        constraints = [
            # A country has one partner instance we talk to; a revoked one is history.
            models.UniqueConstraint(
                fields=["country"],
                condition=~Q(status="revoked"),
                name="crossborder_one_partner_per_country",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def inbox_url(self) -> str:
        return f"{self.base_url.rstrip('/')}/crossborder/inbox"


class TransnationalReferral(models.Model):
    """A protection case sent to, or received from, a partner country's instance."""

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Sent to a partner")
        INCOMING = "incoming", _("Received from a partner")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for delivery")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        ASSISTED = "assisted", _("Assisted")
        RETURNED = "returned", _("Returned")
        REINTEGRATION_FOLLOWUP = "reintegration_followup", _("Reintegration follow-up")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Where nothing more happens.
    CLOSED = (Status.DECLINED, Status.WITHDRAWN)

    reference = models.CharField(
        _("reference"),
        max_length=12,
        unique=True,
        default=transnational_reference,
        editable=False,
    )
    # The reference people quote on both sides is the sender's: an incoming referral takes
    # it as its own `reference` (unless a referral here already holds it, which is possible
    # only by chance). `partner_reference` is the reference the partner knows it by: the
    # sender's for an incoming referral, the receiver's (once it answered) for an outgoing
    # one; empty where the partner did not send one (an older version).
    partner_reference = models.CharField(
        _("the partner's reference"), max_length=12, blank=True, db_index=True, editable=False
    )
    # The identifier the two instances share: ours for an outgoing referral; for an
    # incoming one, the sender's is `remote_id`.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.UUIDField(_("the partner's id"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    recipient_country = models.CharField(_("sent to country"), max_length=2)
    case = models.ForeignKey(
        "cases.ProtectionCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transnational_referrals",
    )
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent relied on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transnational_referrals",
    )
    purpose = models.CharField(_("purpose"), max_length=30)
    categories = models.JSONField(_("data shared"), default=list)
    # The record that crossed the border, under HTCDS names, as JSON (encrypted at rest).
    payload_json = EncryptedTextField(blank=True)
    # Organisational details of the sender: agency, country, contact (no victim data).
    sender = models.JSONField(_("sender"), default=dict)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.SENT
    )
    followup_month = models.PositiveSmallIntegerField(
        _("last reintegration follow-up (months)"), null=True, blank=True
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    withdraw_reason = models.TextField(_("reason for withdrawing"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    data_erased_at = models.DateTimeField(_("data received erased"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("transnational referral")
        verbose_name_plural = _("transnational referrals")
        indexes = [
            models.Index(fields=["direction", "recipient_country", "status"]),
            models.Index(fields=["case", "direction"]),
        ]
        constraints = [
            # One incoming referral per referral the partner sent, however often it arrives.
            models.UniqueConstraint(
                fields=["partner", "remote_id"],
                condition=Q(direction="incoming"),
                name="crossborder_one_incoming_per_remote_referral",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json) if self.payload_json else {}

    @payload.setter
    def payload(self, value: dict) -> None:
        self.payload_json = json.dumps(value, ensure_ascii=False) if value else ""

    @property
    def is_outgoing(self) -> bool:
        return self.direction == self.Direction.OUTGOING

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def partner_reference_differs(self) -> bool:
        """The partner knows this referral under another reference than ours (a rare
        collision on arrival): both must be shown, to be quoted on either side."""
        return bool(self.partner_reference) and self.partner_reference != self.reference

    @property
    def shared_id(self) -> uuid.UUID:
        """The id both instances know this referral by (the sender's)."""
        return self.uid if self.is_outgoing else self.remote_id

    def get_purpose_display(self) -> str:
        from corridor.consent.models import Consent

        purposes = Consent.Purpose
        return str(purposes(self.purpose).label) if self.purpose in purposes.values else ""

    def get_categories_display(self) -> list[str]:
        from corridor.consent.models import Consent

        return [
            str(label) for value, label in Consent.DataCategory.choices if value in self.categories
        ]

    def status_label(self) -> str:
        label = self.get_status_display()
        if self.status == self.Status.REINTEGRATION_FOLLOWUP and self.followup_month:
            return gettext("{status}: {months} months").format(
                status=label, months=self.followup_month
            )
        return label


class StatusReport(models.Model):
    """One step of a referral's follow-up, reported by the receiving country."""

    referral = models.ForeignKey(
        TransnationalReferral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        related_name="status_reports",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=TransnationalReferral.Status.choices
    )
    month = models.PositiveSmallIntegerField(_("months after return"), null=True, blank=True)
    at = models.DateTimeField(_("when"))
    # Who reported it here (the receiving side); empty where it arrived from the partner.
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status} {self.month or ''}".strip()

    def label(self) -> str:
        label = TransnationalReferral.Status(self.status).label
        if self.month:
            return gettext("{status}: {months} months").format(status=label, months=self.month)
        return str(label)


class OutboxMessage(models.Model):
    """A message to a partner, kept until the partner acknowledged it.

    The payload is signed again at each attempt (a fresh `sent_at`, the same message id and
    content), so a message held back by an outage is not refused as stale when it finally
    goes; the receiver recognises a redelivery by its message id.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be delivered")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Refused by the partner")
        CANCELLED = "cancelled", _("Cancelled before delivery")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="outbox"
    )
    referral = models.ForeignKey(
        TransnationalReferral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox",
    )
    message_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=30)
    payload_json = EncryptedTextField()
    token = EncryptedTextField(_("last signed message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    rejections = models.PositiveIntegerField(_("refusals by the partner"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["partner", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"

    @property
    def payload(self) -> dict:
        return json.loads(self.payload_json)


class ReceivedMessage(models.Model):
    """A message the inbox accepted: its id is never processed again."""

    message_id = models.UUIDField(unique=True)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="received_messages")
    type = models.CharField(max_length=30)
    # SHA-256 of the message without its `sent_at`: tells a redelivery from a reused id.
    digest = models.CharField(max_length=64)
    referral = models.ForeignKey(
        TransnationalReferral,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_messages",
    )
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("received message")
        verbose_name_plural = _("received messages")

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class PprlExchange(models.Model):
    """One run of "who do we both know?" with a partner: encodings sent (outgoing) or
    received (incoming), and how many matched. Counts only: no name, no encoding."""

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Started here")
        INCOMING = "incoming", _("Started by the partner")

    class Status(models.TextChoices):
        ENCODING = "encoding", _("Encoding the records")
        SENT = "sent", _("Encodings sent, waiting for the partner")
        RECEIVING = "receiving", _("Receiving the partner's encodings")
        MATCHING = "matching", _("Comparing the encodings")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped: it did not finish in time")

    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="pprl_exchanges"
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    parts = models.PositiveIntegerField(_("messages"), default=0)
    records_sent = models.PositiveIntegerField(_("encodings sent"), default=0)
    records_received = models.PositiveIntegerField(_("encodings received"), default=0)
    matches = models.PositiveIntegerField(_("matches"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("linkage exchange")
        verbose_name_plural = _("linkage exchanges")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "direction", "uid"], name="crossborder_one_pprl_exchange"
            )
        ]

    def __str__(self) -> str:
        return str(self.uid)


class PprlPart(models.Model):
    """One message of a partner's encodings, kept (encrypted) until all parts arrived and
    were compared, then deleted."""

    exchange = models.ForeignKey(PprlExchange, on_delete=models.CASCADE, related_name="received")
    part = models.PositiveIntegerField()
    records_json = EncryptedTextField()

    class Meta:
        ordering = ["part"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "part"], name="crossborder_one_pprl_part")
        ]

    def __str__(self) -> str:
        return f"{self.exchange_id}:{self.part}"


class PprlMatch(models.Model):
    """A person of this instance whose encoding matched one of the partner's: the partner's
    reference of the person and the similarity (Dice coefficient) — nothing else is known."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="pprl_matches"
    )
    exchange = models.ForeignKey(
        PprlExchange, on_delete=models.SET_NULL, null=True, blank=True, related_name="found"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="pprl_matches",
    )
    remote_reference = models.CharField(_("the partner's reference"), max_length=20)
    similarity = models.FloatField(_("similarity"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)

    class Meta:
        ordering = ["-found_at", "-similarity", "pk"]
        verbose_name = _("person known to a partner")
        verbose_name_plural = _("persons known to partners")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "person", "remote_reference"], name="crossborder_one_pprl_match"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.partner_id}:{self.remote_reference}"
