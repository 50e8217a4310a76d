"""In Chromium: an investigator opens a criminal case from an incident, adds a suspect as the
network's organiser (a suspect with no name is refused, the field named), and a responder of
the same police unit finds no such case."""

from playwright.sync_api import expect

from corridor.core.tests.conftest import BROWSER_TESTS
from corridor.incidents.models import Incident
from corridor.investigations.models import CaseSuspect, CriminalCase

pytestmark = BROWSER_TESTS


def test_an_investigator_opens_a_case_from_an_incident_and_names_the_organiser(world, page_for):
    incident = Incident.objects.create(
        owner_agency=world.police,
        title="Benin City to Palermo, spring 2025",
        forms_of_exploitation=["sexual"],
    )
    page = page_for("investigator")
    page.goto(f"/incidents/{incident.reference}/")
    page.click("[data-testid=criminal-cases] >> text=Open a criminal case")
    expect(page.locator("#id_title")).to_have_value("Benin City to Palermo, spring 2025")
    page.fill("#id_title", "Operation Harbour")
    page.click("button:has-text('Open the case')")
    expect(page.locator("[data-testid=stage]")).to_have_text("Investigation")
    kcase = CriminalCase.objects.get()
    expect(page.locator("[data-testid=incidents]")).to_contain_text(incident.reference)

    page.click("text=Add a suspect")
    page.fill("#id_names", "Osaretin Igbinedion")
    page.fill("#id_aliases", "Mama Rose")
    page.select_option("#id_role", "coordinator")
    page.select_option("#id_level", "organiser")
    page.click("button:has-text('Save')")
    suspects = page.locator("[data-testid=suspects]")
    expect(suspects).to_contain_text("Osaretin Igbinedion")
    expect(suspects).to_contain_text("Organiser")
    link = CaseSuspect.objects.get(criminal_case=kcase)
    assert (link.role, link.level) == ("coordinator", "organiser")

    # A suspect with neither a name nor a known reference: refused, the field named.
    page.click("text=Add a suspect")
    page.click("button:has-text('Save')")
    summary = page.locator("[data-testid=error-summary]")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_names']")).to_be_visible()
    assert CaseSuspect.objects.filter(criminal_case=kcase).count() == 1

    # The responder of the same police unit is on the protection side of the wall.
    responder = page_for("responder")
    response = responder.goto(f"/investigations/{kcase.reference}/")
    assert response.status == 404
