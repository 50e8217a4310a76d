"""Forms for sign-in, two-factor, API tokens and administration.

Uniqueness and the other business rules are checked by the service functions, which see
the stored record; the forms only shape and type the input.
"""

from collections import defaultdict
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Agency, ApiToken, Role, User
from corridor.accounts.services import AGENCY_FIELDS
from corridor.core.forms import PickerSelect, PickerSelectMultiple
from corridor.vocabularies import collation_key, country_name


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or password is not right. Both are case-sensitive. After "
            "%(limit)s failed attempts sign-in is locked for a while."
        ),
    }

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT},
        )


class CodeField(forms.CharField):
    def to_python(self, value):
        # People copy codes as "123 456": drop the spaces before the digits are checked.
        return "".join(super().to_python(value).split())


class TOTPCodeForm(forms.Form):
    code = CodeField(
        label=_("Six-digit code"),
        max_length=12,
        validators=[
            RegexValidator(
                r"^\d{6}$", _("Enter the six digits your authenticator app shows, without letters.")
            )
        ],
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 8,
            }
        ),
        help_text=_("The code changes every 30 seconds."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_('Say which system uses it, e.g. "Hotline intake bridge".'),
    )


class VersionedModelForm(forms.ModelForm):
    """A model form whose uniqueness checks are left to the service (it sees the record)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def validate_unique(self):
        pass

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class AgencyForm(VersionedModelForm):
    class Meta:
        model = Agency
        fields = AGENCY_FIELDS


# --- the agency picker: every form that chooses agencies (consent, referral, directory,
# accounts) lists them alike ------------------------------------------------------------------


def agency_groups(
    agencies: Iterable[Agency], *, first_country: str | None = None
) -> list[tuple[str, list[Agency]]]:
    """The agencies by country, named in the reader's language: `first_country` (the
    instance's by default) first, then the others by name; agencies by name within each."""
    first = first_country or settings.CORRIDOR_COUNTRY
    by_country: dict[str, list[Agency]] = defaultdict(list)
    for agency in agencies:
        by_country[agency.country].append(agency)
    names = {code: country_name(code) for code in by_country}
    order = sorted(by_country, key=lambda code: (code != first, collation_key(names[code]), code))
    return [
        (names[code], sorted(by_country[code], key=lambda a: (collation_key(a.name), a.pk)))
        for code in order
    ]


def agency_option_label(agency: Agency) -> str:
    """An agency in a picker: its name, with its short name where that says something more
    (people search for "NAPTIP" as often as for the name)."""
    label = agency.name
    if agency.short_name and agency.short_name.casefold() not in agency.name.casefold():
        label = f"{label} ({agency.short_name})"
    return label if agency.is_active else _("{agency} — deactivated").format(agency=label)


class AgencyPicker(PickerSelect):
    filter_label = _("Find an agency: type part of its name or its country")
    no_match = _("No agency matches.")


class AgencyPickerMultiple(PickerSelectMultiple):
    filter_label = AgencyPicker.filter_label
    no_match = AgencyPicker.no_match


class AgencyChoiceIterator(ModelChoiceIterator):
    """The field's agencies in groups by country (agency_groups), as optgroups."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = agency_groups(self.queryset.all(), first_country=self.field.first_country)
        for country, agencies in groups:
            yield (country, [self.choice(agency) for agency in agencies])

    def __len__(self):
        countries = self.queryset.order_by().values("country").distinct().count()
        return countries + (1 if self.field.empty_label is not None else 0)


class _AgencyChoices:
    iterator = AgencyChoiceIterator
    # Whose country comes first: the user's agency's, where the form knows the user; the
    # instance's otherwise.
    first_country: str | None = None

    def label_from_instance(self, obj):
        return agency_option_label(obj)


class AgencyChoiceField(_AgencyChoices, forms.ModelChoiceField):
    widget = AgencyPicker


class AgencyMultipleChoiceField(_AgencyChoices, forms.ModelMultipleChoiceField):
    widget = AgencyPickerMultiple


class UserAccountForm(VersionedModelForm):
    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.order_by("name"),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Administrators, coordinators, investigators and prosecutors must use "
            "two-factor authentication."
        ),
    )

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "agency", "is_active")
        help_texts = {
            "is_active": _(
                "Deactivate an account instead of deleting it: its "
                "history stays in the audit trail."
            )
        }

    def changes(self) -> dict:
        return {**super().changes(), "roles": self.cleaned_data["roles"]}


class NewUserAccountForm(UserAccountForm):
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters, not a common password. Hand it over in person "
            "or by another safe channel."
        ),
    )
    password_again = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords differ."))
        return data

    def changes(self) -> dict:
        return {**super().changes(), "password": self.cleaned_data["password"]}
