"""Legal holds, erasure requests and the erasures done.

- `LegalHold`: an NRM coordinator or a prosecutor says that a person's records must be kept
  (criminal proceedings, a compensation claim, an appeal). While a hold stands, nothing about
  her is erased: neither by the retention rules nor at her own request.
- `ErasureRequest`: the person asked for her records to be erased (her right to erasure);
  the request was carried out, or refused with the reasons the law allows.
- `Erasure`: one person whose records were erased or anonymised, when and under which rule.
  It is what the retention job looks at to never erase the same person twice.

None of these rows is ever deleted: together they prove what was kept, why, and what was
erased.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import ProtectionCase
from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference


def hold_reference() -> str:
    return new_reference("H")


def erasure_request_reference() -> str:
    return new_reference("ER")


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """Keep every record of one person until the hold is lifted; placed with a reason."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=hold_reference, editable=False
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("placed by (agency)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    reason = EncryptedTextField(_("reason"))
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = EncryptedTextField(_("reason for lifting"), blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["person", "lifted_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class ErasureRequest(models.Model):
    """A person's request that her records be erased, and what became of it."""

    class Status(models.TextChoices):
        CARRIED_OUT = "carried_out", _("Carried out: the records were erased")
        REFUSED = "refused", _("Refused")

    class Ground(models.TextChoices):
        """Why the records must be kept (GDPR art. 17(3)(b) and (e): a legal obligation, the
        establishment, exercise or defence of legal claims)."""

        LEGAL_HOLD = "legal_hold", _("A legal hold applies")
        OPEN_CASE = "open_case", _("A protection case is still open")
        OPEN_REFERRAL = "open_referral", _("A referral is still open")
        PENDING_DECISION = "pending_decision", _("A non-punishment decision is pending")
        MESSAGE_IN_TRANSIT = "message_in_transit", _("A message to a partner country is pending")

    # What each ground says about this person's records, with its particulars.
    GROUND_MESSAGES = {
        Ground.LEGAL_HOLD: _(
            "Legal hold {reference}, placed by {agency} on {date}, applies: the records are "
            "kept until it is lifted."
        ),
        Ground.OPEN_CASE: _("Protection case {reference} is still open ({stage}): close it first."),
        Ground.OPEN_REFERRAL: _("Referral {reference} to {agency} is still open."),
        Ground.PENDING_DECISION: _(
            "An offence recorded on case {reference} still awaits its non-punishment decision."
        ),
        Ground.MESSAGE_IN_TRANSIT: _(
            "A message about case {reference} is still waiting to be delivered to a partner "
            "country."
        ),
    }

    reference = models.CharField(
        _("reference"),
        max_length=12,
        unique=True,
        default=erasure_request_reference,
        editable=False,
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="erasure_requests",
    )
    requested_on = models.DateField(_("asked on"), default=timezone.localdate)
    note = EncryptedTextField(_("note"), blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("recorded by (agency)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    status = models.CharField(_("outcome"), max_length=20, choices=Status.choices)
    # [{"ground": "legal_hold", "reference": "H-…", "agency": "…", "date": "2026-03-01"}, …]
    refusal = models.JSONField(_("grounds for refusal"), default=list, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return self.reference

    @property
    def refused(self) -> bool:
        return self.status == self.Status.REFUSED

    def refusal_messages(self) -> list[str]:
        return [describe_ground(ground) for ground in self.refusal]


def describe_ground(ground: dict) -> str:
    """One ground for keeping the records, in words, in the active language."""
    code = ground.get("ground", "")
    template = ErasureRequest.GROUND_MESSAGES.get(code)
    if template is None:
        return str(code)
    stage = ground.get("stage", "")
    if stage in ProtectionCase.Status.values:
        stage = ProtectionCase.Status(stage).label
    day = ground.get("date", "")
    if day:
        day = formats.date_format(date.fromisoformat(day), "SHORT_DATE_FORMAT")
    return str(template).format(
        reference=ground.get("reference", ""),
        agency=ground.get("agency", ""),
        date=day,
        stage=stage,
    )


class Erasure(models.Model):
    """A person whose records were erased or anonymised (see `corridor.retention.erasure`)."""

    class Rule(models.TextChoices):
        UNIDENTIFIED = "unidentified", _("Screened, never identified as a victim")
        CLOSED_CASE = "closed_case", _("Every protection case closed")
        REQUEST = "request", _("At the person's request")

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.OneToOneField(
        ErasureRequest,
        verbose_name=_("erasure request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="erasure",
    )

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.person_id} ({self.rule})"
