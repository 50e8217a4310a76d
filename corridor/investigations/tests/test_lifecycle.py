"""A criminal case moves investigation → prosecution → trial → verdict → (appeal →) final;
each stage keeps its date, a history line and an audit event; other moves are refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import NOW, TODAY, AgencyFactory, CriminalCaseFactory
from corridor.investigations import services
from corridor.investigations.models import CriminalCase, CriminalCaseEvent, Stage
from corridor.notifications.models import Notification

pytestmark = pytest.mark.time_machine(NOW)


@pytest.fixture
def kcase(world):
    return CriminalCaseFactory(
        owner_agency=world.police, investigation_on=TODAY - timedelta(days=200)
    )


def move(kcase, user, stage, on=None, **kwargs):
    kcase.refresh_from_db()
    return services.move_stage(
        kcase, actor=user, stage=stage, on=on, expected_version=kcase.version, **kwargs
    )


def test_an_investigator_refers_the_case_to_the_prosecutor_who_is_told(
    world, kcase, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(
            kcase,
            world.users.investigator,
            Stage.PROSECUTION,
            on=TODAY - timedelta(days=100),
            prosecutor_agency=world.prosecution,
        )
    kcase.refresh_from_db()
    assert kcase.stage == Stage.PROSECUTION
    assert kcase.prosecution_on == TODAY - timedelta(days=100)
    assert kcase.prosecutor_agency == world.prosecution
    assert Notification.objects.filter(recipient=world.users.prosecutor).exists()
    event = kcase.events.get(kind=CriminalCaseEvent.Kind.STAGE)
    assert (event.from_value, event.to_value, event.actor) == (
        "investigation",
        "prosecution",
        world.users.investigator,
    )
    assert AuditEvent.objects.filter(
        object_ref=kcase.reference, action="change", details__stage=["investigation", "prosecution"]
    ).exists()


def test_the_prosecutor_takes_the_case_through_trial_verdict_appeal_to_final(world, kcase):
    move(kcase, world.users.investigator, Stage.PROSECUTION, prosecutor_agency=world.prosecution)
    prosecutor = world.users.prosecutor
    for stage in (Stage.TRIAL, Stage.VERDICT, Stage.APPEAL, Stage.FINAL):
        move(kcase, prosecutor, stage)
    kcase.refresh_from_db()
    assert kcase.stage == Stage.FINAL
    assert [label for label, _on in kcase.stage_dates] == [
        "Investigation",
        "Prosecution",
        "Trial",
        "Verdict",
        "Appeal",
        "Final judgment",
    ]
    assert kcase.events.filter(kind="stage").count() == 5


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Stage.INVESTIGATION, Stage.TRIAL),
        (Stage.INVESTIGATION, Stage.VERDICT),
        (Stage.PROSECUTION, Stage.VERDICT),
        (Stage.TRIAL, Stage.FINAL),
        (Stage.TRIAL, Stage.APPEAL),
        (Stage.FINAL, Stage.APPEAL),
        (Stage.DISCONTINUED, Stage.PROSECUTION),
        (Stage.VERDICT, Stage.TRIAL),
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_refused_naming_the_stage(
    world, kcase, start, target
):
    CriminalCase.objects.filter(pk=kcase.pk).update(
        stage=start, prosecutor_agency=world.prosecution
    )
    with pytest.raises(ValidationError) as refused:
        move(kcase, world.users.prosecutor, target)
    assert "stage" in refused.value.message_dict
    kcase.refresh_from_db()
    assert kcase.stage == start and not kcase.events.exists()


def test_only_a_prosecutor_moves_a_case_to_trial(world, kcase):
    move(kcase, world.users.investigator, Stage.PROSECUTION, prosecutor_agency=world.prosecution)
    with pytest.raises(PermissionDenied):
        move(kcase, world.users.investigator, Stage.TRIAL)
    assert services.transitions_for(world.users.investigator, kcase) == []
    assert services.transitions_for(world.users.prosecutor, kcase) == ["trial", "discontinued"]


def test_referring_for_prosecution_names_the_office(world, kcase):
    with pytest.raises(ValidationError) as refused:
        move(kcase, world.users.investigator, Stage.PROSECUTION)
    assert "prosecutor_agency" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        move(kcase, world.users.investigator, Stage.PROSECUTION, prosecutor_agency=world.shelter)
    assert "prosecutor_agency" in refused.value.message_dict


def test_a_stage_cannot_be_dated_before_the_previous_one_or_in_the_future(world, kcase):
    for on in (TODAY - timedelta(days=201), TODAY + timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            move(
                kcase,
                world.users.investigator,
                Stage.PROSECUTION,
                on=on,
                prosecutor_agency=world.prosecution,
            )
        assert "on" in refused.value.message_dict
    kcase.refresh_from_db()
    assert kcase.stage == Stage.INVESTIGATION


def test_a_move_based_on_an_old_read_is_refused(world, kcase):
    stale = kcase.version
    move(kcase, world.users.investigator, Stage.PROSECUTION, prosecutor_agency=world.prosecution)
    with pytest.raises(ConcurrentEdit):
        services.move_stage(
            kcase, actor=world.users.prosecutor, stage=Stage.TRIAL, expected_version=stale
        )


def test_a_prosecution_office_may_own_a_case_and_needs_no_referral(world):
    kcase = CriminalCaseFactory(owner_agency=world.prosecution)
    move(kcase, world.users.prosecutor, Stage.PROSECUTION)
    kcase.refresh_from_db()
    assert kcase.stage == Stage.PROSECUTION and kcase.prosecutor_agency is None


def test_an_outsider_cannot_move_the_case(world, kcase):
    other = AgencyFactory(sector="prosecution")
    from corridor.core.testing import UserFactory

    stranger = UserFactory(agency=other, roles=["prosecutor"])
    with pytest.raises(PermissionDenied):
        move(kcase, stranger, Stage.PROSECUTION, prosecutor_agency=other)
