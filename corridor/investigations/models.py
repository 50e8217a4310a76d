"""Criminal cases: the investigation and prosecution of the networks behind an incident.

A criminal case belongs to the police unit or prosecutor's office that opened it and is seen
by nobody on the protection side of the wall (`corridor.accounts.access.criminal_case_scope`).
It names its offences, the incidents it covers, its suspects (who become defendants once
charged) with their role in the network and UNODC's level of involvement, the charges with
their verdicts and sentences, the assets seized and confiscated (and the share that goes to
the victims), and the compensation ordered for victims and what was paid.

Free text that can describe a victim or a suspect is encrypted at rest. The business rules
(lifecycle, validation, access, audit) live in `corridor.investigations.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from corridor.core.crypto import EncryptedTextField
from corridor.core.references import new_reference
from corridor.vocabularies import Exploitation

TITLE_MAX_LENGTH = 200
MONEY_DIGITS = 16  # up to 99,999,999,999,999.99 in any currency (XOF and NGN need room)


def criminal_case_reference() -> str:
    return new_reference("K")


class Stage(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    TRIAL = "trial", _("Trial")
    VERDICT = "verdict", _("Verdict")
    APPEAL = "appeal", _("Appeal")
    FINAL = "final", _("Final judgment")
    DISCONTINUED = "discontinued", _("Discontinued")


# The date field that records when a case reached each stage.
STAGE_DATE_FIELDS = {
    Stage.INVESTIGATION: "investigation_on",
    Stage.PROSECUTION: "prosecution_on",
    Stage.TRIAL: "trial_on",
    Stage.VERDICT: "verdict_on",
    Stage.APPEAL: "appeal_on",
    Stage.FINAL: "final_on",
    Stage.DISCONTINUED: "discontinued_on",
}


class OffenceKind(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in human beings")
    MIGRANT_SMUGGLING = "migrant_smuggling", _("Smuggling of migrants")
    AGGRAVATED_SMUGGLING = "aggravated_smuggling", _("Aggravated smuggling of migrants")
    DOCUMENT_FRAUD = "document_fraud", _("Document fraud")
    CORRUPTION = "corruption", _("Corruption")
    MONEY_LAUNDERING = "money_laundering", _("Money laundering")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    OTHER = "other", _("Other related offence")


class CriminalCase(models.Model):
    reference = models.CharField(
        _("reference"),
        max_length=12,
        unique=True,
        default=criminal_case_reference,
        editable=False,
    )
    owner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("owning agency"),
        on_delete=models.PROTECT,
        related_name="criminal_cases",
        help_text=_("The police unit or prosecutor's office that leads the case."),
    )
    prosecutor_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("prosecution office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_criminal_cases",
        help_text=_("The prosecutor's office the case is referred to."),
    )
    title = EncryptedTextField(
        _("title"),
        validators=[MaxLengthValidator(TITLE_MAX_LENGTH)],
        help_text=_("Shown in lists: an operation name, no victim's name."),
    )
    summary = EncryptedTextField(_("summary"), blank=True)
    court_reference = models.CharField(
        _("court or prosecution file number"), max_length=60, blank=True
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INVESTIGATION
    )
    investigation_on = models.DateField(_("investigation opened on"), default=timezone.localdate)
    prosecution_on = models.DateField(_("referred for prosecution on"), null=True, blank=True)
    trial_on = models.DateField(_("trial began on"), null=True, blank=True)
    verdict_on = models.DateField(_("verdict on"), null=True, blank=True)
    appeal_on = models.DateField(_("appeal lodged on"), null=True, blank=True)
    final_on = models.DateField(_("final on"), null=True, blank=True)
    discontinued_on = models.DateField(_("discontinued on"), null=True, blank=True)
    incidents = models.ManyToManyField(
        "incidents.Incident",
        verbose_name=_("incidents covered"),
        through="CaseIncident",
        related_name="criminal_cases",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("criminal case")
        verbose_name_plural = _("criminal cases")
        indexes = [
            models.Index(fields=["owner_agency", "-opened_at"]),
            models.Index(fields=["prosecutor_agency", "-opened_at"]),
            models.Index(fields=["-opened_at"], name="criminal_case_newest_first"),
        ]

    def __str__(self) -> str:
        return self.reference

    def stage_date(self, stage: str):
        return getattr(self, STAGE_DATE_FIELDS[stage])

    @property
    def stage_dates(self) -> list[tuple[str, object]]:
        """(label, date) of every stage the case reached, in lifecycle order."""
        return [
            (str(Stage(stage).label), self.stage_date(stage))
            for stage in Stage.values
            if self.stage_date(stage) is not None
        ]


class CaseIncident(models.Model):
    """An incident the criminal case covers."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="incident_links"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="criminal_case_links"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["criminal_case", "incident"], name="criminal_case_incident_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criminal_case_id}: {self.incident_id}"


