"""An agency closes (or is struck off the network): an administrator deactivates it, and from
that moment its people see nothing — not on their open pages, not through the API, not by
signing in again."""

import axes.utils
import pytest
from django.urls import reverse

from corridor.accounts.services import issue_api_token, update_agency
from corridor.core.testing import TEST_PASSWORD


@pytest.fixture(autouse=True)
def _no_mfa_no_lockouts(settings, db):
    settings.CORRIDOR_REQUIRE_MFA = False
    axes.utils.reset()
    yield
    axes.utils.reset()


def deactivate(world, agency):
    update_agency(agency, actor=world.users.admin, expected_version=agency.version, is_active=False)


def test_a_signed_in_member_of_a_deactivated_agency_is_cut_off_at_once(client, world):
    client.post(reverse("accounts:login"), {"username": "responder", "password": TEST_PASSWORD})
    person_page = f"/people/{world.person.reference}/"
    assert client.get(person_page).status_code == 200

    deactivate(world, world.police)

    response = client.get(person_page)
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_member_of_a_deactivated_agency_cannot_sign_in(client, world):
    deactivate(world, world.police)
    response = client.post(
        reverse("accounts:login"), {"username": "responder", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200  # the form again, not the home page
    assert "_auth_user_id" not in client.session


def test_a_deactivated_agencys_api_token_stops_working(client, world):
    _token, raw = issue_api_token(actor=world.users.responder, name="case system")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/persons/{world.person.reference}", headers=headers).status_code == 200
    deactivate(world, world.police)
    assert client.get(f"/api/persons/{world.person.reference}", headers=headers).status_code == 401


def test_other_agencies_carry_on(client, world):
    deactivate(world, world.police)
    client.force_login(world.users.coordinator)
    assert client.get(f"/cases/{world.case.reference}/").status_code == 200
