"""Requests for legal cooperation between countries: mutual legal assistance, extradition,
European Arrest Warrants, transfers of proceedings and joint investigation teams, tracked
from the day they are drafted to the answer, with their legal deadlines."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference


def cooperation_reference() -> str:
    return new_reference("L")


class CooperationRequest(models.Model):
    class Kind(models.TextChoices):
        MLA = "mla", _("Mutual legal assistance")
        EXTRADITION = "extradition", _("Extradition")
        EAW = "eaw", _("European Arrest Warrant")
        TRANSFER = "transfer", _("Transfer of proceedings")
        JIT = "jit", _("Joint investigation team agreement")

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("Sent by us")
        INCOMING = "incoming", _("Received from abroad")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged by the requested authority")
        IN_EXECUTION = "in_execution", _("Being executed")
        ANSWERED = "answered", _("Answered")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted in full")
        PARTLY = "partly", _("Granted in part")
        REFUSED = "refused", _("Refused")

    # Still waiting for the other side: what the deadline and the reminders are about.
    OPEN = (Status.SENT, Status.ACKNOWLEDGED, Status.IN_EXECUTION)
    CLOSED = (Status.ANSWERED, Status.REFUSED, Status.WITHDRAWN)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=cooperation_reference, editable=False
    )
    kind = models.CharField(_("kind of request"), max_length=20, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.OUTGOING
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning office"),
        on_delete=models.PROTECT,
        related_name="cooperation_requests",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible prosecutor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    criminal_case = models.ForeignKey(
        "investigations.CriminalCase",
        verbose_name=_("criminal case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cooperation_requests",
    )
    requesting_country = models.CharField(_("requesting country"), max_length=2)
    requested_country = models.CharField(_("requested country"), max_length=2)
    requesting_authority = models.CharField(_("requesting authority"), max_length=200)
    requested_authority = models.CharField(_("requested authority"), max_length=200, blank=True)
    # What is asked (hearing a witness, bank records, arrest and surrender…): it can name
    # suspects and victims, so it is kept encrypted.
    subject = EncryptedTextField(_("what is asked"))
    their_reference = models.CharField(_("the other side's reference"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    due_on = models.DateField(_("legal deadline"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_notes = EncryptedTextField(_("notes on the answer"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("legal cooperation request")
        verbose_name_plural = _("legal cooperation requests")
        indexes = [
            models.Index(fields=["owner_agency", "-created_at"]),
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["sent", "acknowledged", "in_execution"]),
                name="cooperation_open_due",
            ),
            models.Index(fields=["requesting_country", "requested_country"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today

    def days_taken(self) -> int | None:
        """Days from sending to the answer (or to today while it is open)."""
        if self.sent_on is None:
            return None
        end = self.answered_on or timezone.localdate()
        return (end - self.sent_on).days


class CooperationEvent(models.Model):
    """One step of a request's history: who moved it, when, from which status to which."""

    request = models.ForeignKey(CooperationRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return CooperationRequest.Status(self.to_status).label
