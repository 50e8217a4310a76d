from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import QuickSelect
from corridor.incidents.models import (
    LOCALITY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Incident,
    IncidentEvent,
    IncidentVictim,
    MeansOfControl,
    Place,
    RecruiterRelation,
    RouteLeg,
    Suspect,
)
from corridor.vocabularies import Exploitation, country_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Titles and localities are encrypted text fields (no length in the database): one line, and
# the model's validators keep the limit.
TITLE = forms.TextInput(attrs={"maxlength": TITLE_MAX_LENGTH})
LOCALITY = forms.TextInput(attrs={"maxlength": LOCALITY_MAX_LENGTH})


class IncidentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    forms_of_exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=Exploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=MeansOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Incident
        fields = (
            "title",
            "summary",
            "start_date",
            "end_date",
            "forms_of_exploitation",
            "means_of_control",
            "recruiter_relation",
        )
        widgets = {
            "title": TITLE,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "start_date": DATE,
            "end_date": DATE,
        }
        help_texts = {
            "start_date": _("Leave empty if unknown."),
            "end_date": _("Leave empty if unknown or still going on."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recruiter_relation"].required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return data

    def changes(self) -> dict:
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        changes["recruiter_relation"] = changes["recruiter_relation"] or RecruiterRelation.UNKNOWN
        return changes


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Title, place or reference"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    country = forms.ChoiceField(
        label=_("Country on the route"),
        required=False,
        choices=lambda: [("", _("Any country")), *country_choices()],
        widget=QuickSelect,
    )
    exploitation = forms.ChoiceField(
        label=_("Form of exploitation"),
        required=False,
        choices=[("", _("Any form")), *Exploitation.choices],
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class VictimForm(forms.Form):
    person = forms.CharField(
        label=_("Person reference"),
        max_length=12,
        help_text=_("The reference on the person's record, e.g. P-7K3F9QXM."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    role = forms.ChoiceField(
        label=_("Role in the incident"),
        choices=IncidentVictim.Role.choices,
        initial=IncidentVictim.Role.VICTIM,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class SuspectForm(forms.ModelForm):
    suspect = forms.CharField(
        label=_("Known suspect's reference"),
        required=False,
        max_length=12,
        help_text=_(
            "To link a suspect already recorded, e.g. in another incident of the same network. Otherwise describe a new one below."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Suspect
        fields = ("names", "aliases", "sex", "nationality", "network_role")
        widgets = {
            "names": forms.TextInput(attrs={"autocomplete": "off"}),
            "aliases": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    field_order = ("suspect", "names", "aliases", "sex", "nationality", "network_role", "notes")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data.get("suspect"):
            return {"suspect": data["suspect"], "notes": data["notes"]}
        return {name: data[name] for name in (*self.Meta.fields, "notes")}


class RouteLegForm(forms.ModelForm):
    class Meta:
        model = RouteLeg
        fields = (
            "from_country",
            "from_locality",
            "to_country",
            "to_locality",
            "mode",
            "departed_on",
            "arrived_on",
            "smuggler_involved",
        )
        widgets = {
            "from_locality": LOCALITY,
            "to_locality": LOCALITY,
            "departed_on": DATE,
            "arrived_on": DATE,
        }

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = ("kind", "country", "locality", "latitude", "longitude")
        widgets = {"locality": LOCALITY}

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class EventForm(forms.ModelForm):
    class Meta:
        model = IncidentEvent
        fields = ("kind", "date", "place", "description")
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = incident.places.all()
        self.fields["place"].help_text = _("Add the place first if it is not in the list.")

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
