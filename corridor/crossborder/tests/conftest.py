"""Two countries, two instances, one test database.

Italy (the world of corridor/conftest.py: Palermo police identified a Nigerian woman, aged
24–28) and Nigeria (NAPTIP, its national referral mechanism). Each instance has its own
signing key; each administrator registered the other instance as a partner after exchanging
public keys. The woman agreed, in writing, that her identity, contact details, case history
and needs may go to Nigeria for her return and reintegration, for family tracing and for her
protection — not her account of what happened.

Tests run as the Italian instance unless they switch with `nigeria.active()`.
"""

from types import SimpleNamespace

import pytest

from corridor.accounts.models import Agency, Role
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.core.testing import AgencyFactory, UserFactory
from corridor.crossborder import services
from corridor.crossborder.testing import Instance

P, D = Consent.Purpose, Consent.DataCategory


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False  # MFA has its own tests


@pytest.fixture
def italy(tmp_path, settings):
    instance = Instance.create("IT", tmp_path, port=8000)
    settings.CORRIDOR_COUNTRY = "IT"
    settings.CORRIDOR_SIGNING_KEY_FILE = instance.key_file  # tests act as Italy by default
    return instance


@pytest.fixture
def nigeria(tmp_path):
    return Instance.create("NG", tmp_path, port=8001)


@pytest.fixture
def naptip(db):
    agency = AgencyFactory(name="NAPTIP Lagos", country="NG", sector=Agency.Sector.ANTI_TRAFFICKING)
    return SimpleNamespace(
        agency=agency,
        coordinator=UserFactory(username="ng_coordinator", agency=agency, roles=[Role.COORDINATOR]),
        responder=UserFactory(username="ng_responder", agency=agency, roles=[Role.FIRST_RESPONDER]),
        admin=UserFactory(username="ng_admin", agency=agency, roles=[Role.ADMINISTRATOR]),
    )


@pytest.fixture
def partners(world, italy, nigeria, naptip):
    """Each instance registered the other (as itself)."""
    with italy.active():
        in_italy = services.register_partner(
            actor=world.users.admin,
            country="NG",
            name="NAPTIP – National Agency for the Prohibition of Trafficking in Persons",
            base_url=nigeria.base_url,
            public_jwk=nigeria.public_jwk,
        )
    with nigeria.active():
        in_nigeria = services.register_partner(
            actor=naptip.admin,
            country="IT",
            name="Numero Verde Antitratta",
            base_url=italy.base_url,
            public_jwk=italy.public_jwk,
        )
    return SimpleNamespace(nigeria=in_italy, italy=in_nigeria)


@pytest.fixture
def consent(world):
    return record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.RETURN_REINTEGRATION, P.FAMILY_TRACING, P.INFORMATION_FOR_PROTECTION],
        data_categories=[D.IDENTITY, D.CONTACT, D.CASE, D.HEALTH],
        method=Consent.Method.WRITTEN,
        recipient_countries=["NG"],
    )
