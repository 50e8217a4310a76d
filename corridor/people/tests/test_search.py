"""A coordinator finds a person by any spelling of her name, her phone, her document or her
year of birth, among only the records she may see; the names are never stored in clear.

The world (corridor/conftest.py): Palermo police registered a woman and referred her case
to a shelter in Palermo; a second shelter, a prosecutor, an analyst, an administrator and a
French police unit have no need to know.
"""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.people import search, services
from corridor.people.models import PersonSearchKey
from corridor.people.names import name_keys, without_article

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def registered(world):
    """Persons the Palermo police registered, written as each agency would spell them."""
    police = world.police
    return {
        "fatoumata": PersonFactory(
            owner_agency=police,
            given_name="Fatoumata",
            family_name="DIALLO",
            date_of_birth=date(2001, 3, 4),
            phone="+39 320 123 4567",
            document_number="NG-A1234567",
        ),
        "mohamed": PersonFactory(
            owner_agency=police, given_name="محمد", family_name="Traoré", aliases="Momo"
        ),
        "aisha": PersonFactory(
            owner_agency=police,
            given_name="Aïcha",
            family_name="Okafor",
            date_of_birth=None,
            age_estimate_min=15,
            age_estimate_max=17,
        ),
        "other_fatoumata": PersonFactory(
            owner_agency=world.foreign, given_name="Fatoumata", family_name="Diallo"
        ),
    }


def found(user, text: str) -> list[str]:
    persons = search.search_persons(text, actor=user, within=_scope(user)).persons
    return [p.reference for p in persons]


def _scope(user):
    from corridor.accounts import access

    return access.persons_visible_to(user)


# --- any spelling, any script, any order ---------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "Fatoumata Diallo",
        "DIALLO Fatoumata",
        "fatimata jallow",
        "Fatoumata Djalo",
        "diallo",
    ],
)
def test_a_name_is_found_in_any_spelling_and_order(world, registered, typed):
    assert registered["fatoumata"].reference in found(world.users.responder, typed)


@pytest.mark.parametrize("typed", ["Mohamed", "Muhammad", "Mohammed Traore", "momo"])
def test_an_arabic_script_name_is_found_in_latin_letters(world, registered, typed):
    assert found(world.users.responder, typed) == [registered["mohamed"].reference]


def test_a_latin_name_is_found_in_arabic_script(world, registered):
    assert found(world.users.responder, "عائشة") == [registered["aisha"].reference]


@pytest.mark.parametrize(
    ("registered_as", "typed"),
    [
        ("الحسن", "Hassan"),
        ("الحسن", "Al Hassan"),
        ("Hassan", "الحسن"),
        ("الأمين", "Lamine"),
        ("الأمين", "Amine"),
        ("Amine", "الأمين"),
        ("Lamine", "الأمين"),
    ],
)
def test_the_arabic_article_may_be_written_or_left_out(world, registered_as, typed):
    person = PersonFactory(
        owner_agency=world.police, given_name="Mohamed", family_name=registered_as
    )
    assert person.reference in found(world.users.responder, f"Mohamed {typed}")


def test_allah_in_a_name_is_not_taken_for_the_article():
    assert name_keys("عبد الله") & name_keys("Abdoulaye")
    assert without_article("عبد الله") is None and without_article("الحسن") == "حسن"


def test_the_exact_spelling_ranks_first(world, registered):
    exact = PersonFactory(owner_agency=world.police, given_name="Fatimata", family_name="Jallow")
    results = found(world.users.responder, "Fatimata Jallow")
    assert results[:2] == [exact.reference, registered["fatoumata"].reference]


def test_every_word_must_match(world, registered):
    assert found(world.users.responder, "Fatoumata Okafor") == []


def test_a_different_name_is_not_found(world, registered):
    assert found(world.users.responder, "Ahmed") == []  # Ahmed is not Mohamed


# --- other keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+393201234567", "320 123 4567", "0039 320-123-4567"])
def test_a_phone_is_found_in_any_format(world, registered, typed):
    assert found(world.users.responder, typed) == [registered["fatoumata"].reference]


def test_a_document_number_and_a_reference_are_found(world, registered):
    fatoumata = registered["fatoumata"]
    assert found(world.users.responder, "nga1234567") == [fatoumata.reference]
    assert found(world.users.responder, fatoumata.reference.lower()) == [fatoumata.reference]
    case = CaseFactory(person=fatoumata, owner_agency=world.police)
    assert found(world.users.responder, case.reference) == [fatoumata.reference]


def test_a_year_of_birth_narrows_a_name(world, registered):
    assert found(world.users.responder, "Fatoumata 2001") == [registered["fatoumata"].reference]
    assert found(world.users.responder, "Fatoumata 1999") == []


