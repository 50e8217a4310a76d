"""Indicator catalogues (versioned data), screenings and age assessments.

A catalogue version is a draft until an administrator publishes it; from then on it never
changes (editing makes a new draft version), so every screening keeps pointing at exactly
the indicators it was scored with. Publishing a version retires the one offered before for
the same list; retired versions stay for the screenings that used them.

Screenings and age assessments are append-only: a new screening is a new row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference
from corridor.screening.rules import DimensionCode, IndicatorSpec, Result, Strength

ADULT_AGE = 18


def localized(texts: dict | str | None, language: str | None = None) -> str:
    """The text in `language` (or the active one), else English, else any language."""
    if not texts:
        return ""
    if isinstance(texts, str):
        return texts
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    for code in (language, language.split("-")[0], "en"):
        if texts.get(code):
            return texts[code]
    return next((t for t in texts.values() if t), "")


class ExploitationType(models.TextChoices):
    """Which pair of lists a screener chooses: the person's age decides adult or child."""

    LABOUR = "labour", _("Labour exploitation")
    SEXUAL = "sexual", _("Sexual exploitation")


class ListKind(models.TextChoices):
    ADULT_LABOUR = "adult_labour", _("Adults — labour exploitation")
    ADULT_SEXUAL = "adult_sexual", _("Adults — sexual exploitation")
    CHILD_LABOUR = "child_labour", _("Children — labour exploitation")
    CHILD_SEXUAL = "child_sexual", _("Children — sexual exploitation")


def list_kind_for(*, child: bool, exploitation: str) -> str:
    return f"{'child' if child else 'adult'}_{exploitation}"


def screening_reference() -> str:
    return new_reference("S")


class CatalogueQuerySet(models.QuerySet):
    def offered(self):
        """The versions a screener may use now: published and not replaced."""
        return self.filter(published=True, retired_at__isnull=True)


