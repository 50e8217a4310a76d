"""Who is who: pairs of person records that may be one person, and the links between them.

Records are linked, never merged: each keeps its owning agency, its author, its history and
who may see it, so a link never widens anyone's access and unlinking restores both exactly.
A confirmed link puts the records in one *identity*; national figures count identities.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MatchCandidate(models.Model):
    """Two records that look like one person, with why (each field's agreement and weight)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("To review")
        CONFIRMED = "confirmed", _("Same person")
        REJECTED = "rejected", _("Different persons")
        UNLINKED = "unlinked", _("Unlinked")

    class Source(models.TextChoices):
        REGISTRATION = "registration", _("Checked at registration")
        RUN = "run", _("Linkage run")

    left = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    reasons = models.JSONField(default=list)  # [{"field", "level", "weight"}], no values
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.REGISTRATION)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-probability", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_candidate_per_pair"),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="candidate_pair_ordered"),
        ]
        indexes = [models.Index(fields=["status", "-probability"])]

    def __str__(self) -> str:
        return f"{self.left_id}~{self.right_id} ({self.probability:.2f})"


class PersonLink(models.Model):
    """A record's place in an identity: the records confirmed to be one person share `identity`
    (the smallest person id among them)."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="link")
    identity = models.PositiveBigIntegerField(db_index=True)
    candidate = models.ForeignKey(
        MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person_id}→{self.identity}"


class LinkageCheck(models.Model):
    """That a record was checked against the others (so the incremental check resumes)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="linkage_check"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.person_id} checked {self.checked_at:%Y-%m-%d %H:%M}"
