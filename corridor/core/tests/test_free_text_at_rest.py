"""What a case worker writes about a victim — a note on a step of her case, why her risk rose,
what a review is about, why a referral was withdrawn, why she revoked her consent, why someone
opened her record in an emergency — is encrypted at rest like her narrative. Read straight
from the database, none of it is there in clear; through the services it reads back."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from corridor.cases import services as cases
from corridor.consent.models import Consent
from corridor.consent.services import record_consent, revoke_consent
from corridor.people.services import break_glass
from corridor.referrals import services as referrals

MARK = "ZQX-fatou-said-the-boss-kept-her-passport"


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - test names only
        return [str(row[0] or "") for row in cursor.fetchall()]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def test_free_text_about_a_victim_is_never_stored_in_clear(world):
    coordinator, responder = world.users.coordinator, world.users.responder
    case = cases.change_risk_level(
        world.case, actor=coordinator, risk_level="high", reason=f"risk {MARK}", expected_version=1
    )
    cases.schedule_review(
        case, actor=coordinator, due_on=timezone.localdate() + timedelta(days=7), topic=MARK
    )
    consent = record_consent(
        world.person,
        actor=responder,
        purposes=[Consent.Purpose.ASSISTANCE],
        data_categories=[Consent.DataCategory.IDENTITY, Consent.DataCategory.CASE],
        method=Consent.Method.WRITTEN,
        recipient_agencies=[world.shelter],
    )
    referral = referrals.refer_case(
        case, actor=responder, to_agency=world.shelter, service_type="shelter", note=MARK
    )
    referrals.withdraw_referral(
        referral, actor=responder, reason=f"withdrawn {MARK}", expected_version=referral.version
    )
    revoke_consent(consent, actor=responder, reason=f"revoked {MARK}")
    outsider = world.users.investigator
    break_glass(actor=outsider, reference=world.person.reference, reason=f"emergency {MARK}")

    for table, column in [
        ("cases_caseevent", "note"),
        ("cases_casereview", "topic"),
        ("referrals_referral", "note"),
        ("referrals_referral", "withdraw_reason"),
        ("cases_consent", "revocation_reason"),
        ("accounts_breakglassgrant", "reason"),
        ("audit_auditevent", "reason"),
        ("audit_auditevent", "details"),
    ]:
        assert not any(MARK in value for value in raw(table, column)), f"{table}.{column}"

    referral.refresh_from_db()
    assert referral.note == MARK and MARK in referral.withdraw_reason
    assert MARK in Consent.objects.get(pk=consent.pk).revocation_reason
