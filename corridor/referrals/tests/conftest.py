"""Fixtures of the referral stories, on top of the shared `world` (corridor/conftest.py).

The woman identified by Palermo police agreed, in writing, that shelters may receive her
identity, her case history and her health needs to assist her. Casa Rifugio Palermo lists a
women's shelter with 10 places, 2 of them free. With `referral`, the police refer her to it
under that consent, and the world's older referral (made before consents) is withdrawn, so
that the shelter's access rests on the consent alone.
"""

import pytest

from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.referrals import services
from corridor.referrals.models import Referral

P, D = Consent.Purpose, Consent.DataCategory


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False  # MFA has its own tests


@pytest.fixture
def consent(world):
    return record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.CASE, D.HEALTH],
        method=Consent.Method.WRITTEN,
        recipient_sectors=[Agency.Sector.SHELTER],
    )


@pytest.fixture
def women_shelter(world):
    return services.create_offer(
        actor=world.users.provider,
        agency=world.shelter,
        service_type="shelter",
        name="Casa Rifugio – women's shelter",
        areas=["IT-82", "Palermo"],
        languages=["it", "en", "fr"],
        sexes=["female"],
        min_age=18,
        total_places=10,
        free_places=2,
        contact_phone="+39 091 123 4567",
        contact_email="accoglienza@example.org",
        contact_hours="24/7",
    )


@pytest.fixture
def referral(world, consent, women_shelter):
    """A referral relying on the consent, to the women's shelter (sent by the police)."""
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.WITHDRAWN)
    return services.refer_case(
        world.case,
        actor=world.users.responder,
        to_agency=world.shelter,
        service_type="shelter",
        offer=women_shelter,
        consent=consent,
    )
