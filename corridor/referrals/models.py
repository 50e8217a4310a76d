"""The service directory and the referral of a protection case from one agency to another.

- A **service offer** is what a provider agency publishes in the directory: the service, the
  area and languages it covers, who is eligible, its free capacity and an organisational
  contact (never personal data).
- A **referral** sends a case to an agency for a service, relying on a **consent** of the
  person that covers the recipient, the purpose and every category of data it shares.
- **Service deliveries** record what the receiving agency actually did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import referral_reference
from corridor.vocabularies import ServiceType, Sex

# The sexes an offer may restrict itself to (a person of unknown sex is not refused by sex).
OFFER_SEXES = ("female", "male", "other")


def search_key(value: str) -> str:
    """How an area or language is compared: trimmed, case-folded."""
    return " ".join(str(value).split()).casefold()


class ServiceOffer(models.Model):
    """A service a provider agency offers, as listed in the directory.

    `areas` empty means the whole country; `sexes` empty means everyone; `total_places`
    empty means the service is not counted in places (legal aid, interpretation).
    """

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="service_offers",
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what is offered"), blank=True)
    area_description = models.TextField(_("area served"), blank=True)
    areas = models.JSONField(
        _("regions and cities served"),
        default=list,
        blank=True,
        help_text=_("ISO 3166-2 region codes (e.g. IT-82) or city names; empty: whole country."),
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes, e.g. en, fr.")
    )
    sexes = models.JSONField(
        _("sexes accepted"), default=list, blank=True, help_text=_("Empty: everyone.")
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    accepts_unaccompanied_children = models.BooleanField(
        _("accepts unaccompanied children"), default=False
    )
    total_places = models.PositiveIntegerField(_("total places"), null=True, blank=True)
    free_places = models.PositiveIntegerField(_("free places"), null=True, blank=True)
    capacity_updated_at = models.DateTimeField(_("capacity published"), null=True, blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # "|lang:en|area:palermo|sex:*|": lets every database filter the JSON lists above.
    search_keys = models.TextField(default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["service_type", "name"]
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")
        indexes = [models.Index(fields=["service_type", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_keys = self.build_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"languages", "areas", "sexes"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_keys"}
        super().save(*args, **kwargs)

    def build_search_keys(self) -> str:
        keys = [f"lang:{search_key(code)}" for code in self.languages]
        keys += [f"area:{search_key(area)}" for area in self.areas] or ["area:*"]
        keys += [f"sex:{sex}" for sex in self.sexes] or ["sex:*"]
        return "|" + "|".join(keys) + "|"

    @property
    def counts_places(self) -> bool:
        return self.total_places is not None

    @property
    def is_full(self) -> bool:
        return self.counts_places and not self.free_places  # as OFFER_FULL says in SQL

    def get_sexes_display(self) -> list[str]:
        return [str(Sex(sex).label) for sex in self.sexes if sex in Sex.values]


# `ServiceOffer.is_full` in SQL: counted in places, and none free.
OFFER_FULL = models.Q(total_places__isnull=False) & (
    models.Q(free_places=0) | models.Q(free_places__isnull=True)
)


class Referral(models.Model):
    """A protection case referred by one agency to another for a service."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # While a referral is in one of these states (and its consent stands) the receiving
    # agency has a need to know.
    GRANTS_ACCESS = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED)
    # States in which someone still has to act on the referral.
    OPEN = (Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS)
    # What a referral shares when nothing else was chosen — and all that a referral made
    # before consents were recorded (no `consent`) shares.
    DEFAULT_CATEGORIES = ("identity", "case")

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
    offer = models.ForeignKey(
        ServiceOffer,
        verbose_name=_("service offer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    # Nullable only for referrals made before consents were recorded; refer_case requires it.
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent relied on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    shared_categories = models.JSONField(_("data shared"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    note = EncryptedTextField(_("note"), blank=True)
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    withdraw_reason = EncryptedTextField(_("reason for withdrawing"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("first service delivered"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    # True while the referral occupies one of its offer's places (taken on acceptance).
    holds_place = models.BooleanField(default=False, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["to_agency", "status"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["-created_at", "-id"], name="referral_newest_first"),
            # The queue's longest waits, read in order instead of sorting every such referral
            # (referrals.services.waiting_for orders by the same expressions).
            models.Index(
                Coalesce("responded_at", "created_at"),
                "id",
                name="referral_declined_wait",
                condition=models.Q(status="declined"),
            ),
            models.Index(
                Coalesce("started_at", "responded_at", "created_at"),
                "id",
                name="referral_delivering_wait",
                condition=models.Q(status="in_progress"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def categories(self) -> frozenset[str]:
        """The data categories this referral lets the receiving agency see."""
        if self.consent_id is None or not self.shared_categories:
            return frozenset(self.DEFAULT_CATEGORIES)
        return frozenset(self.shared_categories)

    def get_categories_display(self) -> list[str]:
        from corridor.consent.models import Consent

        return [
            str(label) for value, label in Consent.DataCategory.choices if value in self.categories
        ]

    @property
    def consent_revoked(self) -> bool:
        return self.consent_id is not None and self.consent.revoked_at is not None

    def response_due_at(self):
        from datetime import timedelta

        return self.created_at + timedelta(hours=settings.CORRIDOR_REFERRAL_RESPONSE_HOURS)

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.SENT and timezone.now() >= self.response_due_at()


class ServiceDelivery(models.Model):
    """A service the receiving agency delivered under a referral."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="deliveries"
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    delivered_on = models.DateField(_("delivered on"))
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["delivered_on", "pk"]
        verbose_name = _("service delivery")
        verbose_name_plural = _("service deliveries")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.service_type} on {self.delivered_on}"
