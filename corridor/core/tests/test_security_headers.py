"""Pages carry a strict Content-Security-Policy and load nothing from another origin."""

import re

import pytest


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def _external_assets(html: str) -> list[str]:
    return [
        url
        for url in re.findall(r'(?:src|href)="([^"]+)"', html)
        if url.startswith(("http:", "https:", "//"))
    ]


def test_login_page_has_csp_and_no_external_assets(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert _external_assets(response.content.decode()) == []


@pytest.mark.parametrize("url", ["/", "/people/", "/cases/", "/referrals/", "/people/new/"])
def test_signed_in_pages_load_no_external_assets(client, world, url):
    client.force_login(world.users.coordinator)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _external_assets(html) == []
    assert "<script>" not in html and " style=" not in html


def test_pages_need_a_login(client, db):
    response = client.get("/people/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_arabic_pages_are_right_to_left(client, world):
    client.force_login(world.users.responder)
    client.cookies["django_language"] = "ar"
    html = client.get("/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html


@pytest.mark.parametrize("url", ["/", "/people/", "/api/persons"])
def test_nothing_personal_is_kept_in_a_cache(client, world, url):
    client.force_login(world.users.coordinator)
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]


def test_a_person_page_and_its_export_are_not_kept(client, world):
    client.force_login(world.users.responder)
    page = client.get(f"/people/{world.person.reference}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_unused_methods_are_refused(client, db, method):
    response = client.generic(method, "/accounts/login/")
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]
