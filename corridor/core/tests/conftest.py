"""Browser fixtures: Debian's Chromium driven by Playwright (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = Path(CHROMIUM).exists()

if not HAVE_CHROMIUM and os.environ.get("CORRIDOR_REQUIRE_BROWSER"):
    raise RuntimeError(f"CORRIDOR_REQUIRE_BROWSER is set but {CHROMIUM} does not exist")

BROWSER_TESTS = [
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


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # A loaded CI machine answers a POST in more than expect()'s 5 s default; the page's
    # own actions wait 30 s, and assertions wait as long.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server, settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    contexts = []

    def sign_in(username: str, *, phone: bool = False, locale: str = "en-GB"):
        """A signed-in page; `phone`: a 390 × 844 touch screen, as case workers use."""
        from corridor.core.testing import TEST_PASSWORD

        device = PHONE if phone else {}
        context = browser.new_context(base_url=live_server.url, locale=locale, **device)
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
