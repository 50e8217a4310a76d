"""A day's work on a 390 × 844 phone, in Chromium: the menu folds away, lists become cards
that fit the screen, errors show at the top, the worker's actions come before the export,
and a case opens on its summary."""

import pytest
from playwright.sync_api import expect

from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.core.tests.conftest import BROWSER_TESTS
from corridor.incidents.models import Incident, IncidentVictim
from corridor.referrals.services import create_offer

pytestmark = BROWSER_TESTS

PHONE_HEIGHT = 844


def _fits_the_screen(page) -> bool:
    """Nothing wider than the screen: not the page, and no table scrolling inside its box."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('.table-wrap, table')].every(
            (box) => box.scrollWidth <= box.clientWidth + 1)"""
    )


@pytest.fixture
def crowded(world):
    """Enough rows with long names and agency names to overflow a phone if anything would."""
    for n in range(6):
        CaseFactory(
            person=PersonFactory(
                owner_agency=world.police,
                given_name=f"Oluwaseyifunmi-Adebukola {n}",
                family_name="Oyelaran-Ogunbanjo",
            )
        )
    return world


def test_the_menu_folds_away_and_opens_on_a_tap(crowded, page_for):
    responder = page_for("responder", phone=True)
    header = responder.locator("header.topbar").bounding_box()
    assert header["height"] < 80  # the brand, the bell and the menu button: one line
    expect(responder.locator(".mainnav")).to_be_hidden()
    responder.click("button.menu-toggle")
    expect(responder.locator(".mainnav")).to_be_visible()
    responder.click(".mainnav >> text=Persons")
    expect(responder.locator("h1")).to_have_text("Persons")


@pytest.mark.parametrize("role", ["responder", "coordinator", "provider"])
def test_no_list_is_cut_off_at_the_right_edge(crowded, page_for, role):
    page = page_for(role, phone=True)
    for path in ("/", "/people/", "/cases/", "/referrals/", "/referrals/directory/"):
        page.goto(path)
        assert _fits_the_screen(page), f"{role} {path} overflows"
    if role == "coordinator":
        page.goto("/referrals/queue/")
        assert _fits_the_screen(page)
        card = page.locator("[data-testid=queue] tbody tr").first
        assert card.evaluate("row => getComputedStyle(row).display") == "block"  # a card
        # each cell of the card says which column it is
        labels = card.locator("td").evaluate_all("cells => cells.map(c => c.dataset.label)")
        assert labels[:3] == ["Case", "Person", "Waiting for"]


def test_the_register_form_shows_its_errors_at_the_top_of_a_phone(world, page_for):
    responder = page_for("responder", phone=True)
    responder.goto("/people/new/")
    responder.fill("#id_given_name", "Amina")
    responder.fill("#id_date_of_birth", "2090-01-01")
    responder.fill("#id_age_estimate_min", "30")
    responder.fill("#id_age_estimate_max", "20")
    responder.evaluate("document.querySelector('#id_date_of_birth').removeAttribute('max')")
    responder.click("main button[type=submit]")
    summary = responder.locator(".error-summary")
    expect(summary).to_be_visible()
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= PHONE_HEIGHT  # seen without scrolling
    assert summary.locator("a").count() >= 2  # every error at once, each a link to its field


def test_the_person_page_offers_the_workers_actions_first_and_the_export_last(world, page_for):
    responder = page_for("responder", phone=True)
    responder.goto(f"/people/{world.person.reference}/")
    actions = responder.locator(
        "[data-testid=person-actions] a, [data-testid=person-actions] button"
    )
    labels = [label.strip() for label in actions.all_inner_texts()]
    assert labels[0] == "Screen this person" and labels[1] == "Open a protection case"
    assert labels[-1] == "Export (HTCDS)"
    assert actions.first.bounding_box()["y"] < PHONE_HEIGHT / 2


def test_a_case_opens_on_its_summary_with_sections_to_jump_to(world, page_for):
    coordinator = page_for("coordinator", phone=True)
    coordinator.goto(f"/cases/{world.case.reference}/")
    person = coordinator.locator("[data-testid=case-person]")
    assert world.person.display_name in person.inner_text()
    assert person.bounding_box()["y"] < PHONE_HEIGHT
    coordinator.locator("[data-testid=case-jump] >> text=Consent").click()
    assert coordinator.url.endswith("#consents")
    expect(coordinator.locator("#consents")).to_be_in_viewport()
    assert _fits_the_screen(coordinator)


