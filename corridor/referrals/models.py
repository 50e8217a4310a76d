from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.references import referral_reference


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    DOCUMENTATION = "documentation", _("Documentation")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    EDUCATION_LIVELIHOOD = "education_livelihood", _("Education and livelihood")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INVESTIGATION = "investigation", _("Criminal investigation")


class Referral(models.Model):
    """A protection case referred by one agency to another for a service."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # While a referral is in one of these states the receiving agency has a need to know.
    GRANTS_ACCESS = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED)

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=referral_reference, editable=False
    )
    case = models.ForeignKey(
        "cases.ProtectionCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    from_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    note = models.TextField(_("note"), blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["to_agency", "status"])]

    def __str__(self) -> str:
        return self.reference
