"""Fixtures for the screening tests: the shipped ILO/EC lists, an adult and a child of
unknown age registered by the Palermo police, and answer sets that tell a story."""

import pytest

from corridor.core.testing import PersonFactory
from corridor.screening import services
from corridor.screening.models import IndicatorCatalogue

# A man recruited for farm work abroad: lied to about the job and the pay, worked 16 hours a
# day for almost nothing, passport taken, told he owes the recruiter for the journey.
FORCED_LABOUR = {
    "dr_nature_of_job": True,
    "dr_wages": True,
    "ex_excessive_hours": True,
    "ex_low_or_no_pay": True,
    "cd_documents": True,
    "cd_debt_bondage": True,
}


@pytest.fixture
def catalogues(db):
    """The offered version of each list (loaded by the data migration; reloaded here if a
    transactional test flushed the tables)."""
    services.install_shipped_catalogues()
    return {c.list_kind: c for c in IndicatorCatalogue.objects.offered()}


@pytest.fixture
def adult(world):
    return PersonFactory(
        owner_agency=world.police,
        sex="male",
        nationality="BD",
        age_estimate_min=30,
        age_estimate_max=35,
    )


@pytest.fixture
def child(world):
    """A girl whose age nobody knows: presumed to be a child."""
    return PersonFactory(
        owner_agency=world.police, nationality="NG", age_estimate_min=None, age_estimate_max=None
    )
