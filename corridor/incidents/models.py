"""Incidents: what happened, to whom, by whom, where and along which route.

An incident is one episode of recruitment, transport and exploitation (or of smuggling) that
may involve many persons and many suspects. It is not a protection case: a case belongs to
one person, an incident to everyone who went through it. `corridor.incidents.counting` keeps
the three apart in statistics (persons, incidents, cases).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference
from corridor.vocabularies import Exploitation, Sex, country_choices

__all__ = [
    "Incident",
    "IncidentEvent",
    "IncidentSuspect",
    "IncidentVictim",
    "MeansOfControl",
    "Place",
    "RecruiterRelation",
    "RouteLeg",
    "Suspect",
]


# Titles and localities are free text that can describe a victim or what happened to her:
# they are encrypted at rest (a TextField in the database) and keep these limits in forms.
TITLE_MAX_LENGTH = 200
LOCALITY_MAX_LENGTH = 100


def incident_reference() -> str:
    return new_reference("I")


def suspect_reference() -> str:
    return new_reference("SU")


class MeansOfControl(models.TextChoices):
    """How the exploiters kept control: the HTCDS 2.0 vic_MethodsOfControl* codes, as named."""

    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts access to money")
    THREATS = "Threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "PsychoactiveSubstances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "RestrictsMovement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    USES_CHILDREN = "UsesChildren", _("Uses the person's children")
    THREAT_OF_LAW_ENFORCEMENT = "ThreatOfLawEnforcement", _("Threat of police or immigration")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other means of control")


class RecruiterRelation(models.TextChoices):
    """Who recruited the victims, as CTDC's RecruiterRelation* fields distinguish."""

    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner")
    FAMILY_MEMBER = "family_member", _("Family member")
    FRIEND = "friend", _("Friend or acquaintance")
    EMPLOYER = "employer", _("Employer")
    RECRUITER_AGENT = "recruiter_agent", _("Recruiter or agent")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Incident(models.Model):
    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=incident_reference, editable=False
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = EncryptedTextField(
        _("title"),
        validators=[MaxLengthValidator(TITLE_MAX_LENGTH)],
        help_text=_("Shown in lists: no names, e.g. “Boat landing at Lampedusa, March 2024”."),
    )
    summary = EncryptedTextField(_("what happened"), blank=True)
    start_date = models.DateField(_("started on"), null=True, blank=True)
    end_date = models.DateField(_("ended on"), null=True, blank=True)
    forms_of_exploitation = models.JSONField(_("forms of exploitation"), default=list, blank=True)
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    recruiter_relation = models.CharField(
        _("recruiter's relation to the victims"),
        max_length=20,
        choices=RecruiterRelation.choices,
        default=RecruiterRelation.UNKNOWN,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["owner_agency", "-created_at"]),
            models.Index(fields=["start_date"]),
        ]

    def __str__(self) -> str:
        return self.reference

    def exploitation_labels(self) -> list[str]:
        return [
            str(Exploitation(c).label)
            for c in self.forms_of_exploitation
            if c in Exploitation.values
        ]

    def control_labels(self) -> list[str]:
        return [
            str(MeansOfControl(c).label)
            for c in self.means_of_control
            if c in MeansOfControl.values
        ]


class IncidentVictim(models.Model):
    """A person who went through the incident, as a victim or as a smuggled migrant."""

    class Role(models.TextChoices):
        VICTIM = "victim", _("Victim of trafficking")
        SMUGGLED_MIGRANT = "smuggled_migrant", _("Smuggled migrant")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victim_links")
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="incident_links",
    )
    role = models.CharField(_("role in the incident"), max_length=20, choices=Role.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="incident_victim_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.person_id} ({self.role})"


class Suspect(models.Model):
    """A suspected trafficker or smuggler. Minimal for now: criminal cases will add more."""

    class NetworkRole(models.TextChoices):
        RECRUITER = "recruiter", _("Recruiter")
        TRANSPORTER = "transporter", _("Transporter")
        EXPLOITER = "exploiter", _("Exploiter")
        MONEY_COLLECTOR = "money_collector", _("Money collector")
        DOCUMENT_FORGER = "document_forger", _("Document forger")
        ORGANISER = "organiser", _("Organiser")
        OTHER = "other", _("Other")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=suspect_reference, editable=False
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="suspects",
    )
    names = EncryptedTextField(_("names"), blank=True)
    aliases = EncryptedTextField(_("aliases"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, choices=country_choices
    )
    network_role = models.CharField(
        _("role in the network"),
        max_length=20,
        choices=NetworkRole.choices,
        default=NetworkRole.OTHER,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")

    def __str__(self) -> str:
        return self.reference


class IncidentSuspect(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="suspect_links")
    suspect = models.ForeignKey(Suspect, on_delete=models.PROTECT, related_name="incident_links")
    notes = EncryptedTextField(_("notes"), blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "suspect"], name="incident_suspect_once")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.suspect_id}"


