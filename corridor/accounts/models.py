"""Agencies, users and their roles.

A role is a Django group whose name is a `Role` value, so a person may hold several roles
(an NGO coordinator who also administers the instance) with Django's own auth machinery.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.vocabularies import country_choices


class Role(models.TextChoices):
    FIRST_RESPONDER = "first_responder", _("First responder")
    COORDINATOR = "coordinator", _("NRM coordinator")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    INVESTIGATOR = "investigator", _("Investigator")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that must prove a second factor before they see anything (outside the demo).
PRIVILEGED_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.COORDINATOR, Role.INVESTIGATOR, Role.PROSECUTOR}
)


class Agency(models.Model):
    class Sector(models.TextChoices):
        ANTI_TRAFFICKING = "anti_trafficking", _("National anti-trafficking agency")
        POLICE = "police", _("Police")
        IMMIGRATION = "immigration", _("Immigration and border")
        LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
        SOCIAL_SERVICES = "social_services", _("Social services and child protection")
        SHELTER = "shelter", _("Shelter")
        HEALTH = "health", _("Health and psychosocial support")
        LEGAL_AID = "legal_aid", _("Legal aid")
        NGO = "ngo", _("Non-governmental organisation")
        INTERNATIONAL = "international", _("International organisation (return and reintegration)")
        PROSECUTION = "prosecution", _("Prosecution service")
        HOTLINE = "hotline", _("Hotline")

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        NGO = "ngo", _("Non-governmental")
        INTERNATIONAL = "international", _("International organisation")

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GOVERNMENT)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["country", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """How lists and tables name the agency: its short name, else its name."""
        return self.short_name or self.name


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["username"]

    @property
    def may_work(self) -> bool:
        """An active account of an active agency: deactivating an agency stops its people."""
        return bool(self.is_active and (self.agency_id is None or self.agency.is_active))

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.pk or not self.may_work:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def needs_mfa(self) -> bool:
        return bool(self.roles & PRIVILEGED_ROLES)

    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in Role.values if r in self.roles]


class ApiToken(models.Model):
    """A bearer token for integrations; only a hash of the secret is stored."""

    PREFIX = "cor_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()

    @classmethod
    def new_secret(cls) -> tuple[str, str, str]:
        """Return (token shown once to the user, key id, hash to store)."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{cls.PREFIX}{key_id}_{secret}", key_id, cls.hash_secret(secret)


class BreakGlassGrant(models.Model):
    """Emergency, time-limited access to one record outside a user's need-to-know scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="break_glass_grants")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.person} until {self.expires_at:%Y-%m-%d %H:%M}"


class RoleRequest(models.Model):
    """A role that opens victims' records or administration, asked for by one administrator
    and granted only once a second one agrees (four eyes); never self-service."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a second administrator")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="role_requests"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_request_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.role} ({self.status})"
