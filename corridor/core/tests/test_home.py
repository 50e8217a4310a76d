"""Each role's home page shows what that role has to do today, and nothing it may not see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corridor.cases.models import ProtectionCase
from corridor.core.services import today_for
from corridor.core.testing import CaseFactory
from corridor.referrals.models import Referral


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_sees_an_overdue_referral_first(client, world):
    Referral.objects.filter(pk=world.referral.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    page = _home(client, world.users.coordinator)
    assert 'data-section="coordinator"' in page
    assert world.referral.reference in page and "Referral overdue" in page


def test_the_coordinators_figures_count_each_stage_up_to_the_limit(client, world, settings):
    coordinator = world.users.coordinator
    for _ in range(2):
        CaseFactory(owner_agency=world.police, person__owner_agency=world.police)
    presumed = ProtectionCase.objects.filter(status="presumed_victim").count()

    def figures() -> dict:
        (section,) = [s for s in today_for(coordinator) if s.kind == "coordinator"]
        return {str(label): figure for label, figure in section.figures}

    assert figures()["Presumed victim"] == presumed >= 2
    settings.CORRIDOR_COUNT_LIMIT = 1
    assert figures()["Presumed victim"] == "more than 1"
    assert "more than 1" in _home(client, coordinator)


def test_the_shelter_sees_the_referral_it_must_answer(client, world):
    page = _home(client, world.users.provider)
    assert 'data-section="provider"' in page and world.referral.reference in page


def test_the_analyst_sees_figures_and_no_person(client, world):
    page = _home(client, world.users.analyst)
    assert 'data-section="analyst"' in page
    assert world.person.reference not in page and world.case.reference not in page
    assert world.person.given_name not in page


def test_an_outsider_sees_none_of_the_records(client, world):
    page = _home(client, world.users.foreign_coordinator)
    assert world.referral.reference not in page and world.case.reference not in page


def test_the_administrator_sees_the_instance_not_the_victims(client, world):
    page = _home(client, world.users.admin)
    assert 'data-section="administrator"' in page and "Verify the audit chain" in page
    assert world.case.reference not in page


def test_the_responder_sees_persons_not_yet_referred(client, world):
    Referral.objects.all().delete()
    page = _home(client, world.users.responder)
    assert 'data-section="responder"' in page and world.case.reference in page
