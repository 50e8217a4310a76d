"""A worker reads her persons by name on the home page and in the lists, where she may read
the name: a row of references alone does not tell her which is her person."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.core.testing import CaseFactory, PersonFactory, ReferralFactory
from corridor.referrals.models import Referral


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def _page(client, user, path="/") -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_sees_the_newly_presumed_victims_by_name(client, world):
    newcomer = CaseFactory(
        person__owner_agency=world.police,
        person__given_name="Blessing",
        person__family_name="Osagie",
    )
    old = CaseFactory(person__owner_agency=world.police, person__given_name="Joy")
    old.opened_at = timezone.now() - timedelta(days=40)
    old.save()
    page = _page(client, world.users.coordinator)
    presumed = page[page.index("Newly presumed victims") :]
    assert "Blessing Osagie" in presumed and newcomer.reference in presumed
    assert old.reference not in presumed.split("</table>")[0]


def test_the_names_seen_on_the_home_page_are_audited_like_a_list_of_persons(client, world):
    _page(client, world.users.coordinator)
    event = AuditEvent.objects.filter(action="view", object_type="person_list").latest("id")
    assert world.person.reference in event.details["references"]
    assert event.actor_username == "coordinator"


def test_the_shelter_sees_new_referrals_first_then_the_services_under_way(client, world):
    accepted = ReferralFactory(
        case__person__owner_agency=world.police,
        to_agency=world.shelter,
        status=Referral.Status.ACCEPTED,
        responded_at=timezone.now(),
    )
    page = _page(client, world.users.provider)
    new = page.index('data-testid="new-referrals"')
    under_way = page.index('data-testid="referrals-under-way"')
    assert new < page.index(world.referral.reference) < under_way < page.index(accepted.reference)
    # a referral without consent shares identity and case: the shelter reads the name
    assert world.person.given_name in page


def test_a_referral_that_does_not_share_identity_shows_only_the_reference(client, world):
    person = PersonFactory(owner_agency=world.police, given_name="Hidden", family_name="Name")
    consent = record_consent(
        person,
        actor=world.users.responder,
        purposes=[Consent.Purpose.ASSISTANCE],
        data_categories=[Consent.DataCategory.CASE],
        method=Consent.Method.WRITTEN,
        recipient_agencies=[world.shelter],
    )
    referral = ReferralFactory(
        case__person=person,
        to_agency=world.shelter,
        consent=consent,
        shared_categories=["case"],
    )
    page = _page(client, world.users.provider)
    assert referral.reference in page and person.reference in page
    assert "Hidden" not in page


def test_the_lists_name_the_person_of_each_row(client, world):
    name = world.person.display_name
    coordinator = world.users.coordinator
    for path in ("/cases/", "/referrals/", "/referrals/queue/"):
        page = _page(client, coordinator, path)
        assert name in page and world.person.reference in page, path
    assert name in _page(client, coordinator, f"/cases/{world.case.reference}/")


def test_an_outsider_sees_no_name_in_the_lists(client, world):
    page = _page(client, world.users.foreign_coordinator, "/cases/")
    assert world.person.display_name not in page
