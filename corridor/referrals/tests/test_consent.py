"""No referral of data the person did not consent to share, and a revoked consent closes the
receiving agency's access at once — on the pages, through the API and in the access rules.
"""

import pytest
from django.core.exceptions import ValidationError

from corridor.accounts import access
from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.consent.services import record_consent, revoke_consent
from corridor.core.testing import AgencyFactory, ReferralFactory, UserFactory
from corridor.referrals import services
from corridor.referrals.models import Referral
from corridor.referrals.tests.helpers import auth, stored

P, D = Consent.Purpose, Consent.DataCategory


def refer(world, **kwargs):
    arguments = {"to_agency": world.shelter, "service_type": "shelter"}
    arguments.update(kwargs)
    return services.refer_case(world.case, actor=world.users.responder, **arguments)


def refused(world, field="consent", **kwargs) -> str:
    before = Referral.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        refer(world, **kwargs)
    assert list(excinfo.value.message_dict) == [field]
    assert Referral.objects.count() == before
    return " ".join(excinfo.value.message_dict[field])


# --- no referral without a covering consent --------------------------------------------------


def test_a_case_is_not_referred_before_the_person_consents(world):
    message = refused(world)
    assert "Record the person's consent first" in message


def test_the_referral_relies_on_the_consent_that_covers_it(world, consent):
    referral = refer(world)
    assert referral.consent == consent
    assert referral.shared_categories == ["identity", "case"]
    assert referral.categories == {"identity", "case"}


def test_the_most_recent_covering_consent_is_chosen_when_none_is_named(world, consent):
    newer = record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.CASE],
        method=Consent.Method.VERBAL,
        recipient_agencies=[world.shelter],
    )
    assert refer(world).consent == newer
    # sharing health data: only the older consent covers it
    assert refer(world, shared_categories=["identity", "health"]).consent == consent


def test_a_category_the_person_did_not_consent_to_share_is_refused(world, consent):
    message = refused(world, consent=consent, shared_categories=["identity", "story"])
    assert "did not consent to share" in message and "Account of what happened" in message
    # and no other consent can be found for it either
    message = refused(world, shared_categories=["identity", "contact"])
    assert "Contact details" in message


def test_a_recipient_the_person_did_not_name_is_refused(world, consent):
    clinic = AgencyFactory(name="ASP Palermo", sector=Agency.Sector.HEALTH)
    message = refused(world, consent=consent, to_agency=clinic, service_type="medical")
    assert "ASP Palermo" in message


def test_an_investigation_needs_consent_to_criminal_proceedings(world, consent):
    refused(world, consent=consent, to_agency=world.prosecution, service_type="investigation")
    for_proceedings = record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.CRIMINAL_PROCEEDINGS],
        data_categories=[D.IDENTITY, D.CASE, D.STORY],
        method=Consent.Method.WRITTEN,
        recipient_agencies=[world.prosecution],
    )
    referral = refer(
        world,
        to_agency=world.prosecution,
        service_type="investigation",
        shared_categories=["identity", "story"],
    )
    assert referral.consent == for_proceedings


def test_a_revoked_consent_or_another_persons_consent_is_refused(world, consent):
    other = ReferralFactory().case.person
    theirs = record_consent(
        other,
        actor=UserFactory(agency=other.owner_agency, roles=["first_responder"]),
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.CASE],
        method=Consent.Method.WRITTEN,
        recipient_sectors=[Agency.Sector.SHELTER],
    )
    assert "another person" in refused(world, consent=theirs)
    revoke_consent(consent, actor=world.users.responder, reason="She asked us to stop.")
    assert "revoked" in refused(world, consent=stored(consent))
    refused(world)  # nothing else covers it


@pytest.mark.parametrize(
    ("categories", "message"),
    [([], "at least one"), (["identity", "horoscope"], "horoscope")],
)
def test_the_categories_shared_must_be_known(world, consent, categories, message):
    assert message in refused(world, field="shared_categories", shared_categories=categories)


# --- revoking the consent closes the recipient's access --------------------------------------


def test_revoking_the_consent_closes_the_shelters_access_at_once(client, world, referral):
    provider = world.users.provider
    assert access.persons_visible_to(provider).filter(pk=world.person.pk).exists()
    client.force_login(provider)
    assert client.get(f"/people/{world.person.reference}/").status_code == 200
    assert client.get(f"/cases/{world.case.reference}/").status_code == 200

    revoke_consent(referral.consent, actor=world.users.coordinator, reason="She withdrew it.")

    assert not access.persons_visible_to(provider).filter(pk=world.person.pk).exists()
    assert not access.cases_visible_to(provider).filter(pk=world.case.pk).exists()
    assert access.visible_categories(provider, world.person) == set()
    assert client.get(f"/people/{world.person.reference}/").status_code == 404
    assert client.get(f"/cases/{world.case.reference}/").status_code == 404
    api = client.get(f"/api/persons/{world.person.reference}", headers=auth(provider))
    assert api.status_code == 404
    # the referral itself stays visible to the shelter, withdrawn, and can no longer be accepted
    page = client.get(f"/referrals/{referral.reference}/")
    assert page.status_code == 200
    assert b'data-testid="consent-revoked"' in page.content
    assert stored(referral).status == Referral.Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.accept_referral(stored(referral), actor=provider, expected_version=2)


