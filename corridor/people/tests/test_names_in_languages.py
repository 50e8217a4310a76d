"""Countries and languages are named in the reader's language (ISO 3166 and 639 names as
pycountry translates them), and lists of countries are sorted in it, the instance's own
country first."""

import pytest
from django.utils import translation

from corridor.core.testing import PersonFactory
from corridor.vocabularies import country_choices, language_name


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.mark.parametrize(
    ("language", "guinea", "english"),
    [("en", "Guinea", "English"), ("fr", "Guinée", "Anglais"), ("ar", "غينيا", "الإنجليزية")],
)
def test_the_person_page_names_her_country_and_languages_in_the_readers_language(
    client, world, language, guinea, english
):
    person = PersonFactory(owner_agency=world.police, nationality="GN", languages="en, bin")
    client.force_login(world.users.responder)
    page = client.get(f"/people/{person.reference}/", HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    assert guinea in text and f"{english}, Bini" in text
    assert "en, bin" not in text


def test_country_lists_are_sorted_in_the_readers_language_the_instance_first(settings):
    settings.CORRIDOR_COUNTRY = "IT"
    with translation.override("fr"):
        choices = country_choices()
        names = [name for _code, name in choices]
        assert choices[0] == ("IT", "Italie")
        assert names.index("Égypte") < names.index("Érythrée") < names.index("Espagne")
        assert names.index("Afrique du Sud") < names.index("Égypte") < names.index("Zimbabwe")
    with translation.override("ar"):
        assert country_choices()[0] == ("IT", "إيطاليا")
        assert dict(country_choices())["NG"] == "نيجيريا"


def test_an_unknown_language_code_is_shown_as_it_is():
    assert language_name("zz") == "zz" and language_name("bin") == "Bini"
    assert language_name("") == ""


def test_the_screening_form_lists_countries_in_the_readers_language(client, world):
    client.force_login(world.users.responder)
    page = client.get("/screening/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Italie</option>" in page and ">Guinée</option>" in page
