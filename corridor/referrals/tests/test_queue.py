"""Nobody is lost between agencies: a referral unanswered past the response time, or declined,
comes back to the coordinator's queue, which shows everyone waiting, longest first; a cron
command tells the coordinators once about each newly overdue referral.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from corridor.cases.models import ProtectionCase
from corridor.consent.services import revoke_consent
from corridor.core.testing import CaseFactory, ReferralFactory, UserFactory
from corridor.notifications.models import Notification
from corridor.referrals import services
from corridor.referrals.models import Referral
from corridor.referrals.services import Waiting
from corridor.referrals.tests.helpers import sent_hours_ago, stored


@pytest.fixture
def hours(settings):
    settings.CORRIDOR_REFERRAL_RESPONSE_HOURS = 24
    return 24


def kinds(waiting) -> list[tuple[str, str]]:
    return [(item.kind, (item.referral or item.case).reference) for item in waiting]


def test_a_referral_is_overdue_once_the_response_time_has_passed(world, referral, hours):
    coordinator = world.users.coordinator
    assert kinds(services.waiting_for(coordinator)) == [("unanswered", referral.reference)]
    sent_hours_ago(referral, 23.5)
    assert kinds(services.waiting_for(coordinator)) == [("unanswered", referral.reference)]
    referral = sent_hours_ago(referral, 24.5)
    assert referral.is_overdue
    (item,) = services.waiting_for(coordinator)
    assert (item.kind, item.referral, item.waited_hours) == ("overdue", referral, 24)


def test_the_delay_is_configurable(world, referral, settings):
    sent_hours_ago(referral, 30)
    settings.CORRIDOR_REFERRAL_RESPONSE_HOURS = 48
    assert [i.kind for i in services.waiting_for(world.users.coordinator)] == ["unanswered"]
    settings.CORRIDOR_REFERRAL_RESPONSE_HOURS = 12
    assert [i.kind for i in services.waiting_for(world.users.coordinator)] == ["overdue"]


def test_a_declined_referral_waits_until_the_case_is_referred_again(world, referral, hours):
    coordinator = world.users.coordinator
    services.decline_referral(
        referral, actor=world.users.provider, reason="Full", expected_version=1
    )
    assert kinds(services.waiting_for(coordinator)) == [("declined", referral.reference)]
    again = services.refer_case(
        world.case,
        actor=coordinator,
        to_agency=world.other_shelter,
        service_type="shelter",
    )
    assert kinds(services.waiting_for(coordinator)) == [("unanswered", again.reference)]
    # another service does not replace the shelter that was declined
    services.withdraw_referral(again, actor=coordinator, reason="wrong", expected_version=1)
    assert kinds(services.waiting_for(coordinator)) == [("declined", referral.reference)]


def test_everyone_waiting_longest_first(world, referral, hours):
    """A presumed victim unreferred for a year, an overdue and a fresh referral, and one
    declined two years ago."""
    coordinator = world.users.coordinator
    forgotten = CaseFactory(owner_agency=world.police, person__owner_agency=world.police)
    ProtectionCase.objects.filter(pk=forgotten.pk).update(
        opened_at=referral.created_at - timedelta(days=365)
    )
    overdue = sent_hours_ago(referral, 100)
    fresh = ReferralFactory(from_agency=world.police, to_agency=world.other_shelter)
    declined = ReferralFactory(
        from_agency=world.police,
        to_agency=world.other_shelter,
        status="declined",
        decline_reason="No place",
    )
    Referral.objects.filter(pk=declined.pk).update(
        responded_at=overdue.created_at - timedelta(days=2 * 365)
    )
    waiting = services.waiting_for(coordinator)
    assert kinds(waiting) == [
        ("declined", declined.reference),
        ("unreferred", forgotten.reference),
        ("overdue", overdue.reference),
        ("unanswered", fresh.reference),
    ]
    assert waiting.count() == len(waiting[:]) == 4
    assert kinds(waiting[1:3]) == kinds(waiting)[1:3]
    assert {
        kind: services.waiting_for(coordinator, kinds=[kind]).count() for kind in Waiting.ALL
    } == {
        "unreferred": 1,
        "overdue": 1,
        "unanswered": 1,
        "declined": 1,
        "delivering": 0,
    }
    only = services.waiting_for(coordinator, kinds=[Waiting.OVERDUE, Waiting.DECLINED])
    assert [i.kind for i in only] == ["declined", "overdue"]
    to_catania = services.waiting_for(coordinator, to_agency=world.other_shelter)
    assert [i.kind for i in to_catania] == ["declined", "unanswered"]


def test_the_queue_holds_only_what_the_user_may_see(world, referral, hours):
    sent_hours_ago(referral, 30)
    foreign_case = CaseFactory(owner_agency=world.foreign, person__owner_agency=world.foreign)
    foreign = ReferralFactory(case=foreign_case, from_agency=world.foreign)
    sent_hours_ago(foreign, 30)
    assert [i.referral for i in services.waiting_for(world.users.coordinator)] == [referral]
    assert [i.referral for i in services.waiting_for(world.users.foreign_coordinator)] == [
        stored(foreign)
    ]
    assert services.waiting_for(world.users.analyst).count() == 0


def test_mine_shows_the_cases_the_coordinator_is_assigned(world, referral, hours):
    coordinator = world.users.coordinator
    assert services.waiting_for(coordinator, mine=True).count() == 0
    ProtectionCase.objects.filter(pk=world.case.pk).update(coordinator=coordinator)
    assert services.waiting_for(coordinator, mine=True).count() == 1


def test_a_referral_whose_consent_was_revoked_no_longer_waits_for_an_answer(world, referral, hours):
    sent_hours_ago(referral, 30)
    revoke_consent(referral.consent, actor=world.users.responder)
    assert kinds(services.waiting_for(world.users.coordinator)) == [
        ("unreferred", world.case.reference)
    ]


# --- the page ---------------------------------------------------------------------------------


def test_the_queue_page_shows_how_long_each_has_waited(client, world, referral, hours):
    sent_hours_ago(referral, 50)
    client.force_login(world.users.coordinator)
    response = client.get("/referrals/queue/")
    assert response.status_code == 200
    page = response.content.decode()
    assert referral.reference in page and world.case.reference in page
    assert "2\xa0days" in page and "Referral overdue" in page
    filtered = client.get("/referrals/queue/?kind=unreferred")
    assert referral.reference not in filtered.content.decode()
    assert client.get("/referrals/queue/?kind=nonsense").status_code == 200  # ignored


@pytest.mark.parametrize("username", ["responder", "provider", "analyst", "admin", "prosecutor"])
def test_the_queue_is_for_coordinators(client, world, username):
    client.force_login(getattr(world.users, username))
    assert client.get("/referrals/queue/").status_code == 403


def test_the_queue_page_runs_a_fixed_number_of_queries(
    client, world, hours, django_assert_max_num_queries
):
    """Each row names its person (redacted and audited once for the page), whatever the
    number of rows."""
    client.force_login(world.users.coordinator)
    client.get("/referrals/queue/")  # warm the session and the user's roles
    with django_assert_max_num_queries(24) as first:
        client.get("/referrals/queue/")
    for n in range(15):
        sent_hours_ago(ReferralFactory(from_agency=world.police, to_agency=world.shelter), n * 10)
        CaseFactory(owner_agency=world.police, person__owner_agency=world.police)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/referrals/queue/")
    assert response.context["page"].paginator.count == 31


def test_a_long_queue_says_more_than_it_counts(client, world, hours, settings):
    """A national queue is not counted to the last row on every request: past the limit the
    coordinator reads "more than", and the pages offered stop there."""
    settings.CORRIDOR_COUNT_LIMIT = 25
    for n in range(27):
        sent_hours_ago(ReferralFactory(from_agency=world.police, to_agency=world.shelter), n)
    client.force_login(world.users.coordinator)
    response = client.get("/referrals/queue/")
    paginator = response.context["page"].paginator
    assert (paginator.count, paginator.more) == (25, True)
    page = response.content.decode()
    assert "More than 25 waiting" in page
    assert len(response.context["page"].object_list) == 28  # a full page all the same
    home = client.get("/").content.decode()
    assert "More than 25 persons or referrals waiting" in home

    settings.CORRIDOR_COUNT_LIMIT = 1000
    page = client.get("/referrals/queue/").content.decode()
    assert "28 waiting" in page and "More than" not in page  # the 27 and the world's case
    assert "28 persons or referrals waiting" in client.get("/").content.decode()


# --- the cron command -------------------------------------------------------------------------


def test_the_command_tells_the_coordinator_and_the_sender_once(
    world, referral, hours, django_capture_on_commit_callbacks
):
    second_coordinator = UserFactory(agency=world.nrm, roles=["coordinator"])
    sent_hours_ago(referral, 25)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals_overdue", stdout=out)
    assert referral.reference in out.getvalue() and "1 overdue referral" in out.getvalue()
    for user in (world.users.coordinator, second_coordinator, world.users.responder):
        (note,) = Notification.objects.filter(recipient=user)
        assert referral.reference in note.message and "25 hours" in note.message
    assert not Notification.objects.filter(recipient=world.users.provider).exists()
    assert stored(referral).overdue_notified_at is not None

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals_overdue", stdout=out)
    assert "No newly overdue referral" in out.getvalue()
    assert Notification.objects.filter(recipient=world.users.coordinator).count() == 1


def test_the_command_tells_only_the_assigned_coordinator(
    world, referral, hours, django_capture_on_commit_callbacks
):
    UserFactory(agency=world.nrm, roles=["coordinator"])
    ProtectionCase.objects.filter(pk=world.case.pk).update(coordinator=world.users.coordinator)
    sent_hours_ago(referral, 25)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals_overdue", stdout=StringIO())
    # the assigned coordinator and the sender, not the other coordinator of the office
    assert Notification.objects.filter(message__contains=referral.reference).count() == 2


def test_the_command_leaves_fresh_answered_and_revoked_referrals_alone(
    world, referral, hours, django_capture_on_commit_callbacks
):
    answered = ReferralFactory(from_agency=world.police, status="accepted")
    sent_hours_ago(answered, 100)
    sent_hours_ago(referral, 20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notify_overdue_referrals() == []
        sent_hours_ago(referral, 30)
        revoke_consent(referral.consent, actor=world.users.responder)
        assert services.notify_overdue_referrals() == []
    # the recipients hear that the referral was withdrawn, nobody that it is overdue
    assert not Notification.objects.filter(message__contains="back in your queue").exists()


def test_a_queue_past_the_limit_is_not_counted_further(world, hours, django_assert_num_queries):
    for n in range(4):
        sent_hours_ago(ReferralFactory(from_agency=world.police, to_agency=world.shelter), n)
    waiting = services.waiting_for(world.users.coordinator)
    per_kind = [
        services.waiting_for(world.users.coordinator, kinds=[k]).count() for k in Waiting.ALL
    ]
    with django_assert_num_queries(len(Waiting.ALL)):
        assert waiting.count_upto(10) == sum(per_kind) == 5  # the world's and the four
    # past a limit of 2, the kinds after the one that went past it are not counted
    reached = next(i for i in range(len(per_kind)) if sum(per_kind[: i + 1]) > 2)
    assert reached < len(Waiting.ALL) - 1
    with django_assert_num_queries(reached + 1):
        assert waiting.count_upto(2) == 3
