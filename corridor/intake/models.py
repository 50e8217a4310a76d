"""Field and paper data coming into Corridor: register imports and phone-form submissions.

- `ImportMapping`: how an agency's spreadsheet columns map to Corridor's fields, saved so
  the next register in the same layout needs no mapping by hand.
- `StagedUpload`: a register file between upload and import (the mapping step), stored
  encrypted and only for the person who uploaded it.
- `ImportBatch`: one import, with the file's SHA-256 so the same file is never imported
  twice into the same agency. A long register is written in short transactions: while
  that goes on the batch is "importing" and `last_row` marks the last row written, so an
  interrupted import resumes after it; an import that fails half-way is undone ("failed").
- `SubmissionReceipt`: one ODK Collect / KoBoToolbox submission received, by its instance
  id, so a submission exported twice becomes one screening only.
"""

from __future__ import annotations

import base64
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField


class ImportMapping(models.Model):
    """A saved column mapping of one agency: file header → Corridor field."""

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    name = models.CharField(_("name"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="intake_mapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class StagedUpload(models.Model):
    """A register file waiting for its column mapping; deleted once imported."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    content_b64 = EncryptedTextField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_b64)


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        REGISTER = "register", _("Paper register")
        SUBMISSIONS = "submissions", _("Phone form submissions")

    class Status(models.TextChoices):
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed: undone")

    # A register is imported once per agency, unless the earlier import failed (was undone).
    COUNTED = (Status.IMPORTING, Status.IMPORTED)

    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    persons_created = models.PositiveIntegerField(_("persons created"), default=0)
    cases_created = models.PositiveIntegerField(_("cases created"), default=0)
    screenings_created = models.PositiveIntegerField(_("screenings created"), default=0)
    already_imported = models.PositiveIntegerField(_("already imported"), default=0)
    # [{"row": 2, "person": "P-…", "case": "C-…" | None, "screening": id | None}, …]
    created = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IMPORTED
    )
    # The spreadsheet row number of the last row written, committed with that row.
    last_row = models.PositiveIntegerField(default=0)
    # The background job writing it: only that job resumes it after an interruption.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why it failed: the rejected rows as JSON; they may quote the file, so encrypted.
    failure = EncryptedTextField(blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # A register file is imported once per agency; phone-form exports are deduplicated
            # per submission instead (SubmissionReceipt), since each export repeats old ones.
            models.UniqueConstraint(
                fields=["agency", "sha256"],
                condition=models.Q(kind="register", status__in=["importing", "imported"]),
                name="intake_register_imported_once",
            )
        ]

    def __str__(self) -> str:
        return self.file_name


class SubmissionReceipt(models.Model):
    """One phone-form submission, received once whatever the number of exports."""

    instance_id = models.CharField(_("instance id"), max_length=100, unique=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="receipts")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    screening = models.ForeignKey(
        "screening.Screening",
        verbose_name=_("screening"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")

    def __str__(self) -> str:
        return self.instance_id