class Offence(models.Model):
    """An offence the case is about: trafficking (for a form of exploitation), smuggling or a
    related crime. Charges name one of the case's offences."""

    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="offences",
    )
    kind = models.CharField(_("offence"), max_length=30, choices=OffenceKind.choices)
    form_of_exploitation = models.CharField(
        _("form of exploitation"),
        max_length=30,
        choices=Exploitation.choices,
        blank=True,
        help_text=_("For trafficking: the purpose of the exploitation."),
    )
    description = EncryptedTextField(_("description"), blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("offence")
        verbose_name_plural = _("offences")

    def __str__(self) -> str:
        label = str(OffenceKind(self.kind).label) if self.kind in OffenceKind.values else self.kind
        if self.form_of_exploitation in Exploitation.values:
            return f"{label} ({Exploitation(self.form_of_exploitation).label})"
        return label


class CaseSuspect(models.Model):
    """A suspect in the case (a defendant once charged), with the part played in the network.

    The person is an `incidents.Suspect`, so that the same trafficker links incidents and
    criminal cases; the role and level are those the investigation established."""

    class Role(models.TextChoices):
        RECRUITER = "recruiter", _("Recruiter")
        TRANSPORTER = "transporter", _("Transporter")
        GUIDE = "guide", _("Guide")
        DOCUMENT_FORGER = "document_forger", _("Document forger")
        EXPLOITER = "exploiter", _("Exploiter")
        COORDINATOR = "coordinator", _("Coordinator")
        FINANCIER = "financier", _("Financier")
        MONEY_COLLECTOR = "money_collector", _("Money collector")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        """UNODC's three levels of involvement in a smuggling or trafficking network."""

        OCCASIONAL_HELPER = "occasional_helper", _("Occasional helper")
        OPERATOR = "operator", _("Operator")
        ORGANISER = "organiser", _("Organiser")

    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="suspects",
    )
    suspect = models.ForeignKey(
        "incidents.Suspect",
        verbose_name=_("suspect"),
        on_delete=models.PROTECT,
        related_name="criminal_case_links",
    )
    role = models.CharField(_("role in the network"), max_length=20, choices=Role.choices)
    level = models.CharField(_("level of involvement"), max_length=20, choices=Level.choices)
    notes = EncryptedTextField(_("notes"), blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("suspect in a criminal case")
        verbose_name_plural = _("suspects in criminal cases")
        constraints = [
            models.UniqueConstraint(
                fields=["criminal_case", "suspect"], name="criminal_case_suspect_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.suspect.reference) if self.suspect_id else gettext("Suspect")


class Charge(models.Model):
    """An offence a defendant is charged with; its outcome is that of its latest verdict."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Dismissed or withdrawn")

    defendant = models.ForeignKey(
        CaseSuspect, verbose_name=_("defendant"), on_delete=models.CASCADE, related_name="charges"
    )
    offence = models.ForeignKey(
        Offence, verbose_name=_("offence"), on_delete=models.PROTECT, related_name="charges"
    )
    legal_provision = models.CharField(
        _("legal provision"), max_length=200, blank=True, help_text=_("e.g. Art. 601 c.p.")
    )
    charged_on = models.DateField(_("charged on"), default=timezone.localdate)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("charge")
        verbose_name_plural = _("charges")

    def __str__(self) -> str:
        return gettext("Charge {number}").format(number=self.pk)


class Verdict(models.Model):
    """A court's decision on one charge, at first instance or on appeal, with the sentence."""

    class Instance(models.TextChoices):
        FIRST = "first", _("First instance")
        APPEAL = "appeal", _("Appeal")

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Dismissed or withdrawn")

    charge = models.ForeignKey(
        Charge, verbose_name=_("charge"), on_delete=models.CASCADE, related_name="verdicts"
    )
    instance = models.CharField(
        _("instance"), max_length=10, choices=Instance.choices, default=Instance.FIRST
    )
    outcome = models.CharField(_("verdict"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("decided on"))
    court = models.CharField(_("court"), max_length=200, blank=True)
    prison_months = models.PositiveIntegerField(_("prison (months)"), null=True, blank=True)
    suspended = models.BooleanField(_("prison sentence suspended"), default=False)
    fine_amount = models.DecimalField(
        _("fine"), max_digits=MONEY_DIGITS, decimal_places=2, null=True, blank=True
    )
    fine_currency = models.CharField(_("currency of the fine"), max_length=3, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")

    def __str__(self) -> str:
        return gettext("Verdict {number}").format(number=self.pk)

    @property
    def has_sentence(self) -> bool:
        return bool(self.prison_months) or self.fine_amount is not None


class Asset(models.Model):
    """Property seized, frozen or confiscated, and the share that goes to the victims."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_ACCOUNT = "bank_account", _("Bank account")
        MOBILE_MONEY = "mobile_money", _("Mobile-money wallet")
        REAL_ESTATE = "real_estate", _("Real estate")
        VEHICLE = "vehicle", _("Vehicle")
        BUSINESS = "business", _("Business")
        VALUABLES = "valuables", _("Jewellery and valuables")
        CRYPTO = "crypto", _("Crypto-assets")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SEIZED = "seized", _("Seized")
        FROZEN = "frozen", _("Frozen")
        CONFISCATED = "confiscated", _("Confiscated")
        RELEASED = "released", _("Released")

    class ShareTo(models.TextChoices):
        COMPENSATION = "compensation", _("Victims' compensation")
        VICTIMS_FUND = "victims_fund", _("Victims' fund")

    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="assets",
    )
    held_by = models.ForeignKey(
        CaseSuspect,
        verbose_name=_("held by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
    )
    kind = models.CharField(_("kind of asset"), max_length=20, choices=Kind.choices)
    description = EncryptedTextField(_("description"), blank=True)
    value = models.DecimalField(_("value"), max_digits=MONEY_DIGITS, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SEIZED
    )
    seized_on = models.DateField(_("seized on"), default=timezone.localdate)
    confiscated_on = models.DateField(_("confiscated on"), null=True, blank=True)
    victims_share = models.DecimalField(
        _("share for the victims"),
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The part of the confiscated value that goes to the victims."),
    )
    share_to = models.CharField(
        _("the victims' share goes to"), max_length=20, choices=ShareTo.choices, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["seized_on", "pk"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return gettext("Asset {number}").format(number=self.pk)


class CompensationOrder(models.Model):
    """Compensation a court ordered for a victim, and how much of it was paid."""

    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="compensation_orders",
    )
    payer = models.ForeignKey(
        CaseSuspect,
        verbose_name=_("to be paid by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="compensation_orders",
    )
    beneficiary = EncryptedTextField(
        _("for"),
        validators=[MaxLengthValidator(200)],
        help_text=_("How the judgment names the victim (a pseudonym, a witness number)."),
    )
    amount_ordered = models.DecimalField(
        _("amount ordered"), max_digits=MONEY_DIGITS, decimal_places=2
    )
    amount_paid = models.DecimalField(
        _("amount paid"), max_digits=MONEY_DIGITS, decimal_places=2, default=0
    )
    currency = models.CharField(_("currency"), max_length=3)
    ordered_on = models.DateField(_("ordered on"))
    last_paid_on = models.DateField(_("last paid on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["ordered_on", "pk"]
        verbose_name = _("compensation order")
        verbose_name_plural = _("compensation orders")

    def __str__(self) -> str:
        return gettext("Compensation order {number}").format(number=self.pk)

    @property
    def outstanding(self):
        return self.amount_ordered - self.amount_paid


class CriminalCaseEvent(models.Model):
    """One line of a criminal case's history, written with the change; never edited."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        STAGE = "stage", _("Stage changed")
        INCIDENT = "incident", _("Incident covered")
        OFFENCE = "offence", _("Offence added")
        SUSPECT = "suspect", _("Suspect added")
        CHARGE = "charge", _("Charge brought")
        VERDICT = "verdict", _("Verdict recorded")
        ASSET = "asset", _("Asset recorded")
        ASSET_STATUS = "asset_status", _("Asset status changed")
        COMPENSATION = "compensation", _("Compensation ordered")
        PAYMENT = "payment", _("Compensation paid")
        LEGAL_BASIS = "legal_basis", _("Legal basis recorded")
        LEGAL_BASIS_REVOKED = "legal_basis_end", _("Legal basis revoked")
        WITNESS = "witness", _("Witness requested")
        WITNESS_STATUS = "witness_status", _("Witness status changed")
        MEASURE = "measure", _("Protective measure requested")
        MEASURE_STATUS = "measure_status", _("Protective measure status changed")

    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    from_value = models.CharField(_("from"), max_length=40, blank=True)
    to_value = models.CharField(_("to"), max_length=40, blank=True)
    on = models.DateField(_("on"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("criminal case event")
        verbose_name_plural = _("criminal case events")
        indexes = [models.Index(fields=["criminal_case", "at"])]

    def __str__(self) -> str:
        return f"{self.criminal_case_id} {self.kind} {self.from_value}->{self.to_value}"

    def _label(self, value: str) -> str:
        if self.kind in (self.Kind.STAGE, self.Kind.OPENED) and value in Stage.values:
            return str(Stage(value).label)
        if self.kind == self.Kind.ASSET_STATUS and value in Asset.Status.values:
            return str(Asset.Status(value).label)
        if self.kind == self.Kind.VERDICT and value in Verdict.Outcome.values:
            return str(Verdict.Outcome(value).label)
        if self.kind == self.Kind.WITNESS_STATUS and value in Witness.Status.values:
            return str(Witness.Status(value).label)
        if self.kind == self.Kind.MEASURE_STATUS and value in ProtectiveMeasure.Status.values:
            return str(ProtectiveMeasure.Status(value).label)
        if self.kind in (self.Kind.MEASURE, self.Kind.MEASURE_STATUS) and (
            value in ProtectiveMeasure.Kind.values
        ):
            return str(ProtectiveMeasure.Kind(value).label)
        if self.kind == self.Kind.LEGAL_BASIS and value in LegalBasis.Kind.values:
            return str(LegalBasis.Kind(value).label)
        return value

    @property
    def from_label(self) -> str:
        return self._label(self.from_value)

    @property
    def to_label(self) -> str:
        return self._label(self.to_value)


# --- victims as witnesses -----------------------------------------------------------------
#
# A victim is a witness in a criminal case only through a recorded basis: her consent (for
# criminal proceedings, naming the agency) or a legal basis recorded on the case (a court
# order, a statutory duty). What the case's investigators and prosecutors may read of her is
# decided at read time by `corridor.accounts.access.witness_windows`; nothing here touches her
# protection case: protection never depends on cooperation.


def witness_reference() -> str:
    return new_reference("W")


def legal_basis_reference() -> str:
    return new_reference("LB")


class LegalBasis(models.Model):
    """A court order or statutory duty that opens named categories of one person's data to a
    criminal case, until a date; revocable. Every read through it is audited."""

    class Kind(models.TextChoices):
        COURT_ORDER = "court_order", _("Court order")
        STATUTORY_DUTY = "statutory_duty", _("Statutory duty")
        OTHER = "other", _("Other legal basis")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=legal_basis_reference, editable=False
    )
    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="legal_bases",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Whose data it opens."),
    )
    kind = models.CharField(_("kind of legal basis"), max_length=20, choices=Kind.choices)
    issued_by = models.CharField(
        _("issued by"), max_length=200, help_text=_("e.g. Tribunale di Palermo, GIP.")
    )
    issuer_reference = models.CharField(
        _("its reference"), max_length=100, help_text=_("The order's or the law's reference.")
    )
    valid_until = models.DateField(_("valid until"))
    data_categories = models.JSONField(_("data it opens"), default=list)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        indexes = [models.Index(fields=["person", "valid_until"], name="legal_basis_person_valid")]

    def __str__(self) -> str:
        return self.reference

    def is_valid(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.valid_until >= today

    def category_labels(self) -> list[str]:
        from corridor.consent.models import Consent

        return [
            str(Consent.DataCategory(c).label)
            for c in self.data_categories
            if c in Consent.DataCategory.values
        ]


class Witness(models.Model):
    """A victim called as a witness in a criminal case, through her consent XOR a legal basis."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined to testify")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(
        _("reference"), max_length=12, unique=True, default=witness_reference, editable=False
    )
    criminal_case = models.ForeignKey(
        CriminalCase,
        verbose_name=_("criminal case"),
        on_delete=models.CASCADE,
        related_name="witnesses",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(
        "consent.Consent",
        verbose_name=_("consent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    legal_basis = models.ForeignKey(
        LegalBasis,
        verbose_name=_("legal basis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="witnesses",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("witness")
        verbose_name_plural = _("witnesses")
        constraints = [
            models.UniqueConstraint(
                fields=["criminal_case", "person"], name="criminal_case_witness_once"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(consent__isnull=False, legal_basis__isnull=True)
                    | models.Q(consent__isnull=True, legal_basis__isnull=False)
                ),
                name="witness_consent_xor_legal_basis",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ProtectiveMeasure(models.Model):
    """A measure that protects a witness: asked for, granted or refused, and ended."""

    class Kind(models.TextChoices):
        ANONYMITY = "anonymity", _("Anonymity")
        IN_CAMERA = "in_camera", _("In camera hearing")
        VIDEO = "video", _("Testimony by video link")
        RELOCATION = "relocation", _("Relocation")
        ACCOMPANIMENT = "accompaniment", _("Accompaniment in court")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        ENDED = "ended", _("Ended")

    witness = models.ForeignKey(
        Witness, verbose_name=_("witness"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("protective measure"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    authority = models.CharField(_("decided by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["requested_on", "pk"]
        verbose_name = _("protective measure")
        verbose_name_plural = _("protective measures")

    def __str__(self) -> str:
        return self.get_kind_display()
