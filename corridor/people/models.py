from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import person_reference
from corridor.vocabularies import Sex, country_choices, language_name

ADULT_AGE = 18


class Person(models.Model):
    """Someone who may be a victim of trafficking or a smuggled migrant in need of help."""

    class DocumentType(models.TextChoices):
        NONE = "", _("None")
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        TRAVEL_DOCUMENT = "travel_document", _("Travel document")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=person_reference, editable=False
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="persons",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    given_name = EncryptedTextField(_("given name"), blank=True)
    family_name = EncryptedTextField(_("family name"), blank=True)
    aliases = EncryptedTextField(_("aliases"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age_estimate_min = models.PositiveSmallIntegerField(
        _("estimated age from"), null=True, blank=True
    )
    age_estimate_max = models.PositiveSmallIntegerField(
        _("estimated age to"), null=True, blank=True
    )
    age_disputed = models.BooleanField(_("age disputed"), default=False)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, choices=country_choices
    )
    languages = models.CharField(_("languages spoken"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True, validators=[validate_email])
    address = EncryptedTextField(_("address"), blank=True)
    document_type = models.CharField(
        _("document type"), max_length=20, choices=DocumentType.choices, blank=True
    )
    document_number = EncryptedTextField(_("document number"), blank=True)
    narrative = EncryptedTextField(_("narrative"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["owner_agency", "-created_at"]),
            models.Index(fields=["-created_at"], name="person_newest_first"),  # national lists
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if getattr(self, "hidden_fields", None):
            raise ValueError("A person redacted for display cannot be saved.")
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Dates and ages that cannot be, all named at once (the form, the API, imports)."""
        errors = {}
        today = timezone.localdate()
        if self.date_of_birth is not None and self.date_of_birth > today:
            errors["date_of_birth"] = _("A date of birth cannot be in the future.")
        elif self.date_of_birth is not None and self.date_of_birth.year < today.year - 120:
            errors["date_of_birth"] = _("A date of birth more than 120 years ago is impossible.")
        lo, hi = self.age_estimate_min, self.age_estimate_max
        if lo is not None and hi is not None and lo > hi:
            errors["age_estimate_max"] = _(
                "The upper age estimate must not be below the lower one."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.reference

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def language_names(self) -> str:
        """The languages she speaks, named in the reader's language ("en, bin": English,
        Bini)."""
        codes = [c for c in re.split(r"[,;\s]+", self.languages or "") if c]
        return ", ".join(language_name(c) for c in codes)

    @property
    def age(self) -> int | None:
        return self.age_on(timezone.localdate())

    @property
    def presumed_minor(self) -> bool:
        """Presumption of minority: a person whose age is unknown or disputed is a child."""
        if self.age_disputed:
            return True
        if self.date_of_birth is not None:
            return self.age < ADULT_AGE
        if self.age_estimate_min is not None:
            return self.age_estimate_min < ADULT_AGE
        return True


class PersonSearchKey(models.Model):
    """One keyed digest of something a person is found by (a name's word or skeleton, a
    phone, a document number): HMAC-SHA256 under `CORRIDOR_SEARCH_KEY`, never the value.
    Rebuilt by `corridor reindex_search` when that key changes."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_keys")
    digest = models.CharField(max_length=32, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "digest"], name="one_search_key_each")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.digest[:8]}"
