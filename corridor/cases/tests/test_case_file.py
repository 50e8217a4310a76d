"""The case file around the lifecycle: needs, risk, the coordinator, non-punishment, reviews."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from corridor.accounts.models import Role
from corridor.audit.models import AuditEvent
from corridor.cases import services
from corridor.cases.models import (
    NEED_CODES,
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
)
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import (
    NOW,
    TODAY,
    AgencyFactory,
    CaseFactory,
    PersonFactory,
    UserFactory,
)
from corridor.notifications.models import Notification
from corridor.referrals.models import Referral
from corridor.vocabularies import ServiceType

pytestmark = pytest.mark.time_machine(NOW)  # TODAY stays today, even on a run past midnight


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- needs -------------------------------------------------------------------------------------


def test_needs_are_coded_like_the_services_that_meet_them():
    assert set(NEED_CODES) == set(ServiceType.values) - {"investigation"}
    assert "child_protection" in NEED_CODES and "mhpss" in NEED_CODES


def test_the_shelter_adds_a_needs_assessment_and_its_notes_are_encrypted(world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.ACCEPTED)
    first = services.record_needs_assessment(
        world.case, actor=world.users.coordinator, needs=["shelter", "medical"]
    )
    second = services.record_needs_assessment(
        world.case,
        actor=world.users.provider,
        needs=["mhpss", "legal_aid", "mhpss"],
        notes="Nightmares; asks about her residence permit.",
    )
    assert list(world.case.needs_assessments.all()) == [second, first]
    assert second.needs == ["mhpss", "legal_aid"]
    assert second.need_labels() == ["Mental health and psychosocial support", "Legal aid"]
    raw = _raw("cases_needsassessment", "notes", second.pk)
    assert "Nightmares" not in raw
    assert NeedsAssessment.objects.get(pk=second.pk).notes.startswith("Nightmares")
    event = AuditEvent.objects.get(object_type="needsassessment", object_ref=str(second.pk))
    assert event.details == {"case": world.case.reference, "needs": ["mhpss", "legal_aid"]}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"needs": ["spa_day"]}, "needs"),
        ({"needs": []}, "needs"),
        ({"needs": ["shelter"], "assessed_on": TODAY + timedelta(days=1)}, "assessed_on"),
    ],
)
def test_a_bad_needs_assessment_names_the_field_and_writes_nothing(world, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        services.record_needs_assessment(world.case, actor=world.users.responder, **kwargs)
    assert list(excinfo.value.message_dict) == [field]
    assert not NeedsAssessment.objects.exists()


def test_a_shelter_without_an_accepted_referral_assesses_nothing(world):
    with pytest.raises(PermissionDenied):
        services.record_needs_assessment(world.case, actor=world.users.provider, needs=["shelter"])


# --- risk --------------------------------------------------------------------------------------


def test_raising_the_risk_is_audited_with_its_reason_and_told_to_the_coordinator(
    world, django_capture_on_commit_callbacks
):
    case = world.case
    with django_capture_on_commit_callbacks(execute=True):
        services.change_risk_level(
            case,
            actor=world.users.responder,
            risk_level="high",
            reason="The recruiter called her phone.",
            expected_version=1,
        )
    stored = ProtectionCase.objects.get(pk=case.pk)
    assert (stored.risk_level, stored.version) == ("high", 2)
    event = case.events.get(kind=CaseEvent.Kind.RISK)
    assert (event.from_value, event.to_value, event.note) == (
        "medium",
        "high",
        "The recruiter called her phone.",
    )
    audit = AuditEvent.objects.get(object_ref=case.reference, action="change")
    assert audit.details == {"risk_level": ["medium", "high"]}
    assert Notification.objects.filter(recipient=world.users.coordinator).exists()


@pytest.mark.parametrize(
    ("risk", "reason", "fields"),
    [("extreme", "x", {"risk_level"}), ("medium", "x", {"risk_level"}), ("low", " ", {"reason"})],
)
def test_a_bad_risk_change_names_the_field(world, risk, reason, fields):
    with pytest.raises(ValidationError) as excinfo:
        services.change_risk_level(
            world.case,
            actor=world.users.coordinator,
            risk_level=risk,
            reason=reason,
            expected_version=1,
        )
    assert set(excinfo.value.message_dict) == fields
    assert ProtectionCase.objects.get(pk=world.case.pk).version == 1


def test_a_risk_change_on_a_stale_read_is_refused(world):
    stale = ProtectionCase.objects.get(pk=world.case.pk)
    services.change_risk_level(
        world.case,
        actor=world.users.coordinator,
        risk_level="low",
        reason="Safe.",
        expected_version=1,
    )
    with pytest.raises(ConcurrentEdit):
        services.change_risk_level(
            stale,
            actor=world.users.responder,
            risk_level="high",
            reason="Threat.",
            expected_version=1,
        )
    assert ProtectionCase.objects.get(pk=world.case.pk).risk_level == "low"


# --- the assigned coordinator ------------------------------------------------------------------


def test_a_coordinator_assigns_a_colleague_who_is_notified(
    world, django_capture_on_commit_callbacks
):
    colleague = UserFactory(
        username="second_coordinator",
        agency=AgencyFactory(name="NRM Catania"),
        roles=[Role.COORDINATOR],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_coordinator(
            world.case, actor=world.users.coordinator, coordinator=colleague, expected_version=1
        )
    assert ProtectionCase.objects.get(pk=world.case.pk).coordinator == colleague
    note = Notification.objects.get(recipient=colleague)
    assert world.case.reference in note.message and note.url == f"/cases/{world.case.reference}/"
    event = world.case.events.get(kind=CaseEvent.Kind.COORDINATOR)
    assert (event.from_value, event.to_value) == ("", "second_coordinator")


@pytest.mark.parametrize("assignee", ["responder", "foreign_coordinator", "analyst"])
def test_the_assignee_must_be_a_coordinator_in_the_same_country(world, assignee):
    with pytest.raises(ValidationError) as excinfo:
        services.assign_coordinator(
            world.case,
            actor=world.users.coordinator,
            coordinator=getattr(world.users, assignee),
            expected_version=1,
        )
    assert "Italy" in excinfo.value.message_dict["coordinator"][0]
    assert ProtectionCase.objects.get(pk=world.case.pk).coordinator is None


@pytest.mark.parametrize("actor", ["responder", "investigator", "provider", "foreign_coordinator"])
def test_only_a_coordinator_assigns(world, actor):
    with pytest.raises(PermissionDenied):
        services.assign_coordinator(
            world.case,
            actor=getattr(world.users, actor),
            coordinator=world.users.coordinator,
            expected_version=1,
        )


# --- non-punishment ----------------------------------------------------------------------------


def test_an_offence_she_was_compelled_to_commit_and_the_decision_not_to_punish_her(world):
    record = services.record_compelled_offence(
        world.case,
        actor=world.users.investigator,
        offence="Carried a forged passport handed to her by the recruiter.",
        category=CompelledOffence.Category.IMMIGRATION,
    )
    assert record.decision == "pending" and record.principle_applied is None
    assert "forged" not in _raw("cases_compelledoffence", "offence", record.pk)
    services.record_non_punishment_decision(
        record,
        actor=world.users.coordinator,
        expected_version=record.version,
        decision=CompelledOffence.Decision.NOT_PROSECUTED,
        authority="Procura di Palermo",
        decided_on=TODAY,
        notes="Art. 18 D.Lgs. 286/1998.",
    )
    stored = CompelledOffence.objects.get(pk=record.pk)
    assert (stored.decision, stored.authority, stored.version) == (
        "not_prosecuted",
        "Procura di Palermo",
        2,
    )
    assert stored.principle_applied is True
    audit = AuditEvent.objects.get(object_type="compelledoffence", action="change")
    assert audit.details["decision"] == ["pending", "not_prosecuted"]
    assert "forged" not in str(audit.details)


def test_a_decision_needs_the_authority_and_the_date_and_a_fresh_read(world):
    record = services.record_compelled_offence(
        world.case, actor=world.users.responder, offence="Begging.", category="begging"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_non_punishment_decision(
            record, actor=world.users.coordinator, expected_version=1, decision="penalised"
        )
    assert set(excinfo.value.message_dict) == {"authority", "decided_on"}
    with pytest.raises(ConcurrentEdit):
        services.record_non_punishment_decision(
            record, actor=world.users.coordinator, expected_version=7, decision="pending"
        )
    assert CompelledOffence.objects.get(pk=record.pk).version == 1


def test_a_shelter_worker_records_no_offence(world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.record_compelled_offence(
            world.case, actor=world.users.provider, offence="Theft.", category="property"
        )


def test_non_conditionality_cannot_be_withdrawn_once_attested(world):
    case = world.case
    services.record_principles(
        case,
        actor=world.users.responder,
        expected_version=1,
        cooperation_status="reflecting",
        assistance_unconditional=True,
    )
    assert case.unconditional_attested_by == world.users.responder
    with pytest.raises(ValidationError) as excinfo:
        services.record_principles(
            case,
            actor=world.users.coordinator,
            expected_version=case.version,
            cooperation_status="reflecting",
            assistance_unconditional=False,
        )
    assert list(excinfo.value.message_dict) == ["assistance_unconditional"]
    assert ProtectionCase.objects.get(pk=case.pk).assistance_unconditional


# --- reviews -----------------------------------------------------------------------------------


def _review(case, user, due):
    review = services.schedule_review(case, actor=user, due_on=TODAY, topic="After reflection")
    CaseReview.objects.filter(pk=review.pk).update(due_on=due)
    return CaseReview.objects.get(pk=review.pk)


def test_overdue_reviews_are_listed_for_the_coordinators_of_the_country(world):
    coordinator = world.users.coordinator
    overdue = _review(world.case, coordinator, TODAY - timedelta(days=3))
    due_today = _review(world.case, coordinator, TODAY)
    _review(world.case, coordinator, TODAY + timedelta(days=5))  # not yet
    done = _review(world.case, coordinator, TODAY - timedelta(days=9))
    services.complete_review(done, actor=coordinator, outcome="She stays in the shelter.")
    closed_case = CaseFactory(
        person=PersonFactory(owner_agency=world.police), status="presumed_victim"
    )
    _review(closed_case, coordinator, TODAY - timedelta(days=1))
    ProtectionCase.objects.filter(pk=closed_case.pk).update(status="closed")

    assert list(services.reviews_due_for(coordinator)) == [overdue, due_today]
    assert overdue.is_overdue() and not due_today.is_overdue()
    assert len(services.reviews_due_for(coordinator, within_days=7)) == 3
    for outsider in ("foreign_coordinator", "responder", "provider", "analyst", "admin"):
        assert not services.reviews_due_for(getattr(world.users, outsider)).exists(), outsider


def test_a_review_is_completed_once_with_an_encrypted_outcome(world):
    review = services.schedule_review(world.case, actor=world.users.coordinator, due_on=TODAY)
    services.complete_review(review, actor=world.users.coordinator, outcome="Needs met.")
    assert (review.done_on, review.done_by, review.outcome) == (
        TODAY,
        world.users.coordinator,
        "Needs met.",
    )
    assert "Needs met" not in _raw("cases_casereview", "outcome", review.pk)
    with pytest.raises(ValidationError, match="already completed"):
        services.complete_review(review, actor=world.users.coordinator, outcome="Again.")


@pytest.mark.parametrize(
    ("due", "field"), [(TODAY - timedelta(days=1), "due_on"), (None, "due_on")]
)
def test_a_review_is_due_today_or_later(world, due, field):
    with pytest.raises(ValidationError) as excinfo:
        services.schedule_review(world.case, actor=world.users.coordinator, due_on=due)
    assert list(excinfo.value.message_dict) == [field]
    assert not CaseReview.objects.exists()


def test_only_a_coordinator_schedules_and_completes_reviews(world):
    with pytest.raises(PermissionDenied):
        services.schedule_review(world.case, actor=world.users.responder, due_on=TODAY)
    review = services.schedule_review(world.case, actor=world.users.coordinator, due_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.complete_review(review, actor=world.users.investigator, outcome="Done.")
    assert not CaseReview.objects.get(pk=review.pk).is_done
