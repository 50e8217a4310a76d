"""Real pages in headless Chromium: a responder registers a person, the shelter answers a
referral, and the pages switch to French and to right-to-left Arabic.

Needs Debian's Chromium at /usr/bin/chromium (or CORRIDOR_CHROMIUM); Playwright never
downloads a browser here.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = Path(CHROMIUM).exists()

if not HAVE_CHROMIUM and os.environ.get("CORRIDOR_REQUIRE_BROWSER"):
    raise RuntimeError(f"CORRIDOR_REQUIRE_BROWSER is set but {CHROMIUM} does not exist")

pytestmark = [
    pytest.mark.skipif(
        not HAVE_CHROMIUM,
        reason=(
            f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` "
            "(or set CORRIDOR_CHROMIUM) to run the browser tests"
        ),
    ),
    pytest.mark.django_db(transaction=True),
]

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are
# ordinary synchronous fixtures, so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server, settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    contexts = []

    def sign_in(username: str):
        from corridor.core.testing import TEST_PASSWORD

        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", TEST_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_responder_registers_a_person_and_the_shelter_accepts_the_referral(world, page_for):
    responder = page_for("responder")
    responder.click("text=Persons")
    responder.click("text=Register a person")
    responder.fill("#id_given_name", "Fatoumata")
    responder.fill("#id_family_name", "Keita")
    responder.select_option("#id_sex", "female")
    responder.select_option("#id_nationality", "ML")
    responder.fill("#id_age_estimate_min", "16")
    responder.fill("#id_age_estimate_max", "19")
    responder.click("button:has-text('Save')")
    assert responder.locator("h1").inner_text().startswith("Fatoumata Keita")
    assert responder.locator("[data-testid=presumed-minor]").is_visible()

    responder.click("button:has-text('Open a protection case')")
    responder.click("text=Record consent")  # the guardian's, for a presumed child
    responder.check("input[name=purposes][value=assistance]")
    responder.check("input[name=data_categories][value=identity]")
    responder.check("input[name=data_categories][value=case]")
    responder.check("input[name=recipient_sectors][value=shelter]")
    responder.click("main button:has-text('Save')")
    responder.select_option("#id_to_agency", label=world.shelter.name)
    responder.select_option("#id_service_type", "shelter")
    responder.click("main button:text-is('Refer')")
    assert responder.locator("[data-testid=referral-status]").inner_text() == "Sent"

    shelter = page_for("provider")
    assert "Referrals to your agency" in shelter.content()
    shelter.locator("table a").last.click()
    shelter.click("button:has-text('Accept')")
    assert shelter.locator("[data-testid=referral-status]").inner_text() == "Accepted"


def test_pages_switch_to_french_and_to_right_to_left_arabic(world, page_for):
    page = page_for("responder")
    page.select_option("#lang-select", "fr")
    page.click(".langform button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Personnes" in page.locator("nav.mainnav").inner_text()

    page.select_option("#lang-select", "ar")
    page.click(".langform button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
