"""A prosecutor tracks the requests her office sends abroad and receives: each step dated,
the legal deadline watched by the worker, and nobody outside the office reading them."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cooperation import services
from corridor.cooperation.models import CooperationRequest
from corridor.core.concurrency import ConcurrentEdit
from corridor.investigations.models import CriminalCase
from corridor.notifications.models import Notification

Status = CooperationRequest.Status
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def prosecutor(world):
    return world.users.prosecutor


def _mla(actor, **kwargs) -> CooperationRequest:
    fields = {
        "kind": CooperationRequest.Kind.MLA,
        "requested_country": "NG",
        "requested_authority": "Federal Ministry of Justice, Central Authority",
        "subject": "Bank records of the account that received the victims' debts",
    }
    return services.open_request(actor=actor, **{**fields, **kwargs})


def _send(req, actor, on=None):
    return services.change_status(
        req, actor=actor, status=Status.SENT, expected_version=req.version, on=on
    )


def test_a_request_is_drafted_then_sent_and_its_deadline_starts_that_day(prosecutor, settings):
    settings.CORRIDOR_COOPERATION_DEFAULT_DAYS = 60
    req = _mla(prosecutor)
    assert (req.status, req.requesting_country, req.requested_country) == ("draft", "IT", "NG")
    assert req.requesting_authority == prosecutor.agency.name and req.due_on is None
    _send(req, prosecutor, on=TODAY - timedelta(days=3))
    req.refresh_from_db()
    assert req.status == Status.SENT and req.sent_on == TODAY - timedelta(days=3)
    assert req.due_on == TODAY - timedelta(days=3) + timedelta(days=60)
    assert [e.to_status for e in req.events.all()] == ["draft", "sent"]
    assert AuditEvent.objects.filter(object_ref=req.reference, action="change").exists()


def test_the_subject_is_kept_encrypted(prosecutor):
    from django.db import connection

    req = _mla(prosecutor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject FROM cooperation_cooperationrequest WHERE id = %s", [req.pk])
        (stored,) = cursor.fetchone()
    assert "Bank records" not in stored and "victims" not in stored


@pytest.mark.parametrize(
    ("steps", "status", "field"),
    [
        ([], Status.ACKNOWLEDGED, "status"),  # a draft was never sent
        ([Status.SENT, Status.WITHDRAWN], Status.SENT, "status"),  # withdrawn is the end
        ([Status.SENT], Status.DRAFT, "status"),  # no way back
    ],
)
def test_a_step_the_lifecycle_does_not_allow_is_refused(prosecutor, steps, status, field):
    req = _mla(prosecutor)
    for step in steps:
        services.change_status(req, actor=prosecutor, status=step, expected_version=req.version)
    with pytest.raises(ValidationError) as refused:
        services.change_status(req, actor=prosecutor, status=status, expected_version=req.version)
    assert field in refused.value.message_dict


def test_bad_dates_and_countries_are_refused_with_the_field_named(prosecutor):
    with pytest.raises(ValidationError) as refused:
        _mla(prosecutor, requested_country="XX")
    assert "requested_country" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _mla(prosecutor, requested_country="IT")  # our own country
    assert "requested_country" in refused.value.message_dict
    req = _mla(prosecutor)
    with pytest.raises(ValidationError) as refused:
        _send(req, prosecutor, on=TODAY + timedelta(days=1))
    assert "sent_on" in refused.value.message_dict
    _send(req, prosecutor, on=TODAY - timedelta(days=10))
    req.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.record_answer(
            req,
            actor=prosecutor,
            outcome="granted",
            answered_on=TODAY - timedelta(days=11),
            expected_version=req.version,
        )
    assert "answered_on" in refused.value.message_dict
    req.refresh_from_db()
    assert req.status == Status.SENT and req.answered_on is None  # nothing half-written


def test_two_prosecutors_answering_at_once_do_not_overwrite_each_other(prosecutor):
    req = _send(_mla(prosecutor), prosecutor)
    stale = CooperationRequest.objects.get(pk=req.pk)
    services.record_answer(
        req, actor=prosecutor, outcome="partly", answered_on=TODAY, expected_version=req.version
    )
    with pytest.raises(ConcurrentEdit):
        services.record_answer(
            stale,
            actor=prosecutor,
            outcome="refused",
            answered_on=TODAY,
            expected_version=stale.version,
        )
    assert CooperationRequest.objects.get(pk=req.pk).outcome == "partly"


def test_a_request_received_from_abroad_is_open_from_the_day_it_arrived(prosecutor):
    req = services.open_request(
        actor=prosecutor,
        kind=CooperationRequest.Kind.EXTRADITION,
        direction=CooperationRequest.Direction.INCOMING,
        requesting_country="NG",
        requesting_authority="Attorney General of the Federation",
        subject="Surrender of a recruiter arrested in Palermo",
        received_on=TODAY - timedelta(days=5),
        requested_country="",
    )
    assert (req.requesting_country, req.requested_country) == ("NG", "IT")
    assert req.status == Status.ACKNOWLEDGED and req.sent_on == TODAY - timedelta(days=5)


def test_the_prosecutor_is_reminded_before_the_deadline_and_told_once_when_it_passes(
    prosecutor, settings, django_capture_on_commit_callbacks
):
    settings.CORRIDOR_COOPERATION_REMINDER_DAYS = 7
    soon = _mla(prosecutor, due_on=TODAY + timedelta(days=5))
    _send(soon, prosecutor, on=TODAY - timedelta(days=20))
    late = _mla(prosecutor, due_on=TODAY - timedelta(days=2))
    _send(late, prosecutor, on=TODAY - timedelta(days=40))
    far = _mla(prosecutor, due_on=TODAY + timedelta(days=30))
    _send(far, prosecutor, on=TODAY - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_cooperation_deadlines() == {"due_soon": 1, "overdue": 1}
        assert services.remind_cooperation_deadlines() == {"due_soon": 0, "overdue": 0}
    messages = sorted(n.message for n in Notification.objects.filter(recipient=prosecutor))
    assert len(messages) == 2
    assert any(late.reference in m and "overdue by 2 days" in m for m in messages)
    assert any(soon.reference in m and "deadline" in m for m in messages)
    assert not any(far.reference in m for m in messages)
    # a week later the soon one passes its deadline too: told once more, as overdue
    with time_machine.travel(timezone.now() + timedelta(days=7), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.remind_cooperation_deadlines()["overdue"] == 1


def test_an_answered_request_is_never_reminded(prosecutor, django_capture_on_commit_callbacks):
    req = _mla(prosecutor, due_on=TODAY - timedelta(days=1))
    _send(req, prosecutor, on=TODAY - timedelta(days=30))
    req.refresh_from_db()
    services.record_answer(
        req, actor=prosecutor, outcome="granted", answered_on=TODAY, expected_version=req.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_cooperation_deadlines() == {"due_soon": 0, "overdue": 0}


def test_how_long_requests_take_per_pair_of_countries(prosecutor, world):
    for days in (10, 20, 30, 40, 100):
        req = _mla(prosecutor)
        _send(req, prosecutor, on=TODAY - timedelta(days=days + 1))
        req.refresh_from_db()
        services.record_answer(
            req,
            actor=prosecutor,
            outcome="granted",
            answered_on=TODAY - timedelta(days=1),
            expected_version=req.version,
        )
    _send(
        _mla(prosecutor, due_on=TODAY - timedelta(days=1)), prosecutor, on=TODAY - timedelta(days=9)
    )
    _send(_mla(prosecutor, requested_country="FR"), prosecutor)
    pairs = {
        p.requested_country: p for p in services.durations_by_country_pair(world.users.analyst)
    }
    nigeria = pairs["NG"]
    assert (nigeria.answered, nigeria.open, nigeria.overdue) == (5, 1, 1)
    assert nigeria.median_days == 30 and nigeria.p90_days == pytest.approx(76)
    assert pairs["FR"].answered == 0 and pairs["FR"].median_days is None
    with pytest.raises(PermissionDenied):
        services.durations_by_country_pair(world.users.provider)


def test_a_request_can_name_only_a_criminal_case_of_the_office(prosecutor, world):
    own = CriminalCase.objects.create(owner_agency=prosecutor.agency, title="Operation Tide")
    other = CriminalCase.objects.create(owner_agency=world.foreign, title="Opération Sable")
    assert _mla(prosecutor, criminal_case=own).criminal_case == own
    with pytest.raises(ValidationError) as refused:
        _mla(prosecutor, criminal_case=other)
    assert "criminal_case" in refused.value.message_dict


# --- who sees a request ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees", "may_open"),
    [
        ("prosecutor", True, True),  # the owning office
        ("investigator", False, True),  # the police: another office
        ("coordinator", False, False),  # protection stays on its side of the wall
        ("provider", False, False),
        ("responder", False, False),
        ("analyst", False, False),  # counts only
        ("admin", False, False),
        ("foreign_coordinator", False, False),
    ],
)
def test_who_sees_a_request_and_who_may_make_one(client, world, settings, username, sees, may_open):
    settings.CORRIDOR_REQUIRE_MFA = False
    req = _mla(world.users.prosecutor)
    user = getattr(world.users, username)
    assert services.requests_visible_to(user).filter(pk=req.pk).exists() is sees
    assert services.may_work_on_requests(user) is may_open
    client.force_login(user)
    detail = client.get(f"/cooperation/{req.reference}/")
    assert detail.status_code == (200 if sees else 404)
    assert client.get("/cooperation/").status_code == (200 if may_open else 403)
    _token, raw = issue_api_token(actor=user, name="prosecution system")
    api = client.get(
        f"/api/cooperation/requests/{req.reference}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert api.status_code == (200 if sees else 404)
    if not sees:
        with pytest.raises(PermissionDenied):
            services.change_status(req, actor=user, status=Status.SENT, expected_version=1)
        post = client.post(
            f"/cooperation/{req.reference}/status/", {"status": "sent", "version": 1}
        )
        assert post.status_code == 404
        assert CooperationRequest.objects.get(pk=req.pk).status == Status.DRAFT
