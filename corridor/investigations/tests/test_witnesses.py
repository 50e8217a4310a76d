"""Victims as witnesses: only through her consent or a recorded legal basis; the wall between
her protection and the criminal case, opened category by category, audited, shown to the
protection coordinator, and closed at once by a revocation or an expiry. Declining to testify
changes nothing in her protection."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from corridor.accounts import access
from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.consent.services import record_consent, revoke_consent
from corridor.core.testing import (
    NOW,
    TODAY,
    CaseFactory,
    CriminalCaseFactory,
    CriminalOffenceFactory,
    PersonFactory,
    UserFactory,
)
from corridor.investigations import services

pytestmark = pytest.mark.time_machine(NOW)
PROTECTION = ("contact", "story", "health", "case")


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def kcase(world):
    kcase = CriminalCaseFactory(owner_agency=world.police, prosecutor_agency=world.prosecution)
    CriminalOffenceFactory(criminal_case=kcase)
    return kcase


@pytest.fixture
def victim(world):
    """A victim the NRM holds: outside the police unit's scope."""
    person = PersonFactory(owner_agency=world.nrm, narrative="She was recruited in Benin City.")
    CaseFactory(person=person, owner_agency=world.nrm)
    return person


def consent_for(world, person, categories, agencies=None):
    return record_consent(
        person,
        actor=world.users.coordinator,
        purposes=["criminal_proceedings"],
        data_categories=list(categories),
        method="written",
        recipient_agencies=agencies or [world.police, world.prosecution],
    )


def basis_for(world, kcase, person, categories, days=30):
    return services.record_legal_basis(
        kcase,
        actor=world.users.prosecutor,
        person=person.reference,
        kind="court_order",
        issued_by="Tribunale di Palermo, GIP",
        issuer_reference="GIP 1234/2025",
        valid_until=TODAY + timedelta(days=days),
        data_categories=list(categories),
    )


def _auth(user):
    return {"Authorization": f"Bearer {issue_api_token(actor=user, name='test')[1]}"}


def test_no_witness_without_consent_or_legal_basis_and_no_hint_of_who_exists(world, kcase, victim):
    with pytest.raises(ValidationError) as refused:
        services.request_witness(kcase, actor=world.users.investigator, person=victim.reference)
    with pytest.raises(ValidationError) as unknown:
        services.request_witness(kcase, actor=world.users.investigator, person="P-00000000")
    assert set(refused.value.message_dict) == {"consent"} == set(unknown.value.message_dict)
    said = refused.value.message_dict["consent"][0]
    assert said.replace(victim.reference, "P-00000000") == unknown.value.message_dict["consent"][0]
    assert victim.given_name not in said
    # a consent for another purpose, or naming another agency, is no basis either
    record_consent(
        victim,
        actor=world.users.coordinator,
        purposes=["assistance"],
        data_categories=["identity"],
        method="written",
        recipient_agencies=[world.police],
    )
    consent_for(world, victim, ["identity"], agencies=[world.shelter])
    with pytest.raises(ValidationError, match="No consent or legal basis"):
        services.request_witness(kcase, actor=world.users.investigator, person=victim.reference)
    assert not kcase.witnesses.exists()


def test_her_consent_opens_exactly_what_it_names_and_each_read_is_shown_to_the_coordinator(
    client, world, kcase, victim
):
    consent = consent_for(world, victim, ["identity", "story"])
    witness = services.request_witness(
        kcase, actor=world.users.investigator, person=victim.reference
    )
    assert witness.consent == consent and witness.status == "requested"
    window = access.witness_window(world.users.investigator, witness)
    assert window.categories == {"identity", "story"}
    client.force_login(world.users.investigator)
    page = client.get(f"/investigations/{kcase.reference}/witnesses/{witness.reference}/")
    text = page.content.decode()
    assert "She was recruited in Benin City." in text and victim.given_name in text
    assert victim.phone not in text or not victim.phone
    crossing = AuditEvent.objects.get(
        action="view", object_type="witness", actor_id=world.users.investigator.pk
    )
    assert crossing.person_ref == victim.reference
    assert crossing.details["basis"] == [f"consent:{consent.pk}"]
    # her person and protection case pages stay closed to the police unit
    assert client.get(f"/people/{victim.reference}/").status_code == 404
    # the coordinator sees the crossing on her protection case
    client.force_login(world.users.coordinator)
    case = ProtectionCase.objects.get(person=victim)
    section = client.get(f"/cases/{case.reference}/").content.decode()
    assert 'data-testid="witness-crossings"' in section and kcase.reference in section
    assert "investigator" in section


