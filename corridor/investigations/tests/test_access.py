"""The wall: a criminal case is seen and changed by the owning agency's investigators and
prosecutors and by the prosecution office it was referred to; for everyone on the
protection side (and any other agency) it does not exist — 404, like a missing one."""

import pytest

from corridor.accounts import access
from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.core.testing import CriminalCaseFactory, CriminalOffenceFactory, UserFactory

# role -> (page status, API status, sees it in the lists, may change it)
MATRIX = {
    "investigator": (200, 200, True, True),  # the owning police unit
    "prosecutor": (200, 200, True, True),  # the office it was referred to
    "responder": (404, 404, False, False),  # same police unit, protection side
    "coordinator": (404, 404, False, False),
    "provider": (404, 404, False, False),
    "analyst": (404, 404, False, False),
    "admin": (404, 404, False, False),
    "foreign_coordinator": (404, 404, False, False),
    "other_investigator": (404, 404, False, False),  # another police unit
    "other_prosecutor": (404, 404, False, False),  # an office it was not referred to
}


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def kcase(world):
    kcase = CriminalCaseFactory(owner_agency=world.police, prosecutor_agency=world.prosecution)
    CriminalOffenceFactory(criminal_case=kcase)
    return kcase


def _user(world, name):
    if name == "other_investigator":
        return UserFactory(roles=["investigator"])
    if name == "other_prosecutor":
        return UserFactory(agency__sector="prosecution", roles=["prosecutor"])
    return getattr(world.users, name)


def _auth(user):
    return {"Authorization": f"Bearer {issue_api_token(actor=user, name='test')[1]}"}


@pytest.mark.parametrize(("name", "expected"), MATRIX.items())
def test_who_sees_and_changes_a_criminal_case(client, world, kcase, name, expected):
    page, api, listed, changes = expected
    user = _user(world, name)
    client.force_login(user)
    assert client.get(f"/investigations/{kcase.reference}/").status_code == page
    assert (
        client.get(f"/api/criminal-cases/{kcase.reference}", headers=_auth(user)).status_code == api
    )
    api_list = client.get("/api/criminal-cases", headers=_auth(user)).json()["items"]
    assert (kcase.reference in [c["reference"] for c in api_list]) is listed
    assert access.criminal_cases_visible_to(user).filter(pk=kcase.pk).exists() is listed
    assert access.can_manage_criminal_case(user, kcase) is changes
    form = client.get(f"/investigations/{kcase.reference}/suspects/new/")
    assert form.status_code == (200 if changes else 404)
    added = client.post(
        f"/api/criminal-cases/{kcase.reference}/suspects",
        {"names": "Osas Igbinedion", "role": "recruiter", "level": "operator"},
        content_type="application/json",
        headers=_auth(user),
    )
    assert added.status_code == (201 if changes else 404)
    assert kcase.suspects.exists() is changes


@pytest.mark.parametrize("name", ["responder", "coordinator", "provider", "analyst", "admin"])
def test_the_protection_side_has_no_criminal_case_page_or_menu(client, world, name):
    client.force_login(getattr(world.users, name))
    assert client.get("/investigations/").status_code == 403
    assert client.get("/investigations/open/").status_code == 403
    assert "Criminal cases" not in client.get("/").content.decode()


def test_a_hidden_case_is_a_404_like_a_missing_one(client, world, kcase):
    client.force_login(world.users.coordinator)
    hidden = client.get(
        f"/api/criminal-cases/{kcase.reference}", headers=_auth(world.users.coordinator)
    )
    missing = client.get("/api/criminal-cases/K-00000000", headers=_auth(world.users.coordinator))
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_reading_a_criminal_case_is_audited(client, world, kcase):
    client.force_login(world.users.investigator)
    client.get(f"/investigations/{kcase.reference}/")
    assert AuditEvent.objects.filter(
        action="view", object_ref=kcase.reference, actor_id=world.users.investigator.pk
    ).exists()
