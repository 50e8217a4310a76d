import os
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
import pytest
pytestmark = [pytest.mark.django_db(transaction=True)]
def test_probe(world, live_server, settings):
    from playwright.sync_api import sync_playwright
    settings.CORRIDOR_REQUIRE_MFA = False
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless","--no-sandbox"])
        page = b.new_context(base_url=live_server.url).new_page()
        page.on("console", lambda m: print("CONSOLE", m.text))
        page.goto("/accounts/login/")
        page.fill("input[name=username]", "responder")
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("button[type=submit]")
        page.wait_for_timeout(3000)
        print("URL", page.url)
        print(page.inner_text("main")[:1000])
        b.close()
