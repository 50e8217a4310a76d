from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import QuickSelect
from corridor.people.models import Person
from corridor.screening.htcds import METHODS_OF_CONTROL
from corridor.screening.models import AgeAssessment, ExploitationType, localized
from corridor.screening.rules import Strength
from corridor.vocabularies import Exploitation, Sex, country_choices

YES, NO, UNKNOWN = "yes", "no", "unknown"
ANSWER_CHOICES = [(YES, _("Yes")), (NO, _("No")), (UNKNOWN, _("Don't know"))]
ANSWER_VALUES = {YES: True, NO: False, UNKNOWN: None}


def answer_choice(value: bool | None) -> str:
    return {True: YES, False: NO}.get(value, UNKNOWN)


class StartForm(forms.Form):
    """Who is screened (an existing record or a minimal new one) and with which lists."""

    person = forms.CharField(
        label=_("Person reference"),
        max_length=12,
        required=False,
        help_text=_(
            "If the person is already registered, e.g. P-7K3F9QXM. Otherwise fill in below."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    given_name = forms.CharField(
        label=_("Given name"),
        required=False,
        help_text=_("Optional: leave empty if the person does not want to say."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN, required=False
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        choices=lambda: [("", "—"), *country_choices()],  # in the reader's language
        required=False,
        widget=QuickSelect,
    )
    age_unknown = forms.BooleanField(
        label=_("Age unknown"),
        required=False,
        help_text=_("A person whose age is unknown is treated as a child."),
    )
    age_estimate_min = forms.IntegerField(
        label=_("Estimated age from"), min_value=0, max_value=120, required=False
    )
    age_estimate_max = forms.IntegerField(
        label=_("Estimated age to"), min_value=0, max_value=120, required=False
    )
    age_disputed = forms.BooleanField(
        label=_("Age disputed"),
        required=False,
        help_text=_("The person says they are a child, or the age is in doubt."),
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=100,
        help_text=_("ISO codes separated by commas, e.g. en, fr, ha."),
    )
    exploitation = forms.ChoiceField(
        label=_("Which indicators"),
        choices=ExploitationType.choices,
        widget=forms.RadioSelect,
        initial=ExploitationType.LABOUR,
    )
    location = forms.CharField(
        label=_("Where the screening takes place"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    smuggled = forms.BooleanField(
        label=_("The person paid a smuggler or crossed a border irregularly"), required=False
    )
    in_need = forms.BooleanField(
        label=_("The person is vulnerable or has urgent needs"),
        required=False,
        help_text=_("For example injured, ill, pregnant, without shelter, or travelling alone."),
    )

    PERSON_FIELDS = (
        "given_name",
        "sex",
        "nationality",
        "age_estimate_min",
        "age_estimate_max",
        "age_disputed",
        "languages",
    )

    def __init__(self, *args, fixed_person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_person = fixed_person
        if fixed_person is not None:
            for name in ("person", "age_unknown", *self.PERSON_FIELDS):
                del self.fields[name]

    def clean_person(self):
        return (self.cleaned_data.get("person") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if self.fixed_person is not None or data.get("person"):
            return data
        if data.get("age_unknown"):
            data["age_estimate_min"] = data["age_estimate_max"] = None
        lo, hi = data.get("age_estimate_min"), data.get("age_estimate_max")
        if lo is None and hi is not None:
            self.add_error("age_estimate_min", _("Give the lower estimate too."))
        if lo is not None and hi is not None and lo > hi:
            self.add_error(
                "age_estimate_max", _("The upper age estimate must not be below the lower one.")
            )
        return data

    def new_person_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.PERSON_FIELDS}
        fields["given_name"] = (fields["given_name"] or "").strip()
        fields["languages"] = (fields["languages"] or "").strip()
        fields["nationality"] = fields["nationality"] or ""
        fields["sex"] = fields["sex"] or Sex.UNKNOWN
        if fields["age_estimate_min"] is not None and fields["age_estimate_max"] is None:
            fields["age_estimate_max"] = fields["age_estimate_min"]
        return fields


class DimensionForm(forms.Form):
    """One page of the wizard: the questions of one dimension, yes / no / don't know."""

    def __init__(self, *args, indicators, answers: dict, last: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[indicator.code] = forms.ChoiceField(
                label=localized(indicator.text),
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "answer"}),
                required=False,
                initial=answer_choice(answers.get(indicator.code)),
            )
        if last:
            self.fields["notes"] = forms.CharField(
                label=_("Notes"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Optional. Stored encrypted with the screening."),
            )

    def answers(self) -> dict[str, bool | None]:
        return {
            i.code: ANSWER_VALUES.get(self.cleaned_data.get(i.code) or UNKNOWN)
            for i in self.indicators
        }

    def rows(self):
        """(indicator, bound field) pairs for the template."""
        return [(i, self[i.code]) for i in self.indicators]


class AgeAssessmentForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=AgeAssessment.Method.choices)
    assessed_age_min = forms.IntegerField(label=_("Assessed age from"), min_value=0, max_value=120)
    assessed_age_max = forms.IntegerField(label=_("Assessed age to"), min_value=0, max_value=120)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IndicatorForm(forms.Form):
    """An indicator of a draft catalogue version: its weight, questions and HTCDS coding."""

    strength = forms.ChoiceField(label=_("Strength"), choices=Strength.choices)
    methods_of_control = forms.MultipleChoiceField(
        label=_("HTCDS methods of control"),
        choices=[(m, m.removeprefix("MethodsOfControl")) for m in METHODS_OF_CONTROL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exploitation = forms.MultipleChoiceField(
        label=_("Form of exploitation it implies"),
        choices=Exploitation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"text_{code}"] = forms.CharField(
                label=_("Question ({language})").format(language=name),
                required=code == "en",
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            )

    @staticmethod
    def initial_for(indicator) -> dict:
        initial = {
            "strength": indicator.strength,
            "methods_of_control": indicator.methods_of_control,
            "exploitation": indicator.exploitation,
            "note": indicator.note,
        }
        for code, _name in settings.LANGUAGES:
            initial[f"text_{code}"] = indicator.text.get(code, "")
        return initial

    def texts(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(f"text_{code}", "")
            for code, _name in settings.LANGUAGES
            if self.cleaned_data.get(f"text_{code}")
        }