@time_machine.travel(TODAY, tick=False)
def test_an_age_matches_a_birth_date_or_an_estimate(world, registered):
    assert found(world.users.responder, "Diallo 25") == [registered["fatoumata"].reference]
    assert found(world.users.responder, "Okafor 16") == [registered["aisha"].reference]
    assert found(world.users.responder, "Okafor 30") == []


def test_an_edit_is_searchable_at_once_and_the_old_name_is_gone(world, registered):
    person = registered["aisha"]
    services.update_person(
        person,
        actor=world.users.responder,
        expected_version=person.version,
        family_name="Mensah",
    )
    assert found(world.users.responder, "Aisha Mensah") == [person.reference]
    assert found(world.users.responder, "Okafor") == []


# --- need to know --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username, sees",
    [
        ("responder", True),  # her agency registered her
        ("coordinator", True),  # the country's NRM
        ("provider", False),  # the shelter sees only the person referred to it
        ("prosecutor", False),
        ("analyst", False),
        ("admin", False),
        ("foreign_coordinator", False),  # France sees its own Fatoumata only
    ],
)
def test_a_search_finds_only_what_the_user_may_see(world, registered, username, sees):
    user = getattr(world.users, username)
    results = found(user, "Fatoumata Diallo")
    assert (registered["fatoumata"].reference in results) is sees
    visible = set(_scope(user).values_list("reference", flat=True))
    assert set(results) <= visible
    if username == "foreign_coordinator":
        assert results == [registered["other_fatoumata"].reference]


def test_the_shelter_finds_the_person_referred_to_it(world):
    referred = world.person
    results = found(world.users.provider, f"{referred.given_name} {referred.family_name}")
    assert results == [referred.reference]


# --- nothing in clear ----------------------------------------------------------------------


def test_the_index_holds_no_name_phone_or_document(world, registered):
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM people_personsearchkey")
        stored = " ".join(row[0] for row in cursor.fetchall()).lower()
    assert stored
    for secret in ("fatoumata", "diallo", "ftmt", "traore", "mhmd", "okafor", "3201234567"):
        assert secret not in stored
    assert all(len(d) == 32 and int(d, 16) >= 0 for d in stored.split())


def test_a_search_is_audited_without_its_words(world, registered):
    search.search_persons(
        "Fatoumata +393201234567 2001",
        actor=world.users.coordinator,
        within=_scope(world.users.coordinator),
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert event.actor_id == world.users.coordinator.pk
    assert event.details == {
        "looked_for": ["name", "phone", "year_of_birth"],
        "found": 1,
        "limited": False,
    }
    assert "atoumata" not in str(event.details) + event.reason


def test_a_new_search_key_needs_a_rebuild_and_the_command_rebuilds(world, registered, settings):
    settings.CORRIDOR_SEARCH_KEY = "another-key-for-this-instance-0123456789abcdef"
    assert found(world.users.responder, "Fatoumata") == []  # digests under the old key
    call_command("reindex_search", verbosity=0)
    assert found(world.users.responder, "Fatoumata") == [registered["fatoumata"].reference]
    assert PersonSearchKey.objects.filter(person=registered["fatoumata"]).count() == len(
        search.keys_of(registered["fatoumata"])
    )


def test_name_keys_meet_across_scripts():
    def meet(a, b):
        return {k for k in name_keys(a) if k.startswith("s:")} & name_keys(b)

    assert meet("Ousmane", "عثمان") and meet("Abdoulaye", "عبد الله")
    assert meet("Ibrahima", "إبراهيم") and meet("Youssef", "يوسف")
    assert not meet("Ahmed", "Mohamed") and not meet("Fatoumata", "Aminata")


# --- the pages and the API -----------------------------------------------------------------


def test_the_persons_page_searches_and_lists_the_matches(client, world, registered):
    client.force_login(world.users.coordinator)
    response = client.get("/people/", {"q": "DIALLO Fatoumata"})
    page = response.content.decode()
    assert response.status_code == 200
    assert registered["fatoumata"].reference in page
    assert registered["other_fatoumata"].reference not in page  # France's record
    assert registered["mohamed"].reference not in page
    assert 'data-testid="search-summary"' in page
    response = client.get("/people/", {"q": "Nobody Like This"})
    assert "Nobody you may see matches" in response.content.decode()


def test_the_cases_page_finds_a_persons_cases(client, world, registered):
    case = CaseFactory(person=registered["mohamed"], owner_agency=world.police)
    client.force_login(world.users.coordinator)
    page = client.get("/cases/", {"q": "Muhammad"}).content.decode()
    assert case.reference in page and world.case.reference not in page


def test_the_api_searches_with_q(world, registered):
    _token, raw = issue_api_token(actor=world.users.responder, name="case system")
    response = Client().get(
        "/api/persons", {"q": "fatimata jallow"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    assert [p["reference"] for p in response.json()["items"]] == [registered["fatoumata"].reference]
