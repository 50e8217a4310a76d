from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.cooperation.models import CooperationRequest
from corridor.core.forms import QuickSelect
from corridor.vocabularies import country_choices

DATE = {"type": "date"}


class RequestForm(forms.Form):
    """A request this office sends abroad, or one it received from abroad."""

    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=CooperationRequest.Direction.choices,
        initial=CooperationRequest.Direction.OUTGOING,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label=_("Kind of request"), choices=CooperationRequest.Kind.choices)
    requested_country = forms.ChoiceField(
        label=_("Country asked (for a request we send)"), required=False, widget=QuickSelect
    )
    requested_authority = forms.CharField(
        label=_("Authority asked"), max_length=200, required=False
    )
    requesting_country = forms.ChoiceField(
        label=_("Country asking (for a request we received)"), required=False, widget=QuickSelect
    )
    requesting_authority = forms.CharField(
        label=_("Authority asking"), max_length=200, required=False
    )
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    subject = forms.CharField(
        label=_("What is asked (kept encrypted)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    their_reference = forms.CharField(
        label=_("The other side's reference"), max_length=60, required=False
    )
    due_on = forms.DateField(
        label=_("Legal deadline"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Left empty: the usual time from the day it is sent."),
    )
    criminal_case = forms.ChoiceField(label=_("Criminal case"), required=False)

    def __init__(self, *args, criminal_cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *country_choices()]
        self.fields["requested_country"].choices = countries
        self.fields["requesting_country"].choices = countries
        self.fields["criminal_case"].choices = [("", "—")] + [
            (case.reference, str(case)) for case in criminal_cases
        ]
        self.cases = {case.reference: case for case in criminal_cases}
        self.fields["received_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["criminal_case"] = self.cases.get(data.get("criminal_case") or "")
        return data


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=CooperationRequest.Status.choices)
    on = forms.DateField(
        label=_("Date of this step"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CooperationRequest.Outcome.choices)
    answered_on = forms.DateField(label=_("Answered on"), widget=forms.DateInput(attrs=DATE))
    notes = forms.CharField(
        label=_("Notes on the answer (kept encrypted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_on"].initial = timezone.localdate()
        self.fields["answered_on"].widget.attrs["max"] = timezone.localdate().isoformat()
