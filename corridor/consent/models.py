"""Consent: the legal basis every sharing of a victim's data relies on.

National referrals, transnational referrals and (soon) investigations and exports ask this
app for a consent that covers them; when a consent is revoked, this app says so with the
`consent_revoked` signal and each of them closes what relied on it. It imports none of them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField


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
        "cases.ProtectionCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
    )
    purposes = models.JSONField(_("purposes"), default=list)
    data_categories = models.JSONField(_("data that may be shared"), default=list)
    recipient_agencies = models.ManyToManyField(
        "accounts.Agency",
        verbose_name=_("agencies"),
        blank=True,
        related_name="+",
        db_table="cases_consent_recipient_agencies",
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
    revocation_reason = EncryptedTextField(_("reason for revocation"), blank=True)

    class Meta:
        db_table = "cases_consent"  # where it was born, inside the cases app
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"consent {self.pk} of {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def purpose_labels(self) -> list[str]:
        return [str(self.Purpose(p).label) for p in self.purposes if p in self.Purpose.values]

    def category_labels(self) -> list[str]:
        return [
            str(self.DataCategory(c).label)
            for c in self.data_categories
            if c in self.DataCategory.values
        ]

    def sector_labels(self) -> list[str]:
        from corridor.accounts.models import Agency

        sectors = Agency.Sector
        return [str(sectors(s).label) for s in self.recipient_sectors if s in sectors.values]

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
