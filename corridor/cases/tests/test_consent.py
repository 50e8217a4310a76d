"""Consent says what may be shared, with whom and why; a revoked consent covers nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.consent.services import covering_consent, record_consent, revoke_consent

P, D = Consent.Purpose, Consent.DataCategory


@pytest.fixture
def shelter_consent(world):
    return record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.HEALTH],
        method=Consent.Method.WRITTEN,
        recipient_sectors=[Agency.Sector.SHELTER],
    )


@pytest.mark.parametrize(("purpose", "categories", "agency", "covered"), [
    (P.ASSISTANCE, [D.IDENTITY], "shelter", True),
    (P.ASSISTANCE, [D.IDENTITY, D.HEALTH], "other_shelter", True),
    (P.ASSISTANCE, [D.IDENTITY, D.STORY], "shelter", False),  # the story was not agreed
    (P.CRIMINAL_PROCEEDINGS, [D.IDENTITY], "shelter", False),  # nor this purpose
    (P.ASSISTANCE, [D.IDENTITY], "prosecution", False),  # nor this recipient
])  # fmt: skip
def test_consent_covers_only_what_was_agreed(
    world, shelter_consent, purpose, categories, agency, covered
):
    found = covering_consent(
        world.person, purpose=purpose, categories=categories, agency=getattr(world, agency)
    )
    assert (found == shelter_consent) is covered


def test_a_revoked_consent_covers_nothing(world, shelter_consent):
    revoke_consent(shelter_consent, actor=world.users.coordinator, reason="She asked us to stop.")
    assert (
        covering_consent(
            world.person, purpose=P.ASSISTANCE, categories=[D.IDENTITY], agency=world.shelter
        )
        is None
    )
    with pytest.raises(ValidationError):
        revoke_consent(shelter_consent, actor=world.users.coordinator)


def test_a_partner_country_is_covered_only_when_named(world):
    consent = record_consent(
        world.person,
        actor=world.users.coordinator,
        purposes=[P.RETURN_REINTEGRATION],
        data_categories=[D.IDENTITY],
        method=Consent.Method.VERBAL,
        recipient_countries=["ng"],
    )
    assert consent.covers(purpose=P.RETURN_REINTEGRATION, categories=[D.IDENTITY], country="NG")
    assert not consent.covers(purpose=P.RETURN_REINTEGRATION, categories=[D.IDENTITY], country="GH")


def test_bad_consent_input_names_the_field_and_writes_nothing(world):
    with pytest.raises(ValidationError) as excinfo:
        record_consent(
            world.person,
            actor=world.users.responder,
            purposes=["gossip"],
            data_categories=[],
            method="telepathy",
        )
    assert {"purposes", "data_categories", "method", "recipient_agencies"} <= set(
        excinfo.value.message_dict
    )
    assert not Consent.objects.exists()


def test_a_childs_consent_is_given_by_the_guardian(world):
    world.person.age_estimate_min, world.person.age_estimate_max = 14, 16
    with pytest.raises(ValidationError) as excinfo:
        record_consent(
            world.person,
            actor=world.users.responder,
            purposes=[P.ASSISTANCE],
            data_categories=[D.IDENTITY],
            method=Consent.Method.WRITTEN,
            recipient_sectors=[Agency.Sector.SHELTER],
        )
    assert "method" in excinfo.value.message_dict


def test_only_those_who_may_change_the_person_record_consent(world):
    with pytest.raises(PermissionDenied):
        record_consent(
            world.person,
            actor=world.users.provider,
            purposes=[P.ASSISTANCE],
            data_categories=[D.IDENTITY],
            method=Consent.Method.WRITTEN,
            recipient_sectors=[Agency.Sector.SHELTER],
        )
