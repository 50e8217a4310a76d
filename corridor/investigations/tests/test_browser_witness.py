"""In Chromium: an investigator opens a criminal case from an incident, names the organiser,
asks for a victim as witness and is refused until the protection coordinator records her
consent for criminal proceedings naming the police unit; then the request is accepted."""

from playwright.sync_api import expect

from corridor.core.tests.conftest import BROWSER_TESTS
from corridor.incidents.models import Incident
from corridor.investigations.models import CriminalCase, Witness

pytestmark = BROWSER_TESTS


def test_a_victim_is_a_witness_only_once_her_consent_is_recorded(world, page_for):
    incident = Incident.objects.create(
        owner_agency=world.police, title="Benin City to Palermo", forms_of_exploitation=["sexual"]
    )
    page = page_for("investigator")
    page.goto(f"/incidents/{incident.reference}/")
    page.click("[data-testid=criminal-cases] >> text=Open a criminal case")
    page.fill("#id_title", "Operation Harbour")
    page.click("button:has-text('Open the case')")
    expect(page.locator("[data-testid=stage]")).to_have_text("Investigation")
    kcase = CriminalCase.objects.get()

    page.click("text=Add a suspect")
    page.fill("#id_names", "Osaretin Igbinedion")
    page.select_option("#id_role", "coordinator")
    page.select_option("#id_level", "organiser")
    page.click("button:has-text('Save')")
    expect(page.locator("[data-testid=suspects]")).to_contain_text("Organiser")

    def ask():
        page.goto(f"/investigations/{kcase.reference}/")
        page.click("text=Ask for a victim as witness")
        page.fill("#id_person", world.person.reference)
        page.click("button:has-text('Save')")

    ask()
    summary = page.locator("[data-testid=error-summary]")
    expect(summary).to_contain_text("No consent or legal basis")
    assert not Witness.objects.exists()

    coordinator = page_for("coordinator")
    coordinator.goto(f"/cases/{world.case.reference}/consents/new/")
    coordinator.check("input[name=purposes][value=criminal_proceedings]")
    coordinator.check("input[name=data_categories][value=identity]")
    coordinator.select_option("select[name=recipient_agencies]", str(world.police.pk))
    coordinator.check("input[name=method][value=written]")
    coordinator.click("button:has-text('Save')")
    expect(coordinator.locator("[data-testid=consents]")).to_contain_text("Criminal proceedings")

    ask()
    witnesses = page.locator("[data-testid=witnesses]")
    expect(witnesses).to_contain_text(world.person.reference)
    expect(witnesses).to_contain_text("Her consent")
    assert Witness.objects.get().criminal_case == kcase
