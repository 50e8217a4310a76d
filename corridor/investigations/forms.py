"""Forms of the criminal case file. They parse input; the rules live in `services`, whose
errors come back under the field they name (`corridor.core.forms.perform_on_form`).

Forms that change a record carry the hidden `version` read with the page, so a change based
on an old read is refused instead of overwriting.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.incidents.models import Suspect
from corridor.investigations.models import (
    MONEY_DIGITS,
    TITLE_MAX_LENGTH,
    Asset,
    CaseSuspect,
    LegalBasis,
    OffenceKind,
    ProtectiveMeasure,
    Stage,
    Verdict,
    Witness,
)
from corridor.vocabularies import Exploitation, Sex, country_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 3})
CURRENCY = forms.TextInput(
    attrs={"maxlength": 3, "size": 4, "autocapitalize": "characters", "placeholder": "EUR"}
)


def _blank(choices):
    return [("", "—"), *choices]


def money_field(label, *, required=True, help_text=""):
    # Digits and sign are checked by the service, which names the field either way.
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=MONEY_DIGITS,
        decimal_places=2,
        help_text=help_text,
    )


def prosecution_offices():
    return Agency.objects.filter(sector=Agency.Sector.PROSECUTION, is_active=True).order_by(
        "country", "name"
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CriminalCaseForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("Shown in lists: an operation name, no victim's name."),
    )
    offence_kind = forms.ChoiceField(label=_("Offence"), choices=OffenceKind.choices)
    form_of_exploitation = forms.ChoiceField(
        label=_("Form of exploitation"),
        choices=_blank(Exploitation.choices),
        required=False,
        help_text=_("For trafficking: the purpose of the exploitation."),
    )
    prosecutor_agency = forms.ModelChoiceField(
        label=_("Prosecution office"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Leave empty until the case is referred for prosecution."),
    )
    court_reference = forms.CharField(
        label=_("Court or prosecution file number"), max_length=60, required=False
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prosecutor_agency"].queryset = prosecution_offices()


class IncidentForm(forms.Form):
    incident = forms.CharField(
        label=_("Incident reference"), max_length=20, help_text=_("e.g. I-7K3F9QXM")
    )


class OffenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Offence"), choices=OffenceKind.choices)
    form_of_exploitation = forms.ChoiceField(
        label=_("Form of exploitation"), choices=_blank(Exploitation.choices), required=False
    )
    description = forms.CharField(label=_("Description"), required=False, widget=NOTE)


class SuspectForm(forms.Form):
    suspect = forms.ChoiceField(
        label=_("A suspect already known"),
        required=False,
        help_text=_("A suspect of an incident this case covers; or give a new one below."),
    )
    names = forms.CharField(label=_("Names"), required=False, max_length=200)
    aliases = forms.CharField(label=_("Aliases"), required=False, max_length=200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    role = forms.ChoiceField(label=_("Role in the network"), choices=CaseSuspect.Role.choices)
    level = forms.ChoiceField(
        label=_("Level of involvement"),
        choices=CaseSuspect.Level.choices,
        help_text=_("UNODC's levels: occasional helper, operator, organiser."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=NOTE)

    def __init__(self, *args, known: list[Suspect] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suspect"].choices = _blank(
            (s.reference, f"{s.reference} · {s.names or s.aliases}") for s in known
        )
        self.fields["nationality"].choices = _blank(country_choices())

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "role": data["role"],
            "level": data["level"],
            "notes": data["notes"],
        }
        if data["suspect"]:
            fields["suspect"] = data["suspect"]
        else:
            fields.update({name: data[name] for name in ("names", "aliases", "sex", "nationality")})
        return fields


class ChargeForm(forms.Form):
    defendant = forms.TypedChoiceField(label=_("Defendant"), coerce=int)
    offence = forms.TypedChoiceField(label=_("Offence"), coerce=int)
    legal_provision = forms.CharField(
        label=_("Legal provision"),
        required=False,
        max_length=200,
        help_text=_("e.g. Art. 601 c.p."),
    )
    charged_on = forms.DateField(label=_("Charged on"), widget=DATE, required=False)

    def __init__(self, *args, criminal_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["defendant"].choices = [
            (s.pk, f"{s.suspect.reference} · {s.suspect.names or s.suspect.aliases}")
            for s in criminal_case.suspects.select_related("suspect")
        ]
        self.fields["offence"].choices = [(o.pk, str(o)) for o in criminal_case.offences.all()]


class VerdictForm(forms.Form):
    instance = forms.ChoiceField(label=_("Instance"), choices=Verdict.Instance.choices)
    outcome = forms.ChoiceField(label=_("Verdict"), choices=Verdict.Outcome.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    court = forms.CharField(label=_("Court"), required=False, max_length=200)
    prison_months = forms.IntegerField(
        label=_("Prison (months)"), required=False, min_value=0, max_value=2400
    )
    suspended = forms.BooleanField(label=_("Prison sentence suspended"), required=False)
    fine_amount = money_field(_("Fine"), required=False)
    fine_currency = forms.CharField(
        label=_("Currency of the fine"), required=False, max_length=3, widget=CURRENCY
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=NOTE)


class StageForm(VersionedForm):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
    on = forms.DateField(label=_("Date of this step"), widget=DATE, required=False)
    prosecutor_agency = forms.ModelChoiceField(
        label=_("Prosecution office"), queryset=Agency.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)

    def __init__(self, *args, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stages is not None:
            self.fields["stage"].choices = [(s, Stage(s).label) for s in stages]
        self.fields["prosecutor_agency"].queryset = prosecution_offices()


class AssetForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of asset"), choices=Asset.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=NOTE)
    value = money_field(_("Value"))
    currency = forms.CharField(label=_("Currency"), max_length=3, widget=CURRENCY)
    status = forms.ChoiceField(label=_("Status"), choices=Asset.Status.choices)
    seized_on = forms.DateField(label=_("Seized on"), widget=DATE, required=False)
    confiscated_on = forms.DateField(label=_("Confiscated on"), widget=DATE, required=False)
    victims_share = money_field(_("Share for the victims"), required=False)
    share_to = forms.ChoiceField(
        label=_("The victims' share goes to"),
        choices=_blank(Asset.ShareTo.choices),
        required=False,
    )
    held_by = forms.TypedChoiceField(
        label=_("Held by"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, criminal_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_by"].choices = _blank(
            (s.pk, s.suspect.reference) for s in criminal_case.suspects.select_related("suspect")
        )


class CompensationForm(forms.Form):
    beneficiary = forms.CharField(
        label=_("Compensation for"),
        max_length=200,
        help_text=_("How the judgment names the victim (a pseudonym, a witness number)."),
    )
    amount_ordered = money_field(_("Amount ordered"))
    currency = forms.CharField(label=_("Currency"), max_length=3, widget=CURRENCY)
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DATE)
    payer = forms.TypedChoiceField(
        label=_("To be paid by"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, criminal_case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = _blank(
            (s.pk, s.suspect.reference) for s in criminal_case.suspects.select_related("suspect")
        )


class PaymentForm(VersionedForm):
    amount = money_field(_("Amount paid"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)


# --- victims as witnesses -----------------------------------------------------------------


class WitnessForm(forms.Form):
    person = forms.CharField(
        label=_("Person reference"),
        max_length=20,
        help_text=_(
            "Her reference, exactly (e.g. P-7K3F9QXM): given by the protection coordinator."
        ),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        required=False,
        help_text=_("Leave empty to rely on her consent for criminal proceedings."),
    )

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].choices = _blank(
            (b.reference, f"{b.reference} · {b.get_kind_display()} · {b.issuer_reference}")
            for b in bases
        )


class LegalBasisForm(forms.Form):
    person = forms.CharField(label=_("Person reference"), max_length=20)
    kind = forms.ChoiceField(label=_("Kind of legal basis"), choices=LegalBasis.Kind.choices)
    issued_by = forms.CharField(
        label=_("Issued by"), max_length=200, help_text=_("e.g. Tribunale di Palermo, GIP.")
    )
    issuer_reference = forms.CharField(label=_("Its reference"), max_length=100)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    data_categories = forms.MultipleChoiceField(
        label=_("Data it opens"),
        choices=Consent.DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Protective measure"), choices=ProtectiveMeasure.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label)
            for value, label in ProtectiveMeasure.Status.choices
            if value != ProtectiveMeasure.Status.ENDED
        ],
    )
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE, required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, required=False)
    authority = forms.CharField(label=_("Decided by"), max_length=200, required=False)


class MeasureStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=ProtectiveMeasure.Status.choices)
    on = forms.DateField(label=_("On"), widget=DATE, required=False)
    authority = forms.CharField(label=_("Decided by"), max_length=200, required=False)


class WitnessStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Witness.Status.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)