class IndicatorCatalogue(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OFFERED = "offered", _("Published (in use)")
        RETIRED = "retired", _("Published (replaced)")

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"))
    list_kind = models.CharField(_("list"), max_length=20, choices=ListKind.choices)
    name = models.JSONField(_("name"), default=dict, help_text=_("Per language: {'en': ...}"))
    source = models.TextField(_("source"), blank=True)
    source_note = models.TextField(_("note on the source"), blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["list_kind", "code", "-version"]
        verbose_name = _("indicator catalogue")
        verbose_name_plural = _("indicator catalogues")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="catalogue_code_version"),
            models.UniqueConstraint(
                fields=["list_kind"],
                condition=Q(published=True, retired_at__isnull=True),
                name="one_offered_catalogue_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk, published=True).exists()
            changing = set(kwargs.get("update_fields") or ["*"])
            if stored and changing - {"retired_at"}:
                raise ValidationError(
                    _("A published catalogue version cannot be changed; make a new version.")
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise ValidationError(_("A published catalogue version cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_child(self) -> bool:
        return self.list_kind.startswith("child_")

    @property
    def exploitation(self) -> str:
        return self.list_kind.split("_", 1)[1]

    @property
    def state(self) -> str:
        if not self.published:
            return self.State.DRAFT
        return self.State.RETIRED if self.retired_at else self.State.OFFERED

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    @property
    def display_name(self) -> str:
        return localized(self.name) or str(self)

    def specs(self) -> list[IndicatorSpec]:
        """The indicators as the combination rules take them (texts in every language)."""
        return [
            IndicatorSpec(i.code, i.dimension.code, i.strength, i.text)
            for i in self.indicators.select_related("dimension").order_by(
                "dimension__order", "order", "pk"
            )
        ]


class _DraftOnly(models.Model):
    """Rows of a catalogue version that can change only while the version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self) -> None:
        if IndicatorCatalogue._base_manager.filter(pk=self.catalogue_id, published=True).exists():
            raise ValidationError(
                _("A published catalogue version cannot be changed; make a new version.")
            )


class Dimension(_DraftOnly):
    catalogue = models.ForeignKey(
        IndicatorCatalogue, on_delete=models.CASCADE, related_name="dimensions"
    )
    code = models.CharField(_("dimension"), max_length=40, choices=DimensionCode.choices)
    label = models.JSONField(_("label"), default=dict)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["catalogue", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="dimension_once_per_catalogue"
            )
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return localized(self.label) or str(DimensionCode(self.code).label)


class Indicator(_DraftOnly):
    catalogue = models.ForeignKey(
        IndicatorCatalogue, on_delete=models.CASCADE, related_name="indicators"
    )
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    strength = models.CharField(_("strength"), max_length=1, choices=Strength.choices)
    text = models.JSONField(_("question"), default=dict, help_text=_("Per language: {'en': ...}"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    methods_of_control = models.JSONField(
        _("HTCDS methods of control"),
        default=list,
        blank=True,
        help_text=_("vic_MethodsOfControl codes, e.g. MethodsOfControlDebtBondage"),
    )
    exploitation = models.JSONField(_("form of exploitation it implies"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["dimension__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["catalogue", "code"], name="indicator_once_per_catalogue"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_text(self) -> str:
        return localized(self.text)


class NextStep(models.TextChoices):
    CHILD_PROTECTION = (
        "child_protection",
        _("Refer to child protection now and have a guardian appointed"),
    )
    REFER_TO_SERVICES = (
        "refer_to_services",
        _(
            "Refer the presumed victim for protection and assistance (shelter, medical care, "
            "legal aid) through the national referral mechanism"
        ),
    )
    FURTHER_ASSESSMENT = (
        "further_assessment",
        _("Arrange a further assessment interview with the national referral mechanism"),
    )
    SMUGGLING_ASSISTANCE = (
        "smuggling_assistance",
        _("Refer for humanitarian assistance and information on rights and asylum"),
    )
    INFORM = "inform", _("Give information on rights and on where to get help")


class CaseEffect(models.TextChoices):
    OPENED = "opened", _("A protection case was opened at stage identified")
    MOVED = "moved", _("The protection case moved to presumed victim")
    PROPOSED = (
        "proposed",
        _("Presumed-victim status was proposed to the NRM coordinators, who confirm it"),
    )
    EXISTING = "existing", _("The person's open protection case is unchanged")
    NOT_PERMITTED = (
        "not_permitted",
        _("The stage of the protection case was left to its coordinator"),
    )
    NONE = "none", _("No protection case needed")


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(
                _("{record} is append-only: record a new one instead.").format(
                    record=self._meta.verbose_name
                )
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            _("{record} is append-only and cannot be deleted.").format(
                record=self._meta.verbose_name
            )
        )


class Screening(_AppendOnly):
    """One screening of one person with one catalogue version; never changed afterwards."""

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=screening_reference, editable=False
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    catalogue = models.ForeignKey(
        IndicatorCatalogue,
        verbose_name=_("indicator list"),
        on_delete=models.PROTECT,
        related_name="screenings",
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("screened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    screened_at = models.DateTimeField(_("screened"), default=timezone.now)
    location = EncryptedTextField(_("where"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    smuggling = models.BooleanField(_("smuggling situation with needs"), default=False)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    rule = models.CharField(_("rule applied"), max_length=30)
    explanation = models.JSONField(_("explanation"), default=dict)
    treated_as_child = models.BooleanField(_("treated as a child"), default=False)
    guardian_required = models.BooleanField(_("guardian required"), default=False)
    next_step = models.CharField(_("next step"), max_length=30, choices=NextStep.choices)
    suggested_service = models.CharField(_("suggested service"), max_length=30, blank=True)
    case = models.ForeignKey(
        "cases.ProtectionCase",
        verbose_name=_("protection case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="screenings",
    )
    case_opened = models.BooleanField(_("case opened by this screening"), default=False)
    case_effect = models.CharField(
        _("effect on the case"), max_length=20, choices=CaseEffect.choices, default=CaseEffect.NONE
    )
    htcds = models.JSONField(_("HTCDS coding"), default=dict)

    class Meta:
        ordering = ["-screened_at", "-pk"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        indexes = [models.Index(fields=["person", "-screened_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_victim_result(self) -> bool:
        return self.result in (Result.PRESUMED_VICTIM, Result.POSSIBLE_VICTIM)


class AgeAssessment(_AppendOnly):
    """An age assessment; until one concludes, a person of unknown age is treated as a child."""

    class Method(models.TextChoices):
        DOCUMENT = "document", _("Identity or civil status document")
        INTERVIEW = "interview", _("Age assessment interview (psychosocial)")
        MULTIDISCIPLINARY = "multidisciplinary", _("Multidisciplinary (holistic) assessment")
        MEDICAL = "medical", _("Medical examination")
        OTHER = "other", _("Other")

    class Conclusion(models.TextChoices):
        CHILD = "child", _("Under 18")
        ADULT = "adult", _("18 or over")
        UNDETERMINED = "undetermined", _("Undetermined: still treated as a child")

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="age_assessments",
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    assessed_age_min = models.PositiveSmallIntegerField(_("assessed age from"))
    assessed_age_max = models.PositiveSmallIntegerField(_("assessed age to"))
    conclusion = models.CharField(_("conclusion"), max_length=20, choices=Conclusion.choices)
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("age assessment")
        verbose_name_plural = _("age assessments")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.assessed_age_min}–{self.assessed_age_max}"

    @staticmethod
    def conclude(age_min: int, age_max: int) -> str:
        if age_max < ADULT_AGE:
            return AgeAssessment.Conclusion.CHILD
        if age_min >= ADULT_AGE:
            return AgeAssessment.Conclusion.ADULT
        return AgeAssessment.Conclusion.UNDETERMINED
