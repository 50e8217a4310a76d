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


class Consent(models.Model):
    """What the person agreed may be shared, with whom, and why; revocable at any time.

    Referrals (national and transnational) must rely on a consent that covers the recipient,
    the purpose and every category of data they carry; a revoked consent covers nothing.
    """

    class Purpose(models.TextChoices):
        ASSISTANCE = "assistance", _("Protection and assistance services")
        RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")
        FAMILY_TRACING = "family_tracing", _("Family tracing")
        CONTINUED_ASSISTANCE = "continued_assistance", _("Continued assistance")
        INFORMATION_FOR_PROTECTION = "information_for_protection", _("Information for protection")
        CRIMINAL_PROCEEDINGS = "criminal_proceedings", _("Criminal proceedings")

    class DataCategory(models.TextChoices):
        IDENTITY = "identity", _("Identity (names, age, sex, nationality)")
        CONTACT = "contact", _("Contact details")
        DOCUMENTS = "documents", _("Identity documents")
        STORY = "story", _("Account of what happened")
        HEALTH = "health", _("Health and needs")
        CASE = "case", _("Case history and status")

    class Method(models.TextChoices):
        WRITTEN = "written", _("Written and signed")
        VERBAL = "verbal", _("Verbal, witnessed")
        GUARDIAN = "guardian", _("Given by a guardian")

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="consents"
    )
    case = models.ForeignKey(
        ProtectionCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    purposes = models.JSONField(_("purposes"), default=list)
    data_categories = models.JSONField(_("data that may be shared"), default=list)
    recipient_agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("agencies"), blank=True, related_name="+"
    )
    recipient_sectors = models.JSONField(_("any agency of these sectors"), default=list, blank=True)
    recipient_countries = models.JSONField(_("partner countries"), default=list, blank=True)
    method = models.CharField(_("how consent was given"), max_length=20, choices=Method.choices)
    interpreter_language = models.CharField(_("explained in language"), max_length=10, blank=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} of {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def covers(self, *, purpose: str, categories, agency=None, country: str | None = None) -> bool:
        """Whether this consent lets `categories` go to `agency` (or `country`) for `purpose`."""
        if not self.is_active or purpose not in self.purposes:
            return False
        if not set(categories) <= set(self.data_categories):
            return False
        if agency is not None:
            if agency.sector in self.recipient_sectors:
                return True
            return any(a.pk == agency.pk for a in self.recipient_agencies.all())
        return country is not None and country in self.recipient_countries
