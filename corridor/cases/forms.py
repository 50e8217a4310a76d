"""Forms of the case file. They parse input; the rules live in corridor.cases.services.

Every form that edits the case (or an offence record) carries the hidden `version` read
with the page, so a change based on an old read is refused instead of overwriting.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.forms import AgencyMultipleChoiceField
from corridor.accounts.models import Agency, Role, User
from corridor.cases.models import NEED_CHOICES, CompelledOffence, ProtectionCase, reflection_days
from corridor.consent.models import Consent
from corridor.vocabularies import is_country

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 3})


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(VersionedForm):
    status = forms.ChoiceField(label=_("Move to stage"), choices=ProtectionCase.Status.choices)
    closure_reason = forms.ChoiceField(
        label=_("Reason for closure"),
        required=False,
        choices=[("", "—"), *ProtectionCase.ClosureReason.choices],
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)


class ProposalForm(forms.Form):
    note = forms.CharField(
        label=_("Why this person is a presumed victim"), required=False, widget=NOTE
    )


class RiskForm(VersionedForm):
    risk_level = forms.ChoiceField(
        label=_("Risk level"), choices=ProtectionCase.Risk.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Why the risk level changes"), widget=NOTE)


class CoordinatorForm(VersionedForm):
    coordinator = forms.ModelChoiceField(label=_("Coordinator"), queryset=User.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)

    def __init__(self, *args, case: ProtectionCase, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = (
            User.objects.filter(
                is_active=True,
                groups__name=Role.COORDINATOR.value,
                agency__country=case.owner_agency.country,
            )
            .select_related("agency")
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["coordinator"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} · {u.agency.label}"
        )


class ReflectionStartForm(VersionedForm):
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    days = forms.IntegerField(
        label=_("Length in days"),
        min_value=1,
        help_text=_("At least 30 days (Council of Europe Convention, article 13)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate
        self.fields["days"].initial = reflection_days


class ReflectionExtendForm(VersionedForm):
    new_end = forms.DateField(label=_("New last day"), widget=DATE)
    reason = forms.CharField(label=_("Why the period is extended"), widget=NOTE)


class PrinciplesForm(VersionedForm):
    assistance_unconditional = forms.BooleanField(
        label=_("Assistance is given whether or not the person cooperates with the authorities"),
        required=False,
        help_text=_("Non-conditionality: once attested, it cannot be withdrawn."),
    )
    cooperation_status = forms.ChoiceField(
        label=_("Cooperation with the authorities"),
        choices=ProtectionCase.Cooperation.choices,
        help_text=_("Recorded for information only: it never affects assistance or referral."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=NOTE)


class OffenceForm(forms.Form):
    offence = forms.CharField(label=_("Offence the person was compelled to commit"), widget=NOTE)
    category = forms.ChoiceField(
        label=_("Kind of offence"), choices=CompelledOffence.Category.choices
    )
    decision = forms.ChoiceField(
        label=_("Non-punishment decision"),
        choices=CompelledOffence.Decision.choices,
        initial=CompelledOffence.Decision.PENDING,
    )
    authority = forms.CharField(label=_("Deciding authority"), required=False, max_length=200)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=NOTE)


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Non-punishment decision"), choices=CompelledOffence.Decision.choices
    )
    authority = forms.CharField(label=_("Deciding authority"), required=False, max_length=200)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)
    notes = forms.CharField(label=_("Notes"), required=False, widget=NOTE)


class NeedsForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("Needs"), choices=NEED_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate


class ReviewForm(forms.Form):
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    topic = forms.CharField(label=_("What to review"), required=False, max_length=200)


class ReviewCompleteForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = timezone.localdate


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("For which purposes"),
        choices=Consent.Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Which data may be shared"),
        choices=Consent.DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_agencies = AgencyMultipleChoiceField(
        label=_("With these agencies"),
        queryset=Agency.objects.none(),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    recipient_sectors = forms.MultipleChoiceField(
        label=_("With any agency of these sectors"),
        choices=Agency.Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_countries = forms.CharField(
        label=_("With partner countries"),
        required=False,
        help_text=_("ISO country codes separated by commas, e.g. NG, GH."),
    )
    method = forms.ChoiceField(
        label=_("How consent was given"),
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
    )
    interpreter_language = forms.CharField(
        label=_("Explained in language"),
        required=False,
        max_length=10,
        help_text=_("ISO code of the language it was explained in, e.g. ha."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_agencies"].queryset = Agency.objects.filter(is_active=True)
        self.fields["recipient_agencies"].widget.attrs["size"] = 10

    def clean_recipient_countries(self) -> list[str]:
        codes = [c.strip().upper() for c in self.cleaned_data["recipient_countries"].split(",")]
        codes = [c for c in codes if c]
        unknown = [c for c in codes if not is_country(c)]
        if unknown:
            raise forms.ValidationError(
                _("Unknown country code: {codes}.").format(codes=", ".join(unknown))
            )
        return list(dict.fromkeys(codes))


class RevokeConsentForm(forms.Form):
    reason = forms.CharField(label=_("Why consent is revoked"), widget=NOTE)