def test_a_revoked_consent_closes_the_window_at_once(client, world, kcase, victim):
    consent = consent_for(world, victim, ["identity", "story", "contact"])
    witness = services.request_witness(
        kcase, actor=world.users.investigator, person=victim.reference
    )
    headers = _auth(world.users.investigator)
    url = f"/api/criminal-cases/{kcase.reference}/witnesses/{witness.reference}"
    assert client.get(url, headers=headers).json()["person"]["narrative"]
    revoke_consent(consent, actor=world.users.coordinator, reason="She changed her mind.")
    body = client.get(url, headers=headers).json()
    assert (body["window_open"], body["categories"], body["person"]) == (False, [], {})
    client.force_login(world.users.investigator)
    page = client.get(f"/investigations/{kcase.reference}/").content.decode()
    assert victim.given_name not in page and "window closed" in page


def test_a_legal_basis_opens_what_it_names_until_it_expires_or_is_revoked(
    world, kcase, victim, time_machine
):
    basis = basis_for(world, kcase, victim, ["health"], days=1)
    witness = services.request_witness(
        kcase, actor=world.users.investigator, person=victim.reference
    )
    assert witness.legal_basis == basis
    assert access.witness_window(world.users.prosecutor, witness).categories == {
        "identity",
        "health",
    }
    time_machine.shift(timedelta(days=2))
    assert not access.witness_window(world.users.prosecutor, witness)
    time_machine.shift(timedelta(days=-2))
    services.revoke_legal_basis(basis, actor=world.users.prosecutor)
    assert not access.witness_window(world.users.investigator, witness)


def test_declining_to_testify_changes_nothing_in_her_protection(world, kcase):
    case = world.case  # her protection case, with its referral to the shelter
    consent_for(world, world.person, ["identity"])
    before = (
        case.status,
        case.version,
        case.cooperation_status,
        list(case.events.values_list("pk", flat=True)),
        list(case.referrals.values_list("pk", "status")),
    )
    witness = services.request_witness(
        kcase, actor=world.users.investigator, person=world.person.reference
    )
    services.add_protective_measure(witness, actor=world.users.investigator, kind="video")
    services.decline_to_testify(witness, actor=world.users.investigator, note="Afraid of him.")
    case.refresh_from_db()
    after = (
        case.status,
        case.version,
        case.cooperation_status,
        list(case.events.values_list("pk", flat=True)),
        list(case.referrals.values_list("pk", "status")),
    )
    assert after == before
    witness.refresh_from_db()
    assert witness.status == "declined" and witness.measures.get().status == "requested"


def test_protective_measures_and_their_status(world, kcase, victim):
    consent_for(world, victim, ["identity"])
    witness = services.request_witness(
        kcase, actor=world.users.investigator, person=victim.reference
    )
    measure = services.add_protective_measure(
        witness, actor=world.users.prosecutor, kind="anonymity", authority="GIP"
    )
    services.change_measure_status(
        measure, actor=world.users.prosecutor, status="granted", expected_version=1
    )
    with pytest.raises(ValidationError) as bad:
        services.change_measure_status(
            measure, actor=world.users.prosecutor, status="refused", expected_version=2
        )
    assert "status" in bad.value.message_dict
    services.change_measure_status(
        measure, actor=world.users.prosecutor, status="ended", expected_version=2
    )
    measure.refresh_from_db()
    assert (measure.status, measure.ended_on) == ("ended", TODAY)
    services.withdraw_witness(witness, actor=world.users.investigator)
    assert not access.witness_window(world.users.investigator, witness)


# The wall matrix: who sees which protection category of a witness, with no basis, with her
# consent (naming the police unit and the prosecution office) or with a legal basis of the case.
VIEWERS = {
    "investigator": True,
    "prosecutor": True,
    "other_investigator": False,  # another police unit: no case, no window
    "responder": False,  # protection side: no criminal case at all
    "coordinator": False,
    "provider": False,
}


@pytest.mark.parametrize("name", VIEWERS)
@pytest.mark.parametrize("category", PROTECTION)
@pytest.mark.parametrize("basis", ["none", "consent", "legal_basis"])
def test_the_wall_matrix(world, kcase, name, category, basis):
    person = world.person
    witness = None
    if basis != "none":
        if basis == "consent":
            consent_for(world, person, ["identity", category])
        else:
            basis_for(world, kcase, person, [category])
        witness = services.request_witness(
            kcase, actor=world.users.investigator, person=person.reference
        )
    user = UserFactory(roles=["investigator"]) if name == "other_investigator" else None
    user = user or getattr(world.users, name)
    # Through person and case pages, the prosecution side never reads a protection category.
    categories = access.visible_categories(user, person)
    if access.behind_the_wall(user):
        assert categories is not None and category not in categories
    if witness is None:
        return
    window = access.witness_window(user, witness)
    assert (category in window.categories) is VIEWERS[name]
    assert ("identity" in window.categories) is VIEWERS[name]


def test_the_police_unit_keeps_identity_but_not_protection_data_of_its_own_records(world):
    categories = access.visible_categories(world.users.investigator, world.person)
    assert categories == {"identity", "documents"}
    assert access.visible_categories(world.users.responder, world.person) is None
    assert access.visible_categories(world.users.coordinator, world.person) is None
    assert not access.referrals_visible_to(world.users.investigator).exists()
