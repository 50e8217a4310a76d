"""The screening wizard on the web, as a first responder uses it on a phone: start, six short
pages of yes / no / don't know, the result with its explanation and next step."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory

from corridor.audit.models import AuditEvent
from corridor.people.models import Person
from corridor.screening import services
from corridor.screening.models import Screening
from corridor.screening.views import SESSION_KEY

from .conftest import FORCED_LABOUR


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def _token(response) -> str:
    match = re.match(r"^/screening/run/([^/]+)/1/$", response.url)
    assert match, response.url
    return match.group(1)


def _answer_page(client, token, step, answers, direction="next", **extra):
    data = {code: ("yes" if value else "no") for code, value in answers.items()}
    return client.post(f"/screening/run/{token}/{step}/", {**data, "direction": direction, **extra})


def test_a_responder_screens_a_child_of_unknown_age_with_the_childrens_list(
    client, world, catalogues
):
    client.force_login(world.users.responder)
    assert client.get("/screening/").status_code == 200
    response = client.post(
        "/screening/",
        {
            "given_name": "Blessing",
            "sex": "female",
            "nationality": "NG",
            "age_unknown": "on",
            "languages": "en, bin",
            "exploitation": "sexual",
            "location": "Lampedusa hotspot",
        },
    )
    token = _token(response)
    person = Person.objects.exclude(pk=world.person.pk).get()
    assert person.presumed_minor and person.given_name == "Blessing"
    # Between pages the session holds codes only: no name, no free text about the person.
    state = client.session[SESSION_KEY][token]
    assert state["person"] == person.reference
    assert "Blessing" not in str(client.session[SESSION_KEY])

    page = client.get(f"/screening/run/{token}/1/")
    assert page.status_code == 200
    assert page.context["catalogue"] == catalogues["child_sexual"]
    assert b'data-testid="presumed-minor"' in page.content
    assert "1 of 6" in page.content.decode()

    _answer_page(client, token, 1, {"dr_nature_of_job": True, "dr_wages": True})
    for step in (2, 3):
        _answer_page(client, token, step, {})
    _answer_page(client, token, 4, {"ex_child_sexual_services": True, "ex_low_or_no_pay": True})
    _answer_page(client, token, 5, {})
    response = _answer_page(client, token, 6, {}, direction="finish")

    screening = Screening.objects.get(person=person)
    assert response.status_code == 302 and response.url == f"/screening/{screening.reference}/"
    assert screening.catalogue == catalogues["child_sexual"]
    assert screening.result == "presumed_victim" and screening.guardian_required
    assert screening.location == "Lampedusa hotspot"
    assert token not in client.session.get(SESSION_KEY, {})

    result = client.get(response.url)
    html = result.content.decode()
    assert 'data-testid="presumption-of-minority"' in html
    assert "Presumed victim of trafficking" in html
    assert "Refer to child protection" in html
    assert "Suggested referral: Child protection." in html
    assert f"/cases/{screening.case.reference}/" in html


def test_a_phone_flow_with_dont_know_answers_and_going_back(client, world, adult, catalogues):
    """An existing adult, screened from his record; many questions skipped or unknown."""
    client.force_login(world.users.responder)
    response = client.post(
        f"/screening/?person={adult.reference}",
        {"exploitation": "labour", "fixed_person": adult.reference},
    )
    token = _token(response)
    _answer_page(client, token, 1, {"dr_nature_of_job": True})
    # Step 2 sent with every answer "don't know", then the screener goes back to step 1.
    response = client.post(
        f"/screening/run/{token}/2/",
        {"cr_violence": "unknown", "cr_documents": "unknown", "direction": "back"},
    )
    assert response.url == f"/screening/run/{token}/1/"
    page = client.get(f"/screening/run/{token}/1/")
    assert page.context["form"]["dr_nature_of_job"].value() == "yes"  # remembered
    assert page.context["form"]["dr_wages"].value() == "unknown"
    _answer_page(client, token, 1, {"dr_nature_of_job": True, "dr_wages": True})
    _answer_page(client, token, 2, {})  # nothing ticked: all unknown
    _answer_page(client, token, 3, {})
    _answer_page(client, token, 4, {"ex_excessive_hours": True, "ex_low_or_no_pay": True})
    _answer_page(client, token, 5, {"cd_documents": True, "cd_debt_bondage": True})
    response = _answer_page(
        client, token, 6, {}, direction="finish", notes="Spoke through a Bengali interpreter."
    )
    screening = Screening.objects.get(person=adult)
    assert screening.result == "presumed_victim" and not screening.treated_as_child
    assert screening.answers["cr_violence"] is None
    assert screening.notes == "Spoke through a Bengali interpreter."
    html = client.get(response.url).content.decode()
    assert 'data-testid="presumption-of-minority"' not in html
    assert 'data-dimension="deceptive_recruitment"' in html
    assert "Was the person deceived about the nature of the job" in html
    assert "1 strong + 1 medium or weak indicator" in html


def test_the_questions_are_shown_in_the_readers_language(client, world, adult, catalogues):
    client.force_login(world.users.responder)
    token = _token(client.post(f"/screening/?person={adult.reference}", {"exploitation": "labour"}))
    page = client.get(f"/screening/run/{token}/1/", headers={"accept-language": "fr"})
    assert "La personne a-t-elle été trompée sur la nature du travail" in page.content.decode()


def test_bad_start_input_names_the_field_and_registers_no_one(client, world, catalogues):
    client.force_login(world.users.responder)
    response = client.post(
        "/screening/",
        {"sex": "female", "age_estimate_min": "30", "age_estimate_max": "20", "exploitation": "x"},
    )
    assert response.status_code == 200
    assert {"age_estimate_max", "exploitation"} <= set(response.context["form"].errors)
    assert Person.objects.count() == 1


def test_someone_elses_person_cannot_be_screened_from_the_start_page(client, world, catalogues):
    client.force_login(world.users.foreign_responder)
    response = client.post(
        "/screening/", {"person": world.person.reference, "exploitation": "labour"}
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert client.get(f"/screening/?person={world.person.reference}").status_code == 404


def test_a_wizard_belongs_to_its_session(client, world, adult, catalogues):
    client.force_login(world.users.responder)
    token = _token(client.post(f"/screening/?person={adult.reference}", {"exploitation": "labour"}))
    client.force_login(world.users.colleague)  # a new session
    assert client.get(f"/screening/run/{token}/1/").status_code == 404
    client.force_login(world.users.responder)
    assert client.get("/screening/run/not-a-token/1/").status_code == 404


@pytest.mark.parametrize("username", ["analyst", "provider", "admin", "prosecutor"])
def test_only_screening_roles_open_the_wizard(client, world, username):
    client.force_login(getattr(world.users, username))
    assert client.get("/screening/").status_code == 403


# --- a past screening -------------------------------------------------------------------------


@pytest.fixture
def past(world, catalogues):
    return services.screen_person(
        world.person,
        actor=world.users.responder,
        catalogue=catalogues["adult_labour"],
        answers=FORCED_LABOUR,
    )


def test_the_owner_agency_reads_a_past_screening_and_the_read_is_audited(client, world, past):
    client.force_login(world.users.colleague)
    response = client.get(f"/screening/{past.reference}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="screening", object_ref=past.reference
    ).exists()


@pytest.mark.parametrize(
    "username", ["foreign_responder", "foreign_coordinator", "analyst", "admin"]
)
def test_outsiders_get_the_same_404_as_for_nothing(client, world, past, username):
    client.force_login(getattr(world.users, username))
    assert client.get(f"/screening/{past.reference}/").status_code == 404
    assert client.get("/screening/S-00000000/").status_code == 404
    assert not AuditEvent.objects.filter(action="view", object_ref=past.reference).exists()


def test_the_person_page_snippet_lists_screenings_in_few_queries(
    world, past, django_assert_max_num_queries
):
    request = RequestFactory().get("/")
    request.user = world.users.responder
    template = engines["django"].from_string('{% include "screening/_person_screenings.html" %}')
    with django_assert_max_num_queries(6):
        html = template.render({"person": world.person, "request": request}, request)
    assert past.reference in html and "Presumed victim of trafficking" in html
    assert f"/screening/?person={world.person.reference}" in html
    request.user = world.users.foreign_responder
    html = template.render({"person": world.person, "request": request}, request)
    assert past.reference not in html


# --- age assessment page ----------------------------------------------------------------------


def test_an_age_assessment_recorded_on_the_page_ends_the_presumption(client, world, child):
    client.force_login(world.users.responder)
    response = client.post(
        f"/screening/age/{child.reference}/",
        {"method": "document", "assessed_age_min": "24", "assessed_age_max": "24"},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert not child.presumed_minor
    response = client.post(
        f"/screening/age/{child.reference}/",
        {"method": "document", "assessed_age_min": "24", "assessed_age_max": "20"},
    )
    assert "assessed_age_max" in response.context["form"].errors
    client.force_login(world.users.foreign_responder)
    assert client.get(f"/screening/age/{child.reference}/").status_code == 404
