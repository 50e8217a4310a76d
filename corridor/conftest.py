"""Shared fixtures: an Italian NRM with a police unit, a shelter, a prosecutor's office,
a coordination office and an analyst, plus a French agency as the outsider."""

from types import SimpleNamespace

import pytest

from corridor.accounts.models import Agency, Role
from corridor.core.testing import (
    AgencyFactory,
    CaseFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    police = AgencyFactory(
        name="Polizia di Stato – Squadra Mobile Palermo", sector=Agency.Sector.POLICE
    )
    shelter = AgencyFactory(
        name="Casa Rifugio Palermo", sector=Agency.Sector.SHELTER, kind=Agency.Kind.NGO
    )
    nrm = AgencyFactory(name="Numero Verde Antitratta", sector=Agency.Sector.ANTI_TRAFFICKING)
    prosecution = AgencyFactory(name="Procura di Palermo – DDA", sector=Agency.Sector.PROSECUTION)
    stats = AgencyFactory(name="ISTAT", sector=Agency.Sector.ANTI_TRAFFICKING)
    foreign = AgencyFactory(name="OCRTEH Paris", country="FR", sector=Agency.Sector.POLICE)
    other_shelter = AgencyFactory(name="Casa Rifugio Catania", sector=Agency.Sector.SHELTER)

    users = SimpleNamespace(
        responder=UserFactory(username="responder", agency=police, roles=[Role.FIRST_RESPONDER]),
        colleague=UserFactory(username="colleague", agency=police, roles=[Role.FIRST_RESPONDER]),
        investigator=UserFactory(username="investigator", agency=police, roles=[Role.INVESTIGATOR]),
        provider=UserFactory(username="provider", agency=shelter, roles=[Role.SERVICE_PROVIDER]),
        other_provider=UserFactory(
            username="other_provider", agency=other_shelter, roles=[Role.SERVICE_PROVIDER]
        ),
        coordinator=UserFactory(username="coordinator", agency=nrm, roles=[Role.COORDINATOR]),
        prosecutor=UserFactory(username="prosecutor", agency=prosecution, roles=[Role.PROSECUTOR]),
        analyst=UserFactory(username="analyst", agency=stats, roles=[Role.ANALYST]),
        admin=UserFactory(username="admin", agency=nrm, roles=[Role.ADMINISTRATOR]),
        foreign_coordinator=UserFactory(
            username="foreign_coordinator", agency=foreign, roles=[Role.COORDINATOR]
        ),
        foreign_responder=UserFactory(
            username="foreign_responder", agency=foreign, roles=[Role.FIRST_RESPONDER]
        ),
    )
    person = PersonFactory(owner_agency=police)
    case = CaseFactory(person=person, owner_agency=police)
    referral = ReferralFactory(case=case, from_agency=police, to_agency=shelter)
    return SimpleNamespace(
        police=police,
        shelter=shelter,
        nrm=nrm,
        prosecution=prosecution,
        foreign=foreign,
        other_shelter=other_shelter,
        users=users,
        person=person,
        case=case,
        referral=referral,
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Counters kept in the cache (refusals per source, for one) start at zero in each test."""
    from django.core.cache import caches

    for alias in ("default", "jobs"):
        caches[alias].clear()
