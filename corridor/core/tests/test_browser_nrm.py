"""The national referral story in headless Chromium, across three users and two paths:

- an adult found in forced labour is screened by a first responder, confirmed and
  referred to a shelter by the coordinator, accepted and assisted by the shelter, and the
  coordinator sees the case assisted;
- a child of unknown age is screened with the children's indicators and pointed to child
  protection, with a guardian required.
"""

import re

import pytest
from playwright.sync_api import expect

from corridor.core.tests.conftest import BROWSER_TESTS

pytestmark = BROWSER_TESTS

YES = {
    # deceptive recruitment: strong + medium
    "dr_nature_of_job", "dr_conditions_of_work",
    # exploitative conditions of work: strong + medium
    "ex_excessive_hours", "ex_low_or_no_pay",
    # coercion at destination: two strong
    "cd_documents", "cd_debt_bondage",
}  # fmt: skip


@pytest.fixture
def catalogues(db):
    from corridor.screening.services import install_shipped_catalogues

    install_shipped_catalogues()


@pytest.fixture
def shelter_offer(world):
    from corridor.referrals.models import ServiceOffer

    return ServiceOffer.objects.create(
        agency=world.shelter,
        service_type="shelter",
        name="Casa Rifugio – adults",
        sexes=["female", "male"],
        min_age=18,
        total_places=6,
        free_places=2,
    )


def _answer_every_page(page, yes: set[str]):
    """Go through the wizard: yes to the given indicators, no to the rest."""
    while True:
        for question in page.locator("li.question").all():
            code = question.get_attribute("data-indicator")
            value = "yes" if code in yes else "no"
            question.locator(f"input[value={value}]").check()
        finish = page.locator("button[value=finish]")
        if finish.count():
            finish.click()
            return
        page.click("button[value=next]")


def test_an_adult_in_forced_labour_is_screened_referred_and_assisted(
    world, catalogues, shelter_offer, page_for
):
    responder = page_for("responder")
    responder.click("nav >> text=Screen a person")
    responder.fill("#id_given_name", "Kwame")
    responder.select_option("#id_sex", "male")
    responder.select_option("#id_nationality", "GH")
    responder.fill("#id_age_estimate_min", "30")
    responder.fill("#id_age_estimate_max", "35")
    responder.check("input[name=exploitation][value=labour]")
    responder.fill("#id_location", "Tomato fields near Foggia")
    responder.click("main button[type=submit]")
    _answer_every_page(responder, YES)
    result = responder.locator("main").inner_text()
    assert "Presumed victim of trafficking" in result
    assert re.search(r"Deceptive recruitment", result)
    case_href = responder.locator("a[href^='/cases/C-']").first.get_attribute("href")
    case_ref = case_href.strip("/").split("/")[-1]

    coordinator = page_for("coordinator")
    coordinator.goto(f"/cases/{case_ref}/")
    coordinator.click("[data-testid=move-presumed_victim]")
    assert "Presumed victim" in coordinator.locator("[data-testid=case-status]").inner_text()
    coordinator.click("text=Record consent")
    coordinator.check("input[name=purposes][value=assistance]")
    for category in ("identity", "case", "health"):
        coordinator.check(f"input[name=data_categories][value={category}]")
    coordinator.check("input[name=recipient_sectors][value=shelter]")
    coordinator.check("input[name=method][value=written]")
    coordinator.click("main button:has-text('Save')")
    coordinator.select_option("#id_to_agency", str(world.shelter.pk))
    coordinator.select_option("#id_service_type", "shelter")
    coordinator.click("main button:text-is('Refer')")
    assert coordinator.locator("[data-testid=referral-status]").inner_text().strip() == "Sent"
    referral_url = coordinator.url

    shelter = page_for("provider")
    shelter.goto(referral_url)
    shelter.click("main button:text-is('Accept')")
    assert "Accepted" in shelter.locator("[data-testid=referral-status]").inner_text()
    shelter.select_option("[data-testid=delivery-form] select[name=service_type]", "shelter")
    shelter.click("button:has-text('Record the service')")
    assert "Shelter" in shelter.locator("main").inner_text()

    coordinator.goto(f"/cases/{case_ref}/")
    assert "Assisted" in coordinator.locator("[data-testid=case-status]").inner_text()


def test_a_child_of_unknown_age_goes_down_the_child_protection_path(world, catalogues, page_for):
    responder = page_for("responder")
    responder.goto("/screening/")
    responder.fill("#id_given_name", "Awa")
    responder.select_option("#id_sex", "female")
    responder.select_option("#id_nationality", "ML")
    responder.check("#id_age_unknown")
    responder.check("input[name=exploitation][value=labour]")
    responder.click("main button[type=submit]")
    expect(responder.locator("[data-testid=presumed-minor]").first).to_be_visible()
    _answer_every_page(responder, set())
    result = responder.locator("main").inner_text()
    assert "guardian" in result.lower()
    assert "child protection" in result.lower()