def test_the_referral_note_is_not_read_once_the_consent_is_revoked(client, world, referral):
    Referral.objects.filter(pk=referral.pk).update(note="She fears the man called Boss.")
    provider = world.users.provider
    client.force_login(provider)
    url = f"/referrals/{referral.reference}/"
    assert "Boss" in client.get(url).content.decode()
    assert "Boss" in client.get(f"/api{url.rstrip('/')}", headers=auth(provider)).json()["note"]

    revoke_consent(referral.consent, actor=world.users.coordinator, reason="She withdrew it.")

    page = client.get(url).content.decode()
    assert "Boss" not in page and 'data-testid="note-hidden"' in page
    api = client.get(f"/api{url.rstrip('/')}", headers=auth(provider)).json()
    assert api["note"] == "" and api["status"] == "withdrawn"
    listed = client.get("/api/referrals?direction=received", headers=auth(provider)).json()
    assert all("Boss" not in item["note"] for item in listed["items"])
    # the side that wrote it still reads it
    client.force_login(world.users.responder)
    assert "Boss" in client.get(url).content.decode()


def test_the_owner_and_the_coordinator_keep_their_access_after_revocation(world, referral):
    revoke_consent(referral.consent, actor=world.users.responder)
    for name in ("responder", "coordinator"):
        user = getattr(world.users, name)
        assert access.persons_visible_to(user).filter(pk=world.person.pk).exists(), name
        assert access.visible_categories(user, world.person) is None, name


def test_another_referral_with_a_standing_consent_keeps_the_access_open(world, referral):
    verbal = record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.CASE],
        method=Consent.Method.VERBAL,
        recipient_agencies=[world.shelter],
    )
    refer(world, consent=verbal, service_type="mhpss")
    revoke_consent(referral.consent, actor=world.users.responder)
    provider = world.users.provider
    assert access.persons_visible_to(provider).filter(pk=world.person.pk).exists()
    assert access.visible_categories(provider, world.person) == {"identity", "case"}


def test_revoking_a_consent_withdraws_the_referrals_relying_on_it(world, referral):
    accepted = services.accept_referral(referral, actor=world.users.provider, expected_version=1)
    assert accepted.holds_place

    with pytest.raises(ValidationError):  # only a revoked consent withdraws anything
        services.withdraw_referrals_for_revoked_consent(
            record_consent(
                world.person,
                actor=world.users.responder,
                purposes=[P.ASSISTANCE],
                data_categories=[D.IDENTITY],
                method=Consent.Method.VERBAL,
                recipient_sectors=["shelter"],
            ),
            actor=world.users.responder,
        )

    revoke_consent(referral.consent, actor=world.users.responder)
    referral = stored(referral)
    assert referral.status == "withdrawn" and not referral.holds_place
    assert "revoked" in referral.withdraw_reason
    assert stored(referral.offer).free_places == 2  # the place taken is given back


# --- what the recipient sees of the person ----------------------------------------------------


def test_the_recipient_sees_only_the_categories_shared(world, consent):
    provider = world.users.provider
    refer(world, consent=consent, shared_categories=["identity", "health"])
    assert access.visible_categories(provider, world.person) == {"identity", "case", "health"}
    hidden = access.hidden_person_fields(provider, world.person)
    assert {"phone", "email", "address", "document_number", "narrative"} <= hidden
    assert not {"given_name", "sex", "nationality", "age_estimate_min"} & hidden


def test_a_referral_made_before_consents_shares_identity_and_case_only(world):
    assert world.referral.consent is None
    provider = world.users.provider
    assert access.visible_categories(provider, world.person) == {"identity", "case"}
    assert "narrative" in access.hidden_person_fields(provider, world.person)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("responder", None),  # the owning agency sees everything
        ("coordinator", None),  # so do coordinators of its country
        ("other_provider", set()),
        ("prosecutor", set()),
        ("analyst", set()),
        ("admin", set()),
        ("foreign_coordinator", set()),
    ],
)
def test_everyone_else_sees_everything_or_nothing(world, username, expected):
    user = getattr(world.users, username)
    assert access.visible_categories(user, world.person) == expected
    assert (access.hidden_person_fields(user, world.person) == frozenset()) is (expected is None)


def test_categories_of_many_persons_are_found_in_one_query(
    world, consent, django_assert_num_queries
):
    refer(world, consent=consent, shared_categories=["identity", "health"])
    others = [ReferralFactory(to_agency=world.shelter).case.person for _ in range(5)]
    persons = [world.person, *others]
    provider = world.users.provider
    provider.roles  # noqa: B018 — the role set is cached on the user
    with django_assert_num_queries(1):  # a provider sees no person entirely: one query
        found = access.visible_categories_many(provider, persons)
    assert found[world.person.pk] == {"identity", "case", "health"}
    assert all(found[p.pk] == {"identity", "case"} for p in others)
    coordinator = world.users.coordinator
    coordinator.roles  # noqa: B018
    coordinator.agency  # noqa: B018
    with django_assert_num_queries(1):
        found = access.visible_categories_many(coordinator, persons)
    assert all(value is None for value in found.values())
