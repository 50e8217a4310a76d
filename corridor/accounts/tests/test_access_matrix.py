"""The need-to-know matrix: each role × each record kind × read / change, through the pages.

The world: Palermo police identified a woman (person, case) and referred her to a shelter.
200/302 = allowed, 403 = visible but read-only, 404 = outside scope, same as a missing record.
"""

import re

import pytest

from corridor.accounts import access
from corridor.referrals.models import Referral

R, W = "read", "change"

COLUMNS = [
    ("person", R),
    ("person", W),
    ("case", R),
    ("case", W),
    ("referral", R),
    ("referral", W),
    ("audit", R),
]
MATRIX = {
    #                       person     case       referral   audit
    "responder":           (200, 200, 200, 302, 200, 403, 403),
    "colleague":           (200, 200, 200, 302, 200, 403, 403),
    # The wall: a police investigator no longer sees where her unit referred a victim (a
    # shelter, a clinic): that is protection data (corridor.accounts.access.behind_the_wall).
    "investigator":        (200, 200, 200, 302, 404, 404, 403),
    "provider":            (200, 403, 200, 403, 200, 302, 403),
    "other_provider":      (404, 404, 404, 404, 404, 404, 403),
    "coordinator":         (200, 200, 200, 302, 200, 403, 403),
    "prosecutor":          (404, 404, 404, 404, 404, 404, 403),
    "analyst":             (404, 404, 404, 404, 404, 404, 403),
    "admin":               (404, 404, 404, 404, 404, 404, 200),
    "foreign_coordinator": (404, 404, 404, 404, 404, 404, 403),
    "foreign_responder":   (404, 404, 404, 404, 404, 404, 403),
}  # fmt: skip

CELLS = [
    (user, kind, mode, status)
    for user, row in MATRIX.items()
    for (kind, mode), status in zip(COLUMNS, row, strict=True)
]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False  # MFA has its own tests; here only need-to-know


def _request(client, world, kind, mode):
    person, case, referral = world.person, world.case, world.referral
    if kind == "person":
        return client.get(f"/people/{person.reference}/" + ("edit/" if mode == W else ""))
    if kind == "case":
        if mode == R:
            return client.get(f"/cases/{case.reference}/")
        return client.post(
            f"/cases/{case.reference}/status/", {"status": "referred", "version": case.version}
        )
    if kind == "referral":
        if mode == R:
            return client.get(f"/referrals/{referral.reference}/")
        return client.post(
            f"/referrals/{referral.reference}/accept/", {"version": referral.version}
        )
    return client.get("/audit/")


@pytest.mark.parametrize(("username", "kind", "mode", "expected"), CELLS)
def test_access_matrix(client, world, username, kind, mode, expected):
    client.force_login(getattr(world.users, username))
    response = _request(client, world, kind, mode)
    assert response.status_code == expected, (username, kind, mode)


def test_an_outsider_cannot_tell_a_hidden_record_from_a_missing_one(client, world):
    client.force_login(world.users.foreign_coordinator)
    hidden = client.get(f"/people/{world.person.reference}/")
    missing = client.get("/people/P-00000000/")
    assert hidden.status_code == missing.status_code == 404

    def page(response, reference) -> str:
        """The page less what differs by request: the CSRF token and the address asked for."""
        html = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
        return html.replace(reference, "")

    assert page(hidden, world.person.reference) == page(missing, "P-00000000")


@pytest.mark.parametrize("username", list(MATRIX))
def test_lists_show_exactly_what_the_detail_pages_allow(client, world, username):
    client.force_login(getattr(world.users, username))
    row = MATRIX[username]
    for url, ref, may_read in (
        ("/people/", world.person.reference, row[0] == 200),
        ("/cases/", world.case.reference, row[2] == 200),
        ("/referrals/", world.referral.reference, row[4] == 200),
    ):
        response = client.get(url)
        if response.status_code == 200:
            assert (ref in response.content.decode()) == may_read, (username, url)
        else:
            assert not may_read


def test_a_declined_referral_closes_the_shelters_access(world):
    provider = world.users.provider
    assert access.persons_visible_to(provider).filter(pk=world.person.pk).exists()
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.DECLINED)
    assert not access.persons_visible_to(provider).filter(pk=world.person.pk).exists()
    assert not access.cases_visible_to(provider).filter(pk=world.case.pk).exists()


def test_administration_is_for_administrators_only(world):
    users = world.users
    assert access.can_administer(users.admin)
    for name in ("responder", "coordinator", "provider", "investigator", "prosecutor", "analyst"):
        assert not access.can_administer(getattr(users, name)), name
    assert list(access.users_visible_to(users.responder)) == [users.responder]
    assert access.users_visible_to(users.admin).count() == len(MATRIX)


def test_an_inactive_user_sees_nothing(world):
    responder = world.users.responder
    responder.is_active = False
    responder.save()
    responder.refresh_from_db()
    assert not access.persons_visible_to(responder).exists()


def test_a_coordinator_sees_the_person_behind_a_case_her_office_holds(world):
    """A person first recorded by a partner-country agency, whose case the national office
    opened, is the national office's to see — the case without the person helps nobody."""
    from corridor.core.testing import CaseFactory, PersonFactory

    person = PersonFactory(owner_agency=world.foreign)
    CaseFactory(person=person, owner_agency=world.nrm)
    assert access.persons_visible_to(world.users.coordinator).filter(pk=person.pk).exists()
    assert not access.persons_visible_to(world.users.responder).filter(pk=person.pk).exists()
