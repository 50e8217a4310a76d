"""The NRM lifecycle: who may move a case where, and what each move leaves behind.

The world (corridor/conftest.py): Palermo police identified a woman; her case (owned by the
police) is at "presumed victim" and was referred to a shelter in Palermo. The coordinator
works at the national anti-trafficking office, in Italy like the police.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.cases import services
from corridor.cases.models import CaseEvent, ProtectionCase
from corridor.cases.services import COORDINATOR, OWNER, PROVIDER, TRANSITIONS
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.notifications.models import Notification
from corridor.referrals.models import Referral

S = ProtectionCase.Status


def move(case, user, to, **kwargs):
    return services.change_case_status(
        case, actor=user, status=to, expected_version=case.version, **kwargs
    )


def history(case):
    return list(
        case.events.filter(kind=CaseEvent.Kind.STATUS).values_list("from_value", "to_value")
    )


def test_a_coordinator_takes_a_case_through_the_whole_lifecycle(
    world, django_capture_on_commit_callbacks
):
    responder, coordinator = world.users.responder, world.users.coordinator
    person = PersonFactory(owner_agency=world.police)
    case = services.open_case(person, actor=responder)
    assert case.status == S.IDENTIFIED

    with django_capture_on_commit_callbacks(execute=True):
        services.propose_presumed_victim(case, actor=responder, note="Forced labour indicators.")
    assert Notification.objects.filter(recipient=coordinator).count() == 1

    for stage in (
        S.PRESUMED_VICTIM,
        S.REFERRED,
        S.ASSISTED,
        S.LONG_TERM_SUPPORT,
        S.RETURN_REINTEGRATION,
    ):
        move(case, coordinator, stage, note=f"now {stage}")
    move(case, coordinator, S.CLOSED, closure_reason="returned")
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_from) == (
        "closed",
        "returned",
        "return_reintegration",
    )
    assert case.closed_at is not None

    # Reopened at the stage it was closed from: the return did not hold.
    move(case, coordinator, S.RETURN_REINTEGRATION, note="Re-trafficked after return.")
    case.refresh_from_db()
    assert (case.status, case.closed_at, case.closure_reason) == ("return_reintegration", None, "")

    assert history(case) == [
        ("identified", "presumed_victim"),
        ("presumed_victim", "referred"),
        ("referred", "assisted"),
        ("assisted", "long_term_support"),
        ("long_term_support", "return_reintegration"),
        ("return_reintegration", "closed"),
        ("closed", "return_reintegration"),
    ]
    closing = case.events.get(to_value="closed")
    assert (closing.actor, closing.reason) == (coordinator, "returned")
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[:2] == ["opened", "proposal"]
    audited = AuditEvent.objects.filter(object_ref=case.reference, action="change")
    assert [e.details.get("status") for e in audited if "status" in e.details][-1] == [
        "closed",
        "return_reintegration",
    ]


def test_confirming_presumed_victim_status_starts_the_reflection_period(world, settings):
    settings.CORRIDOR_REFLECTION_DAYS = 45
    case = CaseFactory(person=world.person, owner_agency=world.police, status=S.IDENTIFIED)
    move(case, world.users.coordinator, S.PRESUMED_VICTIM)
    today = timezone.localdate()
    clock = case.reflection_clock()
    assert (clock.starts_on, clock.total_days, clock.day) == (today, 45, 1)
    assert case.events.filter(kind=CaseEvent.Kind.REFLECTION).exists()


def test_a_closed_case_reopens_as_identified_or_at_its_last_stage_only(world):
    case = CaseFactory(
        person=world.person, owner_agency=world.police, status=S.CLOSED, closed_from=S.ASSISTED
    )
    assert services.transitions_for(world.users.coordinator, case) == ["identified", "assisted"]
    with pytest.raises(ValidationError) as excinfo:
        move(case, world.users.coordinator, S.LONG_TERM_SUPPORT)
    assert "Closed" in excinfo.value.messages[0]
    move(case, world.users.coordinator, S.IDENTIFIED, note="New information.")
    assert case.status == S.IDENTIFIED


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.IDENTIFIED, S.ASSISTED),
        (S.PRESUMED_VICTIM, S.LONG_TERM_SUPPORT),
        (S.REFERRED, S.LOCAL_INTEGRATION),
        (S.ASSISTED, S.IDENTIFIED),
    ],
)
def test_a_forbidden_transition_names_both_stages_and_writes_nothing(world, current, target):
    case = CaseFactory(person=world.person, owner_agency=world.police, status=current)
    with pytest.raises(ValidationError) as excinfo:
        move(case, world.users.coordinator, target)
    message = excinfo.value.message_dict["status"][0]
    assert str(S(current).label) in message and str(S(target).label) in message
    stored = ProtectionCase.objects.get(pk=case.pk)
    assert (stored.status, stored.version) == (current, 1)
    assert not CaseEvent.objects.filter(case=case).exists()


def test_moving_to_the_current_stage_says_so(world):
    with pytest.raises(ValidationError, match="already at stage Presumed victim"):
        move(world.case, world.users.coordinator, S.PRESUMED_VICTIM)


def _actor(world, role):
    if role == PROVIDER:
        Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.ACCEPTED)
        return world.users.provider
    return {COORDINATOR: world.users.coordinator, OWNER: world.users.responder}[role]


TABLE = [
    (current, target, role, role in who)
    for current, targets in TRANSITIONS.items()
    for target, who in targets.items()
    if target != services.PREVIOUS_STAGE
    for role in (COORDINATOR, OWNER, PROVIDER)
]


@pytest.mark.parametrize(("current", "target", "role", "allowed"), TABLE)
def test_each_transition_is_allowed_only_to_the_roles_the_table_names(
    world, current, target, role, allowed
):
    case = world.case
    ProtectionCase.objects.filter(pk=case.pk).update(status=current, closed_from="assisted")
    case.refresh_from_db()
    actor = _actor(world, role)
    kwargs = {"closure_reason": "lost_contact"} if target == S.CLOSED else {}
    if allowed:
        move(case, actor, target, **kwargs)
        assert ProtectionCase.objects.get(pk=case.pk).status == target
    else:
        with pytest.raises(PermissionDenied):
            move(case, actor, target, **kwargs)
        assert ProtectionCase.objects.get(pk=case.pk).status == current


def test_a_shelter_worker_cannot_close_a_case_but_records_that_she_took_the_woman_in(world):
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.ACCEPTED)
    case = world.case
    with pytest.raises(PermissionDenied, match="Who may: NRM coordinators"):
        move(case, world.users.provider, S.CLOSED, closure_reason="lost_contact")
    move(case, world.users.provider, S.ASSISTED, note="Placed in the shelter.")
    assert ProtectionCase.objects.get(pk=case.pk).status == S.ASSISTED


def test_a_shelter_that_has_not_accepted_the_referral_changes_nothing(world):
    with pytest.raises(PermissionDenied):
        move(world.case, world.users.provider, S.ASSISTED)


def test_a_responder_proposes_and_cannot_confirm_presumed_victim_status(world):
    case = CaseFactory(person=world.person, owner_agency=world.police, status=S.IDENTIFIED)
    with pytest.raises(PermissionDenied):
        move(case, world.users.responder, S.PRESUMED_VICTIM)
    assert services.transitions_for(world.users.responder, case) == []
    event = services.propose_presumed_victim(case, actor=world.users.responder)
    assert (event.kind, event.to_value) == ("proposal", "presumed_victim")
    assert ProtectionCase.objects.get(pk=case.pk).status == S.IDENTIFIED
    with pytest.raises(PermissionDenied):
        services.propose_presumed_victim(case, actor=world.users.provider)


def test_only_an_identified_case_is_proposed(world):
    with pytest.raises(ValidationError, match="Presumed victim"):
        services.propose_presumed_victim(world.case, actor=world.users.responder)


def test_an_investigator_may_record_assistance_but_not_long_term_support(world):
    case = world.case
    move(case, world.users.investigator, S.ASSISTED)
    with pytest.raises(PermissionDenied):
        move(case, world.users.investigator, S.LONG_TERM_SUPPORT)


def test_a_foreign_coordinator_plays_no_part_in_an_italian_case(world):
    assert services.case_roles(world.users.foreign_coordinator, world.case) == frozenset()
    with pytest.raises(PermissionDenied):
        move(world.case, world.users.foreign_coordinator, S.REFERRED)


def test_case_roles_agree_with_the_need_to_know_module(world):
    from corridor.accounts import access

    for user in vars(world.users).values():
        roles = services.case_roles(user, world.case)
        assert bool(roles & {COORDINATOR, OWNER}) == access.can_change_case(user, world.case)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "closure_reason"),
        ({"closure_reason": "vanished"}, "closure_reason"),
        ({"closure_reason": "other"}, "note"),
    ],
)
def test_closing_needs_a_reason_and_other_needs_a_note(world, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        move(world.case, world.users.coordinator, S.CLOSED, **kwargs)
    assert list(excinfo.value.message_dict) == [field]
    assert ProtectionCase.objects.get(pk=world.case.pk).status == S.PRESUMED_VICTIM
    move(world.case, world.users.coordinator, S.CLOSED, closure_reason="other", note="Moved on.")
    assert world.case.closure_reason == "other"


def test_a_transition_based_on_a_stale_read_is_refused_and_writes_nothing(world):
    stale = ProtectionCase.objects.get(pk=world.case.pk)
    move(world.case, world.users.responder, S.REFERRED)
    with pytest.raises(ConcurrentEdit):
        services.change_case_status(
            stale,
            actor=world.users.coordinator,
            status=S.CLOSED,
            expected_version=1,
            closure_reason="lost_contact",
        )
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.status, stored.version, stored.closure_reason) == ("referred", 2, "")
    assert history(world.case) == [("presumed_victim", "referred")]


def test_non_conditionality_a_person_who_declines_to_cooperate_still_gets_every_stage(world):
    """Assistance never depends on cooperating with the police: cooperation gates nothing."""
    coordinator = world.users.coordinator
    case = CaseFactory(person=world.person, owner_agency=world.police, status=S.IDENTIFIED)
    services.record_principles(
        case,
        actor=coordinator,
        expected_version=case.version,
        cooperation_status=ProtectionCase.Cooperation.DECLINED,
        assistance_unconditional=True,
        note="She does not want to talk to the police.",
    )
    for stage in (S.PRESUMED_VICTIM, S.REFERRED, S.ASSISTED, S.LONG_TERM_SUPPORT):
        move(case, coordinator, stage)
    stored = ProtectionCase.objects.get(pk=case.pk)
    assert (stored.status, stored.cooperation_status) == ("long_term_support", "declined")
    assert stored.assistance_unconditional


def test_the_assigned_coordinator_is_told_when_someone_else_moves_her_case(
    world, django_capture_on_commit_callbacks
):
    case = world.case
    ProtectionCase.objects.filter(pk=case.pk).update(coordinator=world.users.coordinator)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        move(case, world.users.responder, S.REFERRED)
    note = Notification.objects.get(recipient=world.users.coordinator)
    assert case.reference in note.message and "Referred" in note.message
    assert world.person.given_name not in note.message
