from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.consent.models import Consent
from corridor.core.forms import QuickSelect
from corridor.crossborder import services
from corridor.crossborder.models import TransnationalReferral
from corridor.crossborder.payload import TRANSNATIONAL_PURPOSES
from corridor.vocabularies import country_choices


class PartnerForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=country_choices, widget=QuickSelect)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("E.g. the partner's national referral mechanism."),
    )
    base_url = forms.CharField(
        label=_("Address of the instance"),
        max_length=300,
        help_text=_("https://… (plain http only for 127.0.0.1 or localhost)."),
    )
    public_jwk = forms.CharField(
        label=_("Public signing key (JWK)"),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "Paste the public key the partner's administrator printed with "
            "`corridor crossborder_keys` and handed over out of band."
        ),
    )
    key_id = forms.CharField(
        label=_("Key id"),
        max_length=100,
        required=False,
        help_text=_("Left empty: the kid written in the key."),
    )


class PprlSecretForm(forms.Form):
    secret = forms.CharField(
        label=_("Linkage secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Agree it with the partner's administrator through another channel and set the "
            "same on both instances (at least 16 characters). Left empty: cleared."
        ),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, partner):
        return f"{partner.get_country_display()} — {partner.name}"


def purpose_choices():
    return [(p, Consent.Purpose(p).label) for p in TRANSNATIONAL_PURPOSES]


class SendForm(forms.Form):
    partner = PartnerChoiceField(label=_("Partner country"), queryset=None)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=purpose_choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = services.partners_to_send_to().order_by("country")


Status = TransnationalReferral.Status


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How is the person doing?"),
        choices=[(s, Status(s).label) for s in services.REPORTABLE],
    )
    month = forms.TypedChoiceField(
        label=_("Months after return"),
        choices=[("", "—"), *((m, m) for m in services.FOLLOWUP_MONTHS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
