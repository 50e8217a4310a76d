from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the records must be kept"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the proceedings that need them. Written to the audit trail."),
    )


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the records need no longer be kept"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ErasureRequestForm(forms.Form):
    requested_on = forms.DateField(
        label=_("Asked on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("How the person asked"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Erased with the records if the request is carried out."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Erase the records now unless the law requires them to be kept. This cannot be undone."
        ),
    )
