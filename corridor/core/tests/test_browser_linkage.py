"""In Chromium: a responder registering a woman is told that the police already know her
under another spelling; she registers her anyway, and the national coordinator links the two
records from the review queue."""

from datetime import date

from playwright.sync_api import expect

from corridor.core.testing import PersonFactory
from corridor.core.tests.conftest import BROWSER_TESTS
from corridor.jobs.worker import run_jobs
from corridor.linkage.models import PersonLink

pytestmark = BROWSER_TESTS


def test_seen_before_at_registration_then_linked_by_the_coordinator(world, page_for):
    known = PersonFactory(
        owner_agency=world.police,
        given_name="DIALLO Fatoumata",
        family_name="",
        sex="female",
        nationality="GN",
        date_of_birth=date(2002, 5, 1),
        age_estimate_min=None,
        age_estimate_max=None,
        phone="",
    )
    responder = page_for("responder")
    responder.click("text=Persons")
    responder.click("text=Register a person")
    responder.fill("#id_given_name", "Fatimata")
    responder.fill("#id_family_name", "Jallow")
    responder.select_option("#id_sex", "female")
    responder.select_option("#id_nationality", "GN")
    responder.fill("#id_date_of_birth", "2002-05-01")
    responder.click("button:has-text('Save')")
    seen = responder.locator("[data-testid=seen-before]")
    expect(seen).to_be_visible()  # waits for the answer to the POST, however slow
    assert "DIALLO Fatoumata" in seen.inner_text() and known.reference in seen.inner_text()
    assert "Family name: spelt alike" in seen.inner_text()
    responder.click("[data-testid=register-anyway]")
    assert responder.locator("h1").inner_text().startswith("Fatimata Jallow")
    new_reference = responder.locator("h1 .muted").inner_text()

    run_jobs()  # the worker checks the new record against the others

    coordinator = page_for("coordinator")
    coordinator.click("nav >> text=Who is who")
    row = coordinator.locator("[data-testid=pairs] tr", has_text=new_reference)
    assert known.reference in row.inner_text()
    row.locator("text=Review").click()
    coordinator.check("input[name=decision][value=same]")
    coordinator.click("button:has-text('Record the decision')")
    assert "are now linked as one person" in coordinator.content()
    assert PersonLink.objects.filter(person=known).exists()
    coordinator.goto(f"/people/{new_reference}/")
    assert known.reference in coordinator.locator("[data-testid=linked-records]").inner_text()
