"""In Chromium: recording a woman's consent, the responder finds the agencies among those of
several countries by typing part of a name or a country in the picker's filter box; what she
chose stays chosen while she filters again."""

from playwright.sync_api import expect

from corridor.consent.models import Consent
from corridor.core.testing import AgencyFactory
from corridor.core.tests.conftest import BROWSER_TESTS

pytestmark = BROWSER_TESTS

SHOWN = "s => Array.from(s.options).filter(o => !o.hidden).map(o => o.text)"
GROUPS = "s => Array.from(s.querySelectorAll('optgroup')).filter(g => !g.hidden).map(g => g.label)"


def test_the_responder_filters_the_agencies_and_chooses_two(world, page_for):
    action = AgencyFactory(name="Action Ouagadougou", short_name="", country="BF")
    AgencyFactory(name="Égalité Ouagadougou", short_name="", country="BF")
    naptip = AgencyFactory(name="NAPTIP Lagos", short_name="NAPTIP", country="NG")
    for n in range(6):
        AgencyFactory(name=f"Zentrum {n}", short_name="", country="DE")

    responder = page_for("responder")
    responder.goto(f"/cases/{world.case.reference}/consents/new/")
    box = responder.locator("input.picker-filter")
    expect(box).to_be_visible()
    agencies = responder.locator("#id_recipient_agencies")
    assert agencies.evaluate(GROUPS)[0] == "Italy"  # this country's agencies first

    box.fill("egalite ouaga")  # accents and case aside, every word must match
    assert agencies.evaluate(SHOWN) == ["Égalité Ouagadougou"]
    box.fill("Burkina")  # a country's name shows its agencies
    assert agencies.evaluate(SHOWN) == ["Action Ouagadougou", "Égalité Ouagadougou"]
    assert agencies.evaluate(GROUPS) == ["Burkina Faso"]
    agencies.select_option(value=[str(action.pk)])

    box.fill("nigeria")
    assert agencies.evaluate(SHOWN) == ["Action Ouagadougou", "NAPTIP Lagos"]  # chosen stays
    agencies.select_option(value=[str(action.pk), str(naptip.pk)])
    box.fill("nothing like it")
    expect(responder.locator(".picker-none")).to_be_visible()
    box.press("Enter")  # does not send the half-filled form
    responder.wait_for_timeout(300)
    assert box.input_value() == "nothing like it"
    expect(responder.locator(".errorlist")).to_have_count(0)

    responder.check("input[name=purposes][value=assistance]")
    responder.check("input[name=data_categories][value=identity]")
    responder.check("input[name=method][value=written]")
    responder.click("button:has-text('Save')")
    expect(responder.locator("h1")).not_to_have_text("Record consent")
    consent = Consent.objects.get()
    assert set(consent.recipient_agencies.all()) == {action, naptip}