@pytest.mark.parametrize(
    ("locale", "heading", "direction"), [("fr-FR", "Personnes", "ltr"), ("ar", "الأشخاص", "rtl")]
)
def test_in_french_and_arabic_the_phone_pages_fit_and_read_in_their_direction(
    crowded, page_for, locale, heading, direction
):
    responder = page_for("responder", phone=True, locale=locale)
    responder.goto("/people/")
    expect(responder.locator("h1")).to_have_text(heading)
    assert responder.locator("html").get_attribute("dir") == direction
    assert _fits_the_screen(responder)
    responder.goto(f"/people/{crowded.person.reference}/")
    assert _fits_the_screen(responder)


@pytest.mark.parametrize(
    ("locale", "guinea", "italy", "hidden"),
    [("fr-FR", "Guinée", "Italie", "masqué"), ("ar", "غينيا", "إيطاليا", "مخفي")],
)
def test_countries_read_in_the_workers_language_and_a_hidden_count_says_so(
    world, page_for, locale, guinea, italy, hidden
):
    responder = page_for("responder", phone=True, locale=locale)
    responder.goto("/people/new/")
    options = responder.locator("#id_nationality option").all_inner_texts()
    assert guinea in options and "Guinea" not in options
    assert options[1] == italy  # the instance's own country first
    # 12 adults and 3 children: the 3 are "<10" and the 12 hidden so they cannot be worked out
    raid = Incident.objects.create(owner_agency=world.police, title="Farm raid")
    for age in [None] * 12 + [13] * 3:
        person = PersonFactory(
            owner_agency=world.police,
            **({"age_estimate_min": age, "age_estimate_max": age} if age else {}),
        )
        IncidentVictim.objects.create(incident=raid, person=person, role="victim")
    analyst = page_for("analyst", phone=True, locale=locale)
    analyst.goto("/incidents/")
    ages = analyst.locator("[data-testid=by-age-group]").inner_text()
    assert hidden in ages and ages.count("<10") == 1
    assert _fits_the_screen(analyst)


def test_referring_to_a_full_shelter_is_warned_on_a_phone(world, page_for):
    consent = record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[Consent.Purpose.ASSISTANCE],
        data_categories=[Consent.DataCategory.IDENTITY, Consent.DataCategory.CASE],
        method=Consent.Method.WRITTEN,
        recipient_sectors=[Agency.Sector.SHELTER],
    )
    full = create_offer(
        actor=world.users.coordinator,
        agency=world.shelter,
        service_type="shelter",
        name="Casa Rifugio – women's house",
        sexes=["female"],
        total_places=6,
        free_places=0,
    )
    responder = page_for("responder", phone=True)
    responder.goto(f"/referrals/new/{world.case.reference}/")
    responder.select_option("#id_offer", str(full.pk))
    responder.check("input[name=shared_categories][value=identity]")
    responder.click("[data-testid=referral-form] button:has-text('Refer')")
    warning = responder.locator("[data-testid=full-service]")
    expect(warning).to_be_visible()
    expect(responder.locator("main")).to_contain_text("has no free place now")
    assert consent.is_active and _fits_the_screen(responder)


def test_in_arabic_references_stay_left_to_right_inside_the_heading(world, page_for):
    responder = page_for("responder", phone=True, locale="ar")
    responder.goto(f"/people/{world.person.reference}/")
    reference = responder.locator("h1 bdi[dir=ltr]")
    assert reference.inner_text() == world.person.reference
    assert reference.evaluate("el => getComputedStyle(el).direction") == "ltr"
    assert responder.locator("h1").evaluate("el => getComputedStyle(el).direction") == "rtl"


def test_a_page_costs_four_requests_and_stays_small(world, page_for):
    responder = page_for("responder", phone=True)
    fetched = []
    responder.on("requestfinished", lambda request: fetched.append(request))
    responder.goto("/people/")
    responder.wait_for_load_state("networkidle")
    assert len(fetched) <= 4, [r.url for r in fetched]  # the page, its CSS and two scripts
    html = next(r for r in fetched if r.url.endswith("/people/"))
    assert len(html.response().body()) < 30_000
