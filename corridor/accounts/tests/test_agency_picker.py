"""The agency picker of every form that chooses agencies (consent, referral, directory,
accounts): grouped by country, the own country first, the others by their name in the
reader's language, agencies by name within; a filter box added by a script file (no inline
script: CSP), the list whole without it."""

import re

import pytest
from django import forms
from django.utils import translation

from corridor.accounts.forms import AgencyChoiceField, agency_groups, agency_option_label
from corridor.accounts.models import Agency
from corridor.cases.forms import ConsentForm
from corridor.core.forms import PickerSelectMultiple
from corridor.core.testing import AgencyFactory
from corridor.referrals.forms import ReferralForm


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False  # MFA has its own tests


@pytest.fixture
def abroad(db):
    """Agencies of four more countries, named so that each language sorts them its own way."""
    return [
        AgencyFactory(name="Zentrale Beratungsstelle", country="DE"),
        AgencyFactory(name="NAPTIP Lagos", short_name="NAPTIP", country="NG"),
        AgencyFactory(name="Égalité Ouagadougou", country="BF"),
        AgencyFactory(name="Action Ouagadougou", short_name="AO", country="BF"),
        AgencyFactory(name="Caritas Egypt", country="EG"),
    ]


def groups(language: str) -> list[tuple[str, list[str]]]:
    with translation.override(language):
        found = agency_groups(Agency.objects.filter(is_active=True))
    return [(country, [a.name for a in agencies]) for country, agencies in found]


def test_the_own_country_comes_first_then_the_others_by_name_in_the_readers_language(
    world, abroad, settings
):
    settings.CORRIDOR_COUNTRY = "IT"
    english = groups("en")
    assert [country for country, _ in english] == [
        "Italy",
        "Burkina Faso",
        "Egypt",
        "France",
        "Germany",
        "Nigeria",
    ]
    # In French Germany is Allemagne, and Égypte sorts with the E.
    assert [country for country, _ in groups("fr")] == [
        "Italie",
        "Allemagne",
        "Burkina Faso",
        "Égypte",
        "France",
        "Nigeria",
    ]
    # Names sorted within a country, accents aside: Égalité between Action and anything later.
    assert dict(english)["Burkina Faso"] == ["Action Ouagadougou", "Égalité Ouagadougou"]
    italian = dict(english)["Italy"]
    assert italian == sorted(italian, key=str.casefold) and world.nrm.name in italian


def test_the_consent_form_lists_the_agencies_in_groups_with_its_filter(client, world, abroad):
    client.force_login(world.users.responder)
    with translation.override("en"):
        html = client.get(f"/cases/{world.case.reference}/consents/new/").content.decode()
    select = re.search(r'<select name="recipient_agencies".*?</select>', html, re.S).group(0)
    labels = re.findall(r'<optgroup label="([^"]+)">', select)
    assert labels[0] == "Italy" and labels[1] == "Burkina Faso" and len(labels) == 6
    assert "multiple" in select and "data-picker " in select
    assert "Find an agency" in select  # the filter box's label, translated server-side
    assert ">NAPTIP Lagos</option>" in select  # the short name only where it adds
    assert ">Action Ouagadougou (AO)</option>" in select
    # The script is a file of this site, never inline (CSP script-src 'self').
    scripts = re.findall(r"<script[^>]*>", html)
    assert '<script src="/static/corridor/agency-picker.js" defer>' in scripts
    assert all("src=" in tag for tag in scripts)


def test_a_consent_still_names_agencies_of_several_countries(world, abroad):
    naptip, action = abroad[1], abroad[3]
    form = ConsentForm(
        data={
            "purposes": ["assistance"],
            "data_categories": ["identity"],
            "recipient_agencies": [str(naptip.pk), str(action.pk), str(world.nrm.pk)],
            "method": "written",
        }
    )
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["recipient_agencies"]) == {naptip, action, world.nrm}
    html = str(ConsentForm(data=form.data)["recipient_agencies"])
    assert f'<option value="{naptip.pk}" selected>' in html


def test_a_user_abroad_sees_her_own_country_first(world, abroad):
    """A referral form knows the user: her agency's country comes first."""
    AgencyFactory(name="Amicale du Nid", country="FR")
    with translation.override("en"):
        html = str(ReferralForm(user=world.users.foreign_coordinator)["to_agency"])
    labels = re.findall(r'<optgroup label="([^"]+)">', html)
    assert labels[0] == "France" and labels[1:3] == ["Burkina Faso", "Egypt"]
    assert f">{world.foreign.name}<" not in html  # not her own agency


def test_the_picker_writes_djangos_own_markup_plus_its_data(world, abroad):
    """Nothing but the data attributes and the script tag differs from Django's widget."""

    class Form(forms.Form):
        django = forms.ModelMultipleChoiceField(
            queryset=Agency.objects.order_by("name"), widget=forms.SelectMultiple
        )
        picker = forms.ModelMultipleChoiceField(
            queryset=Agency.objects.order_by("name"), widget=PickerSelectMultiple
        )

    form = Form(initial={"django": [world.nrm.pk], "picker": [world.nrm.pk]})

    def markup(html: str) -> str:
        html = re.sub(r'(id|name)="[^"]+"', r'\1="x"', html)
        html = re.sub(r' data-picker(-\w+)?(="[^"]*")?', "", html)
        html = re.sub(r"<script [^>]*></script>", "", html)
        return re.sub(r">\s+<", "><", html.strip())

    assert markup(str(form["picker"])) == markup(str(form["django"]))
    assert f'<option value="{world.nrm.pk}" selected>' in str(form["picker"])


def test_labels(world):
    agency = Agency(name="National Agency for the Prohibition of Trafficking", short_name="NAPTIP")
    assert agency.label == "NAPTIP"
    assert agency_option_label(agency) == (
        "National Agency for the Prohibition of Trafficking (NAPTIP)"
    )
    assert Agency(name="Casa Rifugio").label == "Casa Rifugio"
    gone = Agency(name="Casa Rifugio", is_active=False)
    assert agency_option_label(gone) == "Casa Rifugio — deactivated"


def test_an_empty_choice_stays_first_outside_the_groups(world):
    class Form(forms.Form):
        agency = AgencyChoiceField(queryset=Agency.objects.all(), required=False)

    html = str(Form()["agency"])
    assert re.search(r'<select[^>]*><option value="" selected>---------</option><optgroup', html)
    assert len(Form().fields["agency"].choices) == 1 + 2  # the empty choice, Italy, France