class Place(models.Model):
    """Somewhere the incident happened: where victims were recruited, passed, were exploited."""

    class Kind(models.TextChoices):
        RECRUITMENT = "recruitment", _("Recruitment")
        TRANSIT = "transit", _("Transit")
        EXPLOITATION = "exploitation", _("Exploitation")
        DESTINATION = "destination", _("Destination")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="places")
    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    locality = EncryptedTextField(
        _("town or locality"), blank=True, validators=[MaxLengthValidator(LOCALITY_MAX_LENGTH)]
    )
    kind = models.CharField(_("kind of place"), max_length=20, choices=Kind.choices)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.locality} ({self.country})" if self.locality else self.country


class RouteLeg(models.Model):
    """One stretch of the journey, in order: Agadez (NE) → Sebha (LY) by land, and so on."""

    class Mode(models.TextChoices):
        LAND = "land", _("Land")
        SEA = "sea", _("Sea")
        AIR = "air", _("Air")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="route_legs")
    order = models.PositiveSmallIntegerField(_("order"))
    from_country = models.CharField(_("from country"), max_length=2, choices=country_choices)
    from_locality = EncryptedTextField(
        _("from town or locality"), blank=True, validators=[MaxLengthValidator(LOCALITY_MAX_LENGTH)]
    )
    to_country = models.CharField(_("to country"), max_length=2, choices=country_choices)
    to_locality = EncryptedTextField(
        _("to town or locality"), blank=True, validators=[MaxLengthValidator(LOCALITY_MAX_LENGTH)]
    )
    mode = models.CharField(_("by"), max_length=10, choices=Mode.choices)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    smuggler_involved = models.BooleanField(_("a smuggler was involved"), default=False)

    class Meta:
        ordering = ["incident", "order"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "order"], name="route_leg_order_once")
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}"

    @property
    def origin(self) -> str:
        return stop_label(self.from_locality, self.from_country)

    @property
    def destination(self) -> str:
        return stop_label(self.to_locality, self.to_country)


def stop_label(locality: str, country: str) -> str:
    return f"{locality} ({country})" if locality else country


class IncidentEvent(models.Model):
    """A dated step of the incident: when and where the victims were recruited, moved, exploited."""

    class Kind(models.TextChoices):
        RECRUITMENT = "recruitment", _("Recruitment")
        TRANSPORT = "transport", _("Transport")
        EXPLOITATION = "exploitation", _("Exploitation")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("when"), null=True, blank=True)
    place = models.ForeignKey(
        Place,
        verbose_name=_("where"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    description = EncryptedTextField(_("description"), blank=True)

    class Meta:
        ordering = [models.F("date").asc(nulls_last=True), "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date or '?'}"


class FiguresSnapshot(models.Model):
    """The instance-wide figures for one set of filters, as counted at `computed_at`.

    Counting every victim of a national instance takes seconds; analysts read the same few
    tables many times a day. `counting.count_for` serves them from here while a snapshot is
    younger than CORRIDOR_FIGURES_MAX_AGE_SECONDS, and periodic work counts the ones read
    lately again. Only suppressed counts are kept (never a cell under 10), and never a
    search's words: a filter with `q` is always counted live.
    """

    key = models.CharField(max_length=64, unique=True)  # SHA-256 of the filters and the day
    filters = models.JSONField(default=dict)
    counts = models.JSONField()
    computed_at = models.DateTimeField()
    used_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long the count took

    def __str__(self) -> str:
        return f"figures {self.filters} at {self.computed_at:%Y-%m-%d %H:%M}"
