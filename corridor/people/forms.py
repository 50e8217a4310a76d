from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.people.models import Person
from corridor.people.services import EDITABLE_FIELDS


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = EDITABLE_FIELDS
        widgets = {
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "aliases": forms.TextInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "address": forms.TextInput(attrs={"autocomplete": "off"}),
            "document_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "narrative": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "age_disputed": _("A person whose age is unknown or disputed is treated as a child."),
            "languages": _("ISO codes separated by commas, e.g. en, fr, ha."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the phone's date picker offers no date of birth after today
        self.fields["date_of_birth"].widget.attrs["max"] = timezone.localdate().isoformat()

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class BreakGlassForm(forms.Form):
    reference = forms.CharField(label=_("Person reference"), max_length=12)
    reason = forms.CharField(
        label=_("Why you need this record now"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your reason is written to the audit trail and reviewed."),
    )
