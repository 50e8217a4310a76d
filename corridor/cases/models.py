from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.references import case_reference


class Exploitation(models.TextChoices):
    """Forms of exploitation, coded as HTCDS / CTDC do."""

    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activity")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    CHILD_SOLDIERING = "child_soldiering", _("Recruitment of children by armed groups")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not yet known")


class ProtectionCase(models.Model):
    """The protection case of one person through the national referral mechanism."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
        REFERRED = "referred", _("Referred")
        ASSISTED = "assisted", _("Assisted")
        LONG_TERM_SUPPORT = "long_term_support", _("Long-term support")
        RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
        LOCAL_INTEGRATION = "local_integration", _("Local integration")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        TRAFFICKING = "trafficking", _("Trafficking in human beings")
        SMUGGLING = "smuggling", _("Smuggled migrant in need of assistance")

    class Risk(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=case_reference, editable=False
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned coordinator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinated_cases",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.TRAFFICKING
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.IDENTIFIED
    )
    forms_of_exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=Risk.choices, default=Risk.MEDIUM
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("protection case")
        verbose_name_plural = _("protection cases")
        indexes = [
            models.Index(fields=["owner_agency", "status"]),
            models.Index(fields=["status", "-opened_at"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def exploitation_labels(self) -> list[str]:
        return [
            str(Exploitation(code).label)
            for code in self.forms_of_exploitation
            if code in Exploitation.values
        ]
