from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Agency
from corridor.referrals.models import ServiceType


class ReferralForm(forms.Form):
    to_agency = forms.ModelChoiceField(label=_("To agency"), queryset=Agency.objects.none())
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    note = forms.CharField(
        label=_("Note for the receiving agency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True).exclude(
            pk=user.agency_id
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3})
    )
