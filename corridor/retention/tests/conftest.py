"""Records of the right age for the retention rules, on the tests' clock (`NOW`): a person
screened long ago and never identified, a victim whose case closed years ago with a full file
written about her, and what keeps records (a recent screening, an open case).

Every test here runs with the clock set to NOW, so "400 days ago" is the same day whatever
the day the suite runs."""

from datetime import timedelta

import pytest

from corridor.accounts.models import BreakGlassGrant
from corridor.cases.models import (
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    ReflectionExtension,
)
from corridor.consent.models import Consent
from corridor.core.testing import NOW, CaseFactory, PersonFactory, ReferralFactory
from corridor.referrals.models import Referral, ServiceDelivery
from corridor.screening import services as screening
from corridor.screening.models import AgeAssessment, IndicatorCatalogue
from corridor.vocabularies import ServiceType

# Written into every free-text field about the victims below: it must never survive erasure.
MARK = "ZQX-the-madam-in-Castel-Volturno-kept-her-passport"

Status = ProtectionCase.Status


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture
def catalogues(db):
    screening.install_shipped_catalogues()
    return {c.list_kind: c for c in IndicatorCatalogue.objects.offered()}


def ago(days: int):
    return NOW - timedelta(days=days)


def person(world, *, days_ago: int, **fields):
    return PersonFactory(
        owner_agency=world.police,
        created_at=ago(days_ago),
        aliases=f"alias {MARK}",
        email="joy@example.org",
        address=f"Via Roma 1, {MARK}",
        narrative=f"narrative {MARK}",
        languages="en, bin",
        **fields,
    )


def screen(world, catalogues, subject, *, days_ago: int):
    """A screening with no indicators (never identified), with where and what was noted."""
    return screening.screen_person(
        subject,
        actor=world.users.responder,
        catalogue=catalogues["adult_labour"],
        answers={"dr_wages": True},
        location=f"Lampedusa hotspot {MARK}",
        notes=f"notes {MARK}",
        screened_at=ago(days_ago),
    )


def closed_case(world, subject, *, closed_days_ago: int, reason="assisted_reintegrated"):
    """A case closed long ago, with everything a case worker writes about a victim."""
    closed = ago(closed_days_ago)
    opened = closed - timedelta(days=200)
    case = CaseFactory(
        person=subject,
        owner_agency=world.police,
        status=Status.CLOSED,
        opened_at=opened,
        closed_at=closed,
        closure_reason=reason,
        closed_from=Status.ASSISTED,
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        from_value=Status.ASSISTED,
        to_value=Status.CLOSED,
        at=closed,
        reason=reason,
        note=f"closing {MARK}",
    )
    ReflectionExtension.objects.create(
        case=case,
        previous_end=opened.date() + timedelta(days=30),
        new_end=opened.date() + timedelta(days=60),
        reason=f"extension {MARK}",
        extended_at=opened,
    )
    NeedsAssessment.objects.create(
        case=case, assessed_on=opened.date(), needs=["shelter"], notes=MARK, recorded_at=opened
    )
    CaseReview.objects.create(
        case=case,
        due_on=opened.date() + timedelta(days=90),
        topic=f"topic {MARK}",
        scheduled_at=opened,
        done_on=opened.date() + timedelta(days=90),
        outcome=f"outcome {MARK}",
    )
    CompelledOffence.objects.create(
        case=case,
        offence=f"offence {MARK}",
        category=CompelledOffence.Category.IMMIGRATION,
        decision=CompelledOffence.Decision.NOT_PROSECUTED,
        authority="Procura di Palermo",
        decided_on=opened.date() + timedelta(days=40),
        notes=MARK,
        recorded_at=opened,
    )
    Consent.objects.create(
        person=subject,
        case=case,
        purposes=[Consent.Purpose.ASSISTANCE],
        data_categories=[Consent.DataCategory.IDENTITY, Consent.DataCategory.CASE],
        method=Consent.Method.WRITTEN,
        given_at=opened,
        revoked_at=opened + timedelta(days=100),
        revocation_reason=f"revoked {MARK}",
    )
    referral = ReferralFactory(
        case=case,
        from_agency=world.police,
        to_agency=world.shelter,
        service_type=ServiceType.SHELTER,
        status=Referral.Status.COMPLETED,
        note=f"referral {MARK}",
        created_at=opened,
        responded_at=opened + timedelta(days=1),
        completed_at=opened + timedelta(days=60),
    )
    ServiceDelivery.objects.create(
        referral=referral,
        service_type=ServiceType.SHELTER,
        delivered_on=opened.date() + timedelta(days=2),
        notes=f"delivery {MARK}",
        recorded_at=opened,
    )
    AgeAssessment.objects.create(
        person=subject,
        method=AgeAssessment.Method.INTERVIEW,
        assessed_age_min=24,
        assessed_age_max=26,
        conclusion=AgeAssessment.Conclusion.ADULT,
        agency=world.police,
        assessed_at=opened,
        notes=f"assessment {MARK}",
    )
    BreakGlassGrant.objects.create(
        user=world.users.investigator,
        person=subject,
        reason=f"emergency {MARK}",
        granted_at=opened,
        expires_at=opened + timedelta(hours=4),
    )
    return case


@pytest.fixture
def records(world, catalogues):
    """Who is due and who is not, on NOW, with the default periods (365 days, 5 years)."""
    unidentified = person(world, days_ago=400)
    screen(world, catalogues, unidentified, days_ago=400)
    recent = person(world, days_ago=100)  # screened 100 days ago: kept
    screen(world, catalogues, recent, days_ago=100)
    rescreened = person(world, days_ago=400)  # screened again 10 days ago: kept
    screen(world, catalogues, rescreened, days_ago=400)
    screen(world, catalogues, rescreened, days_ago=10)
    not_a_victim = person(world, days_ago=500)  # a case closed as "not a victim": unidentified
    closed_case(world, not_a_victim, closed_days_ago=380, reason="not_a_victim")

    closed = person(world, days_ago=2900, date_of_birth=ago(2900).date().replace(year=1995))
    old_case = closed_case(world, closed, closed_days_ago=6 * 365)
    closed_lately = person(world, days_ago=1500)  # closed two years ago: kept
    closed_case(world, closed_lately, closed_days_ago=2 * 365)
    still_open = person(world, days_ago=3000)  # opened eight years ago, never closed: kept
    CaseFactory(person=still_open, owner_agency=world.police, opened_at=ago(3000))
    return {
        "unidentified": unidentified,
        "not_a_victim": not_a_victim,
        "closed": closed,
        "old_case": old_case,
        "recent": recent,
        "rescreened": rescreened,
        "closed_lately": closed_lately,
        "still_open": still_open,
    }
