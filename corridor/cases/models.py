from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import case_reference
from corridor.vocabularies import Exploitation, ServiceType

# Council of Europe Convention on Action against Trafficking in Human Beings, article 13:
# a reflection period of at least 30 days.
COE_MINIMUM_REFLECTION_DAYS = 30


def reflection_days() -> int:
    """The default length of a reflection period: CORRIDOR_REFLECTION_DAYS, 30 if unset."""
    return int(getattr(settings, "CORRIDOR_REFLECTION_DAYS", COE_MINIMUM_REFLECTION_DAYS))


# Needs are coded like the services that meet them (referrals' ServiceType), so a need
# found in an assessment points straight at the service to refer to.
NEED_CODES = [code for code in ServiceType.values if code != ServiceType.INVESTIGATION]
NEED_CHOICES = [(code, label) for code, label in ServiceType.choices if code in NEED_CODES]


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

    class ClosureReason(models.TextChoices):
        """HTCDS cas_ReasonForCaseClosure (free text in the standard), coded."""

        ASSISTED_REINTEGRATED = "assisted_reintegrated", _("Assisted and reintegrated")
        RETURNED = "returned", _("Returned to the country of origin")
        LOST_CONTACT = "lost_contact", _("Lost contact")
        DECLINED_ASSISTANCE = "declined_assistance", _("Declined further assistance")
        TRANSFERRED = "transferred", _("Transferred to another agency or country")
        NOT_A_VICTIM = "not_a_victim", _("Not a victim of trafficking")
        DECEASED = "deceased", _("Deceased")
        OTHER = "other", _("Other (explained in the note)")

    class Cooperation(models.TextChoices):
        """Whether the person cooperates with the authorities: recorded, never a condition."""

        NOT_DISCUSSED = "not_discussed", _("Not discussed yet")
        REFLECTING = "reflecting", _("Still deciding (reflection period)")
        COOPERATING = "cooperating", _("Cooperating with the authorities")
        DECLINED = "declined", _("Declined to cooperate")
        UNABLE = "unable", _("Unable to cooperate (health, safety or trauma)")

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
    closure_reason = models.CharField(
        _("reason for closure"), max_length=30, choices=ClosureReason.choices, blank=True
    )
    closed_from = models.CharField(
        _("stage before closure"), max_length=30, choices=Status.choices, blank=True
    )
    reflection_starts_on = models.DateField(_("reflection period from"), null=True, blank=True)
    reflection_ends_on = models.DateField(_("reflection period: last day"), null=True, blank=True)
    assistance_unconditional = models.BooleanField(
        _("assistance does not depend on cooperation with the authorities"), default=False
    )
    unconditional_attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    unconditional_attested_at = models.DateTimeField(_("attested"), null=True, blank=True)
    cooperation_status = models.CharField(
        _("cooperation with the authorities"),
        max_length=20,
        choices=Cooperation.choices,
        default=Cooperation.NOT_DISCUSSED,
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("protection case")
        verbose_name_plural = _("protection cases")
        indexes = [
            models.Index(fields=["owner_agency", "status"]),
            models.Index(fields=["status", "-opened_at"]),
            models.Index(fields=["-opened_at"], name="case_newest_first"),
            # Cases that may wait for a referral, longest first (the coordinator's queue).
            models.Index(
                fields=["opened_at", "id"],
                name="case_waiting_referral",
                condition=models.Q(status__in=["identified", "presumed_victim"]),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def exploitation_labels(self) -> list[str]:
        return [
            str(Exploitation(code).label)
            for code in self.forms_of_exploitation
            if code in Exploitation.values
        ]

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def reflection_clock(self, today: date | None = None) -> ReflectionClock | None:
        if self.reflection_starts_on is None or self.reflection_ends_on is None:
            return None
        return ReflectionClock(
            self.reflection_starts_on, self.reflection_ends_on, today or timezone.localdate()
        )


@dataclass(frozen=True)
class ReflectionClock:
    """Where a reflection period stands on `today`. `ends_on` is its last day.

    Started on 1 March for 30 days, it ends on 30 March; on 12 March it is day 12 of 30
    and ends in 18 days; on 2 April it ended 3 days ago.
    """

    starts_on: date
    ends_on: date
    today: date

    ENDING_SOON_DAYS = 7

    @property
    def total_days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def day(self) -> int:
        """Today's day number within the period (1 on the first day)."""
        return min(max((self.today - self.starts_on).days + 1, 1), self.total_days)

    @property
    def days_left(self) -> int:
        return max((self.ends_on - self.today).days, 0)

    @property
    def is_over(self) -> bool:
        return self.today > self.ends_on

    @property
    def days_over(self) -> int:
        return max((self.today - self.ends_on).days, 0)

    @property
    def state(self) -> str:
        """`over` (shown in red), `ending` (a week or less left) or `running`."""
        if self.is_over:
            return "over"
        return "ending" if self.days_left <= self.ENDING_SOON_DAYS else "running"

    @property
    def badge(self) -> str:
        return {"over": "high", "ending": "medium", "running": "low"}[self.state]


class CaseEvent(models.Model):
    """One line of a case's history: who moved it, from what, to what, when and why.

    Written by the service functions in the same transaction as the change; never edited.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        STATUS = "status", _("Stage changed")
        PROPOSAL = "proposal", _("Presumed-victim status proposed")
        RISK = "risk", _("Risk level changed")
        COORDINATOR = "coordinator", _("Coordinator assigned")
        REFLECTION = "reflection", _("Reflection period started")
        EXTENSION = "extension", _("Reflection period extended (last day)")
        PRINCIPLES = "principles", _("Cooperation and non-conditionality")

    case = models.ForeignKey(
        ProtectionCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.CharField(
        _("reason for closure"),
        max_length=30,
        choices=ProtectionCase.ClosureReason.choices,
        blank=True,
    )
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_value}->{self.to_value}"

    # `to_value` of the PRINCIPLES event recording the non-conditionality attestation.
    UNCONDITIONAL = "unconditional"

    def _label(self, value: str) -> str:
        if self.kind == self.Kind.PRINCIPLES and value == self.UNCONDITIONAL:
            return gettext("Attested: assistance does not depend on cooperation")
        choices = {
            self.Kind.OPENED: ProtectionCase.Status,
            self.Kind.STATUS: ProtectionCase.Status,
            self.Kind.PROPOSAL: ProtectionCase.Status,
            self.Kind.RISK: ProtectionCase.Risk,
            self.Kind.PRINCIPLES: ProtectionCase.Cooperation,
        }.get(self.kind)
        if choices is not None and value in choices.values:
            return str(choices(value).label)
        return value

    @property
    def from_label(self) -> str:
        return self._label(self.from_value)

    @property
    def to_label(self) -> str:
        return self._label(self.to_value)


class ReflectionExtension(models.Model):
    """A reflection period made longer: the new last day and why."""

    case = models.ForeignKey(
        ProtectionCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="reflection_extensions",
    )
    previous_end = models.DateField(_("previous last day"))
    new_end = models.DateField(_("new last day"))
    reason = EncryptedTextField(_("reason"))
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    extended_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["extended_at", "pk"]
        verbose_name = _("reflection period extension")
        verbose_name_plural = _("reflection period extensions")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.previous_end} -> {self.new_end}"


class NeedsAssessment(models.Model):
    """What the person needs, as assessed on one day; assessments are only ever added."""

    case = models.ForeignKey(
        ProtectionCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="needs_assessments",
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    needs = models.JSONField(_("needs"), default=list)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self) -> str:
        return f"needs of {self.case_id} on {self.assessed_on}"

    def need_labels(self) -> list[str]:
        labels = dict(NEED_CHOICES)
        return [str(labels[code]) for code in self.needs if code in labels]


class CaseReview(models.Model):
    """A review of the case due on a date; done when its outcome is recorded."""

    case = models.ForeignKey(
        ProtectionCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="reviews"
    )
    due_on = models.DateField(_("due on"))
    topic = EncryptedTextField(
        _("what to review"), blank=True, validators=[MaxLengthValidator(200)]
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scheduled_at = models.DateTimeField(default=timezone.now)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = EncryptedTextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        indexes = [
            models.Index(fields=["done_on", "due_on"]),
            # the reviews still to do, oldest first (the coordinator's home page)
            models.Index(
                fields=["due_on", "id"],
                name="review_open_due",
                condition=models.Q(done_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.case_id} due {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: date | None = None) -> bool:
        return not self.is_done and self.due_on < (today or timezone.localdate())


class CompelledOffence(models.Model):
    """An offence the person was compelled to commit, and what became of it.

    Non-punishment principle (Council of Europe Convention art. 26, EU Directive 2011/36
    art. 8): victims are not penalised for offences they were compelled to commit.
    """

    class Category(models.TextChoices):
        IMMIGRATION = "immigration", _("Immigration or document offence")
        DRUGS = "drugs", _("Drug production or transport")
        PROPERTY = "property", _("Theft or other property offence")
        PROSTITUTION = "prostitution", _("Offence related to prostitution")
        BEGGING = "begging", _("Begging or vagrancy")
        UNLAWFUL_WORK = "unlawful_work", _("Unlawful work")
        OTHER = "other", _("Other")

    class Decision(models.TextChoices):
        PENDING = "pending", _("No decision yet")
        NOT_PROSECUTED = "not_prosecuted", _("Not prosecuted (non-punishment applied)")
        PROCEEDINGS_DROPPED = (
            "proceedings_dropped",
            _("Proceedings dropped (non-punishment applied)"),
        )
        PENALTY_WAIVED = "penalty_waived", _("Penalty waived or conviction set aside")
        PENALISED = "penalised", _("Penalised (principle not applied)")

    case = models.ForeignKey(
        ProtectionCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="compelled_offences",
    )
    offence = EncryptedTextField(_("offence"))
    category = models.CharField(_("kind of offence"), max_length=20, choices=Category.choices)
    decision = models.CharField(
        _("non-punishment decision"),
        max_length=30,
        choices=Decision.choices,
        default=Decision.PENDING,
    )
    authority = models.CharField(_("deciding authority"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("offence the person was compelled to commit")
        verbose_name_plural = _("offences the person was compelled to commit")

    def __str__(self) -> str:
        # Shown to users, e.g. when someone else changed the record meanwhile.
        return gettext("Offence {number}").format(number=self.pk)

    @property
    def principle_applied(self) -> bool | None:
        if self.decision == self.Decision.PENDING:
            return None
        return self.decision != self.Decision.PENALISED
