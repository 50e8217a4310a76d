"""Real pages in headless Chromium: a responder registers a person, the shelter answers a
referral, and the pages switch to French and to right-to-left Arabic.

Needs Debian's Chromium at /usr/bin/chromium (or CORRIDOR_CHROMIUM); Playwright never
downloads a browser here.
"""

from corridor.core.tests.conftest import BROWSER_TESTS

pytestmark = BROWSER_TESTS


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
    responder.select_option("#id_to_agency", str(world.shelter.pk))
    responder.select_option("#id_service_type", "shelter")
    responder.click("main button:text-is('Refer')")
    assert responder.locator("[data-testid=referral-status]").inner_text() == "Sent"

    shelter = page_for("provider")
    assert "Referrals to your agency" in shelter.content()
    newest = shelter.locator("[data-testid=new-referrals] tbody tr").last
    assert "Fatoumata Keita" in newest.inner_text()  # the shelter reads whom it is for
    newest.locator("a").first.click()
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
