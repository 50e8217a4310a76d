"""In Chromium: a prosecutor sends a request for mutual legal assistance to Nigeria; its
deadline passes without an answer, the worker tells her, and the page says it is overdue."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from corridor.cooperation.services import remind_cooperation_deadlines
from corridor.core.tests.conftest import BROWSER_TESTS, browser, page_for  # noqa: F401

pytestmark = BROWSER_TESTS


def test_a_prosecutor_sends_an_mla_request_to_nigeria_and_sees_it_go_overdue(world, page_for):  # noqa: F811
    today = timezone.localdate()
    prosecutor = page_for("prosecutor")
    prosecutor.click("nav >> text=Legal requests")
    prosecutor.click("text=New request")
    prosecutor.select_option("#id_kind", "mla")
    prosecutor.select_option("#id_requested_country", "NG")
    prosecutor.fill("#id_requested_authority", "Federal Ministry of Justice, Central Authority")
    prosecutor.fill("#id_subject", "Bank records of the account that collected the debts")
    prosecutor.fill("#id_due_on", (today - timedelta(days=2)).isoformat())
    prosecutor.click("button:has-text('Save as draft')")
    expect(prosecutor.locator("[data-testid=request-status]")).to_have_text("Draft")
    prosecutor.fill("#status-on", (today - timedelta(days=45)).isoformat())
    prosecutor.click("[data-testid=move-sent]")
    expect(prosecutor.locator("[data-testid=request-status]")).to_have_text("Sent")
    expect(prosecutor.locator("[data-testid=request-overdue]")).to_be_visible()

    remind_cooperation_deadlines()  # the worker's hourly pass

    prosecutor.goto("/")
    expect(prosecutor.locator("[data-testid=notifications] .count")).to_have_text("1")
    prosecutor.click("[data-testid=notifications]")
    expect(prosecutor.locator("main")).to_contain_text("is overdue by 2 days")
    prosecutor.click("button:has-text('Open')")
    expect(prosecutor.locator("[data-testid=request-overdue]")).to_be_visible()
    expect(prosecutor.locator("[data-testid=notifications] .count")).to_have_count(0)  # read
