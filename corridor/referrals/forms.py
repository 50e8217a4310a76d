from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts import access
from corridor.accounts.forms import AgencyChoiceField
from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.core.forms import QuickSelect
from corridor.referrals import services
from corridor.referrals.models import OFFER_SEXES, ServiceOffer
from corridor.vocabularies import ServiceType, Sex


def _split(text: str) -> list[str]:
    """'it-82, Palermo; Catania' → ['it-82', 'Palermo', 'Catania']."""
    return [
        part.strip()
        for chunk in text.splitlines()
        for part in chunk.replace(";", ",").split(",")
        if part.strip()
    ]


class ListField(forms.CharField):
    """A list typed as text, one value per comma or line."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return _split(super().to_python(value) or "")


def sex_choices():
    return [(value, label) for value, label in Sex.choices if value in OFFER_SEXES]


class OfferChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, offer):
        label = f"{offer.agency.label} — {offer.name}"
        if offer.counts_places:
            label += " · " + str(_("{free} of {total} places free")).format(
                free=offer.free_places or 0, total=offer.total_places
            )
        if offer.is_full:
            label += " · " + str(_("full"))
        return label


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, consent):
        purposes = ", ".join(
            str(Consent.Purpose(p).label) for p in consent.purposes if p in Consent.Purpose.values
        )
        categories = ", ".join(
            str(Consent.DataCategory(c).label)
            for c in consent.data_categories
            if c in Consent.DataCategory.values
        )
        return str(_("Given {date}: {purposes} — {categories}")).format(
            date=timezone.localdate(consent.given_at).isoformat(),
            purposes=purposes,
            categories=categories,
        )


class ReferralForm(forms.Form):
    """Refer a case: to whom, for what, under which consent, sharing which data.

    With `case`, the offers listed are those the person is eligible for and the consents
    those of the person that still stand.
    """

    offer = OfferChoiceField(
        label=_("Service from the directory"),
        queryset=ServiceOffer.objects.none(),
        required=False,
        empty_label=_("— none: refer to an agency —"),
    )
    to_agency = AgencyChoiceField(
        label=_("To agency"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Filled in from the service when you choose one."),
    )
    service_type = forms.ChoiceField(
        label=_("Service"),
        choices=[("", "—"), *ServiceType.choices],
        required=False,
        help_text=_("Filled in from the service when you choose one."),
    )
    consent = ConsentChoiceField(
        label=_("Consent relied on"),
        queryset=Consent.objects.none(),
        required=False,
        empty_label=_("The most recent consent that covers this referral"),
    )
    shared_categories = forms.MultipleChoiceField(
        label=_("Data shared with the receiving agency"),
        choices=Consent.DataCategory.choices,
        initial=list(services.Referral.DEFAULT_CATEGORIES),
        widget=forms.CheckboxSelectMultiple,
    )
    unaccompanied_child = forms.BooleanField(
        label=_("The person is an unaccompanied child"), required=False
    )
    note = forms.CharField(
        label=_("Note for the receiving agency"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    refer_to_full = forms.BooleanField(
        label=_("Refer all the same: the provider will accept once a place is free"),
        required=False,
    )

    def __init__(self, *args, user, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["to_agency"].queryset = Agency.objects.filter(is_active=True).exclude(
            pk=user.agency_id
        )
        self.fields["to_agency"].first_country = user.agency.country if user.agency_id else None
        offers = (
            access.offers_visible_to(user)
            .filter(is_active=True, agency__is_active=True)
            .exclude(agency_id=user.agency_id)
            .select_related("agency")
        )
        if case is not None:
            person = case.person
            offers = services.eligible_offers(offers, person)
            self.fields["consent"].queryset = Consent.objects.filter(
                person=person, revoked_at__isnull=True
            ).order_by("-given_at")
            if not person.presumed_minor:
                del self.fields["unaccompanied_child"]
        self.fields["offer"].queryset = services.full_last(offers)
        self.full_offer = None  # set when the chosen service has no free place

    def clean(self):
        data = super().clean()
        offer = data.get("offer")
        if offer is not None and offer.is_full and not data.get("refer_to_full"):
            self.full_offer = offer
            self.add_error(
                "offer",
                _(
                    "{service} has no free place now: {agency} cannot accept until one is "
                    "free. Choose another service, or refer all the same below."
                ).format(service=offer.name, agency=offer.agency.label),
            )
        if offer is not None:
            data["to_agency"] = data.get("to_agency") or offer.agency
            data["service_type"] = data.get("service_type") or offer.service_type
        if not data.get("to_agency") and "to_agency" not in self.errors:
            self.add_error("to_agency", _("Choose a service from the directory or an agency."))
        if not data.get("service_type") and "service_type" not in self.errors:
            self.add_error("service_type", _("Choose the service."))
        return data

    def referral_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "to_agency": data["to_agency"],
            "service_type": data["service_type"],
            "offer": data.get("offer"),
            "consent": data.get("consent"),
            "shared_categories": list(data["shared_categories"]),
            "unaccompanied_child": bool(data.get("unaccompanied_child")),
            "note": data.get("note", ""),
        }


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DeliveryForm(forms.Form):
    """A service delivered: on today, unless said otherwise. The date may not be in the
    future nor before the referral was sent (services.record_service_delivery says so)."""

    service_type = forms.ChoiceField(label=_("Service delivered"), choices=ServiceType.choices)
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("Notes (kept encrypted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()  # in the instance's time zone, when the form is made
        self.fields["delivered_on"].initial = today
        self.fields["delivered_on"].widget.attrs["max"] = today.isoformat()


class ServiceOfferForm(forms.Form):
    agency = AgencyChoiceField(label=_("Provider"), queryset=Agency.objects.none())
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("What is offered"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    area_description = forms.CharField(
        label=_("Area served"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    areas = ListField(
        label=_("Regions and cities served"),
        required=False,
        help_text=_(
            "ISO 3166-2 region codes (e.g. IT-82) or city names, separated by commas; "
            "empty: the whole country."
        ),
    )
    languages = ListField(
        label=_("Languages"),
        required=False,
        help_text=_("ISO 639-1 codes separated by commas, e.g. en, fr, ar."),
    )
    sexes = forms.MultipleChoiceField(
        label=_("Sexes accepted"),
        choices=sex_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone."),
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0)
    accepts_unaccompanied_children = forms.BooleanField(
        label=_("Accepts unaccompanied children"), required=False
    )
    total_places = forms.IntegerField(
        label=_("Places in all"),
        required=False,
        min_value=0,
        help_text=_("Leave empty for a service not counted in places."),
    )
    free_places = forms.IntegerField(label=_("Free places now"), required=False, min_value=0)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=30)
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_hours = forms.CharField(label=_("Opening hours"), required=False, max_length=200)
    is_active = forms.BooleanField(label=_("Listed in the directory"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *args, user, offer=None, **kwargs):
        if offer is not None and data is None:
            kwargs.setdefault(
                "initial",
                {
                    **{name: getattr(offer, name) for name in services.OFFER_FIELDS},
                    "agency": offer.agency_id,
                    "version": offer.version,
                },
            )
        super().__init__(data, *args, **kwargs)
        agencies = Agency.objects.filter(is_active=True)
        if offer is not None:
            del self.fields["agency"]  # an offer stays with its provider
        elif access.can_manage_offers_of(user, None):
            self.fields["agency"].queryset = agencies
            self.fields["agency"].first_country = user.agency.country if user.agency_id else None
        else:
            self.fields["agency"].queryset = agencies.filter(pk=user.agency_id)
            self.fields["agency"].initial = user.agency_id

    def offer_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in services.OFFER_FIELDS}


class CapacityForm(forms.Form):
    free_places = forms.IntegerField(label=_("Free places now"), min_value=0)
    total_places = forms.IntegerField(label=_("Places in all"), min_value=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DirectoryFilterForm(forms.Form):
    service_type = forms.ChoiceField(
        label=_("Service"), choices=[("", _("Any")), *ServiceType.choices], required=False
    )
    language = forms.CharField(label=_("Language (ISO 639-1)"), required=False, max_length=3)
    area = forms.CharField(label=_("Region or city"), required=False, max_length=100)
    age = forms.IntegerField(label=_("Age of the person"), required=False, min_value=0)
    sex = forms.ChoiceField(
        label=_("Sex of the person"), choices=[("", _("Any")), *sex_choices()], required=False
    )
    unaccompanied_child = forms.BooleanField(label=_("Unaccompanied child"), required=False)
    with_free_places = forms.BooleanField(label=_("With free places"), required=False)


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Waiting for"), required=False)
    service_type = forms.ChoiceField(
        label=_("Service"), choices=[("", _("Any")), *ServiceType.choices], required=False
    )
    to_agency = AgencyChoiceField(
        label=_("Referred to"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
    mine = forms.BooleanField(label=_("Only cases I coordinate"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everyone")), *services.Waiting.choices()]
