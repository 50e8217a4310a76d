"""The API's own pages and the account endpoints: /api/me, the agency directory, the schema
and the interactive docs (which must load nothing from the internet)."""

import json
import re

import pytest

from corridor.accounts.services import issue_api_token, revoke_api_token

API_PATHS = {
    "/api/me": {"get"},
    "/api/agencies": {"get"},
    "/api/persons": {"get", "post"},
    "/api/persons/{reference}": {"get", "patch"},
    "/api/persons/{reference}/cases": {"post"},
    "/api/cases": {"get"},
    "/api/cases/{reference}": {"get"},
    "/api/cases/{reference}/status": {"post"},
    "/api/cases/{reference}/referrals": {"post"},
    "/api/referrals": {"get"},
    "/api/referrals/{reference}": {"get"},
    "/api/referrals/{reference}/accept": {"post"},
    "/api/referrals/{reference}/decline": {"post"},
    "/api/referrals/{reference}/complete": {"post"},
}


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def test_a_shelter_workers_token_says_who_she_is(client, world):
    response = client.get("/api/me", headers=auth(world.users.provider))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "provider"
    assert body["roles"] == ["service_provider"]
    assert body["agency"]["name"] == world.shelter.name
    assert (body["agency"]["country"], body["agency"]["sector"]) == ("IT", "shelter")


def test_me_needs_a_valid_token(client, world):
    assert client.get("/api/me").status_code == 401
    token, raw = issue_api_token(actor=world.users.responder, name="old")
    revoke_api_token(token, actor=world.users.responder)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_browser_session_is_not_an_api_credential(client, world):
    client.force_login(world.users.responder)
    assert client.get("/api/me").status_code == 401


def test_the_agency_directory_is_open_to_every_member(client, world):
    response = client.get("/api/agencies", headers=auth(world.users.analyst))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    names = {a["name"] for a in body["items"]}
    assert {world.shelter.name, world.foreign.name} <= names


def test_the_directory_filters_by_country_sector_and_activity(client, world):
    headers = auth(world.users.responder)
    world.other_shelter.is_active = False
    world.other_shelter.save()
    french = client.get("/api/agencies?country=fr", headers=headers).json()
    assert [a["name"] for a in french["items"]] == [world.foreign.name]
    shelters = client.get("/api/agencies?sector=shelter&active=true", headers=headers).json()
    assert [a["id"] for a in shelters["items"]] == [world.shelter.pk]
    response = client.get("/api/agencies?sector=bakery", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "sector"


def test_the_directory_needs_a_token(client, world):
    assert client.get("/api/agencies").status_code == 401


# --- schema and docs --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_schema_needs_no_token_and_lists_every_path(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = {path: set(ops) for path, ops in schema["paths"].items()}
    for path, methods in API_PATHS.items():
        assert methods <= paths.get(path, set()), path
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    assert all(
        op.get("security") == [{"ApiTokenAuth": []}]
        for ops in schema["paths"].values()
        for op in ops.values()
    )
    assert "session" in schema["info"]["description"].lower()


@pytest.mark.django_db
def test_the_schema_documents_the_choices_and_the_errors(client):
    schema = client.get("/api/openapi.json").json()
    person_in = schema["components"]["schemas"]["PersonIn"]["properties"]
    assert person_in["sex"]["enum"] == ["female", "male", "other", "unknown"]
    patch = schema["paths"]["/api/persons/{reference}"]["patch"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(patch)


@pytest.mark.django_db
def test_the_interactive_docs_load_nothing_from_the_internet(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in assets
    assert "/static/ninja/swagger-ui.css" in assets
    assert all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the page's CSP allows no inline script
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
