"""The reflection period: at least 30 days to recover and decide, with a clock on the case."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from corridor.audit.models import AuditEvent
from corridor.cases import services
from corridor.cases.models import ProtectionCase, ReflectionClock
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import NOW, TODAY

# On 2 April 2026 (NOW): periods that started on 1 March 2026 are in their second month.
pytestmark = pytest.mark.time_machine(NOW)

MARCH_1 = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("today", "day", "days_left", "state", "days_over"),
    [
        (date(2026, 3, 1), 1, 29, "running", 0),
        (date(2026, 3, 12), 12, 18, "running", 0),  # "day 12 of 30, ends in 18 days"
        (date(2026, 3, 23), 23, 7, "ending", 0),
        (date(2026, 3, 30), 30, 0, "ending", 0),  # the last day
        (date(2026, 3, 31), 30, 0, "over", 1),
        (date(2026, 4, 2), 30, 0, "over", 3),
    ],
)
def test_the_clock_of_a_30_day_period(today, day, days_left, state, days_over):
    clock = ReflectionClock(MARCH_1, date(2026, 3, 30), today)
    assert clock.total_days == 30
    assert (clock.day, clock.days_left, clock.state, clock.days_over) == (
        day,
        days_left,
        state,
        days_over,
    )
    assert clock.is_over is (state == "over")
    assert clock.badge == {"running": "low", "ending": "medium", "over": "high"}[state]


def test_an_extension_lengthens_the_clock(world):
    case = world.case
    coordinator = world.users.coordinator
    services.start_reflection_period(
        case, actor=coordinator, expected_version=case.version, starts_on=MARCH_1
    )
    assert case.reflection_ends_on == date(2026, 3, 30)
    extension = services.extend_reflection_period(
        case,
        actor=coordinator,
        expected_version=case.version,
        new_end=date(2026, 4, 29),
        reason="Medical treatment continues.",
    )
    assert (extension.previous_end, extension.new_end) == (date(2026, 3, 30), date(2026, 4, 29))
    clock = case.reflection_clock()  # today, 2 April
    assert (clock.total_days, clock.day, clock.days_left, clock.is_over) == (60, 33, 27, False)
    stored = ProtectionCase.objects.get(pk=case.pk)
    assert stored.reflection_ends_on == date(2026, 4, 29) and stored.version == 3
    event = AuditEvent.objects.filter(object_ref=case.reference, action="change").last()
    assert event.details["reflection_ends_on"] == ["2026-03-30", "2026-04-29"]
    assert event.reason == "Medical treatment continues."


def test_the_default_length_comes_from_the_setting(world, settings):
    settings.CORRIDOR_REFLECTION_DAYS = 90
    case = world.case
    services.start_reflection_period(case, actor=world.users.responder, expected_version=1)
    clock = case.reflection_clock()
    assert (clock.starts_on, clock.total_days) == (TODAY, 90)


def test_without_the_setting_the_period_lasts_30_days(world, settings):
    del settings.CORRIDOR_REFLECTION_DAYS
    services.start_reflection_period(world.case, actor=world.users.responder, expected_version=1)
    assert world.case.reflection_clock().total_days == 30


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": 20}, "days"),  # below the Council of Europe minimum
        ({"starts_on": TODAY + timedelta(days=2)}, "starts_on"),
    ],
)
def test_a_bad_start_names_the_field_and_writes_nothing(world, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        services.start_reflection_period(
            world.case, actor=world.users.coordinator, expected_version=1, **kwargs
        )
    assert list(excinfo.value.message_dict) == [field]
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.reflection_starts_on, stored.version) == (None, 1)


def test_a_period_starts_once_and_is_then_extended(world):
    case = world.case
    services.start_reflection_period(case, actor=world.users.coordinator, expected_version=1)
    with pytest.raises(ValidationError, match="extend it instead"):
        services.start_reflection_period(case, actor=world.users.coordinator, expected_version=2)


@pytest.mark.parametrize(
    ("new_end", "reason", "fields"),
    [
        (date(2026, 3, 30), "Same day.", {"new_end"}),
        (date(2026, 3, 10), "Shorter.", {"new_end"}),
        (date(2026, 5, 1), "  ", {"reason"}),
    ],
)
def test_a_bad_extension_names_the_field_and_writes_nothing(world, new_end, reason, fields):
    case = world.case
    services.start_reflection_period(
        case, actor=world.users.coordinator, expected_version=1, starts_on=MARCH_1
    )
    with pytest.raises(ValidationError) as excinfo:
        services.extend_reflection_period(
            case,
            actor=world.users.coordinator,
            expected_version=case.version,
            new_end=new_end,
            reason=reason,
        )
    assert set(excinfo.value.message_dict) == fields
    assert ProtectionCase.objects.get(pk=case.pk).reflection_ends_on == date(2026, 3, 30)
    assert not case.reflection_extensions.exists()


def test_only_a_coordinator_extends_and_never_on_a_stale_read(world):
    case = world.case
    services.start_reflection_period(
        case, actor=world.users.responder, expected_version=1, starts_on=MARCH_1
    )
    with pytest.raises(PermissionDenied):
        services.extend_reflection_period(
            case,
            actor=world.users.responder,
            expected_version=case.version,
            new_end=date(2026, 5, 1),
            reason="More time.",
        )
    with pytest.raises(ConcurrentEdit):
        services.extend_reflection_period(
            case,
            actor=world.users.coordinator,
            expected_version=1,
            new_end=date(2026, 5, 1),
            reason="More time.",
        )
    assert not case.reflection_extensions.exists()


def test_a_shelter_worker_does_not_start_the_period(world):
    with pytest.raises(PermissionDenied):
        services.start_reflection_period(world.case, actor=world.users.provider, expected_version=1)
