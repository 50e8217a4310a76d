"""A referral's life: sent → accepted / declined → in progress → completed, or withdrawn.

Only the receiving agency answers and records services; only the sender or a coordinator
withdraws. Accepting takes a place of the shelter; the people who must act are told.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import NOW, UserFactory
from corridor.notifications.models import Notification
from corridor.referrals import services
from corridor.referrals.models import ServiceDelivery
from corridor.referrals.tests.helpers import stored

TODAY = timezone.localdate


def told(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("message", flat=True))


def accept(world, referral, **kwargs):
    return services.accept_referral(
        referral, actor=world.users.provider, expected_version=referral.version, **kwargs
    )


def deliver(world, referral, **kwargs):
    arguments = {"service_type": "shelter", "delivered_on": TODAY(), "notes": ""}
    arguments.update(kwargs)
    return services.record_service_delivery(referral, actor=world.users.provider, **arguments)


# --- sending ----------------------------------------------------------------------------------


def test_the_shelters_providers_are_told_of_a_new_referral(
    world, consent, women_shelter, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.shelter,
            service_type="shelter",
            offer=women_shelter,
        )
    (message,) = told(world.users.provider)
    assert referral.reference in message and world.case.reference in message
    assert world.person.given_name not in message  # e-mail leaves the instance: no names
    assert told(world.users.other_provider) == [] and told(world.users.responder) == []
    assert [m.to for m in mailoutbox] == [[world.users.provider.email]]
    event = AuditEvent.objects.get(action="create", object_ref=referral.reference)
    assert event.details["consent"] == consent.pk
    assert event.details["shared"] == ["identity", "case"]


def test_an_agency_without_service_providers_hears_through_its_operational_staff(
    world, django_capture_on_commit_callbacks
):
    from corridor.consent.models import Consent
    from corridor.consent.services import record_consent

    record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[Consent.Purpose.CRIMINAL_PROCEEDINGS],
        data_categories=["identity", "case"],
        method=Consent.Method.WRITTEN,
        recipient_agencies=[world.prosecution],
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.refer_case(
            world.case,
            actor=world.users.responder,
            to_agency=world.prosecution,
            service_type="investigation",
        )
    assert len(told(world.users.prosecutor)) == 1


# --- answering --------------------------------------------------------------------------------


def test_accepting_takes_a_place_and_tells_the_sender_and_the_coordinator(
    world, referral, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accept(world, referral)
    referral = stored(referral)
    assert (referral.status, referral.version, referral.holds_place) == ("accepted", 2, True)
    assert referral.responded_at is not None
    assert stored(referral.offer).free_places == 1
    for user in (world.users.responder, world.users.coordinator):
        (message,) = told(user)
        assert referral.reference in message and "accepted" in message
    assert told(world.users.provider) == []  # not the one who acted


def test_a_full_shelter_cannot_accept_and_nothing_changes(world, referral, women_shelter):
    services.publish_capacity(
        women_shelter, actor=world.users.provider, free_places=0, expected_version=1
    )
    with pytest.raises(ValidationError) as excinfo:
        accept(world, referral)
    assert "no free place" in excinfo.value.message_dict["offer"][0]
    assert (stored(referral).status, stored(referral).version) == ("sent", 1)
    assert stored(women_shelter).free_places == 0
    # the shelter publishes the bed that came free, then accepts
    services.publish_capacity(
        stored(women_shelter), actor=world.users.provider, free_places=1, expected_version=2
    )
    accept(world, stored(referral))
    assert stored(women_shelter).free_places == 0


def test_a_referral_without_an_offer_does_not_count_places(world, consent, women_shelter):
    referral = services.refer_case(
        world.case, actor=world.users.responder, to_agency=world.shelter, service_type="shelter"
    )
    accept(world, referral)
    assert not stored(referral).holds_place
    assert stored(women_shelter).free_places == 2


def test_declining_needs_a_reason_and_tells_the_coordinator(
    world, referral, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as excinfo:
        services.decline_referral(
            referral, actor=world.users.provider, reason=" ", expected_version=1
        )
    assert list(excinfo.value.message_dict) == ["decline_reason"]
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_referral(
            referral, actor=world.users.provider, reason="No bed until March.", expected_version=1
        )
    assert stored(referral).decline_reason == "No bed until March."
    assert stored(referral.offer).free_places == 2
    (message,) = told(world.users.coordinator)
    assert "declined" in message and "another referral" in message


@pytest.mark.parametrize("username", ["responder", "colleague", "coordinator", "investigator"])
def test_only_the_receiving_agency_answers(world, referral, username):
    actor = getattr(world.users, username)
    for answer in (services.accept_referral, services.complete_referral):
        with pytest.raises(PermissionDenied):
            answer(referral, actor=actor, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.decline_referral(referral, actor=actor, reason="no", expected_version=1)
    assert stored(referral).status == "sent"


def test_an_answer_on_a_stale_version_writes_nothing(world, referral):
    with pytest.raises(ConcurrentEdit):
        services.accept_referral(referral, actor=world.users.provider, expected_version=7)
    assert stored(referral).status == "sent"
    assert stored(referral.offer).free_places == 2  # the place taken is rolled back


# --- services delivered -----------------------------------------------------------------------


def test_the_first_service_starts_the_referral_and_the_case_is_assisted(
    world, referral, django_capture_on_commit_callbacks
):
    accept(world, referral)
    referral = stored(referral)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = deliver(
            world, referral, notes="Bed 4. Medical check booked for Monday.", service_type="shelter"
        )
    referral = stored(referral)
    assert referral.status == "in_progress" and referral.started_at is not None
    assert stored(world.case).status == ProtectionCase.Status.ASSISTED
    (message,) = told(world.users.coordinator)
    assert "Services are being delivered" in message and world.case.reference in message
    # the notes are stored encrypted and never go into the audit trail
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM referrals_servicedelivery WHERE id = %s", [delivery.pk])
        (raw,) = cursor.fetchone()
    assert "Bed 4" not in raw
    assert stored(delivery).notes == "Bed 4. Medical check booked for Monday."
    event = AuditEvent.objects.get(action="create", object_type="servicedelivery")
    assert "Bed 4" not in str(event.details)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(world, referral, service_type="medical")
    assert stored(referral).status == "in_progress"
    assert len(told(world.users.coordinator)) == 1  # told once, on the first service


def test_a_case_the_provider_may_not_move_stays_and_waits_for_the_coordinator(world, referral):
    ProtectionCase.objects.filter(pk=world.case.pk).update(status="identified")
    accept(world, referral)
    deliver(world, stored(referral))
    assert stored(world.case).status == "identified"
    waiting = services.waiting_for(world.users.coordinator, kinds=["delivering"])
    assert [(i.case, i.referral) for i in waiting] == [(world.case, stored(referral))]


@pytest.mark.time_machine(NOW)  # the referral is sent on NOW's day
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service_type": "astrology"}, "service_type"),
        ({"delivered_on": "2026-01-01"}, "delivered_on"),  # text, not a date
        ({"delivered_on": NOW.date() + timedelta(days=1)}, "delivered_on"),
        ({"delivered_on": NOW.date() - timedelta(days=30)}, "delivered_on"),  # before it was sent
    ],
)
def test_bad_delivery_input_names_the_field_and_writes_nothing(world, referral, change, field):
    accept(world, referral)
    with pytest.raises(ValidationError) as excinfo:
        deliver(world, stored(referral), **change)
    assert list(excinfo.value.message_dict) == [field]
    assert not ServiceDelivery.objects.exists()
    assert stored(referral).status == "accepted"


def test_services_are_recorded_only_once_accepted_and_only_by_the_receiving_agency(world, referral):
    with pytest.raises(ValidationError) as excinfo:
        deliver(world, referral)
    assert list(excinfo.value.message_dict) == ["status"]
    accept(world, referral)
    for name in ("responder", "coordinator", "other_provider"):
        with pytest.raises(PermissionDenied):
            services.record_service_delivery(
                stored(referral),
                actor=getattr(world.users, name),
                service_type="shelter",
                delivered_on=TODAY(),
            )
    assert not ServiceDelivery.objects.exists()


def test_completing_gives_the_place_back_and_tells_the_sender(
    world, referral, django_capture_on_commit_callbacks
):
    accept(world, referral)
    deliver(world, stored(referral))
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_referral(stored(referral), actor=world.users.provider, expected_version=3)
    referral = stored(referral)
    assert (referral.status, referral.holds_place) == ("completed", False)
    assert stored(referral.offer).free_places == 2
    assert any("completed" in m for m in told(world.users.responder))
    with pytest.raises(ValidationError):
        deliver(world, referral)


def test_a_place_given_back_never_exceeds_the_total(world, referral, women_shelter):
    accept(world, referral)  # 1 free place left; then the shelter finds all 10 free
    services.publish_capacity(
        stored(women_shelter), actor=world.users.provider, free_places=10, expected_version=2
    )
    services.complete_referral(stored(referral), actor=world.users.provider, expected_version=2)
    assert stored(women_shelter).free_places == 10


# --- withdrawing ------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["responder", "colleague", "coordinator"])
def test_the_sender_or_a_coordinator_withdraws(
    world, referral, username, django_capture_on_commit_callbacks
):
    accept(world, referral)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_referral(
            stored(referral),
            actor=getattr(world.users, username),
            reason="She moved to her sister's in Turin.",
            expected_version=2,
        )
    referral = stored(referral)
    assert (referral.status, referral.holds_place) == ("withdrawn", False)
    assert referral.withdrawn_by == getattr(world.users, username)
    assert stored(referral.offer).free_places == 2
    assert any("withdrawn" in m for m in told(world.users.provider))


@pytest.mark.parametrize("username", ["provider", "other_provider", "prosecutor", "analyst"])
def test_nobody_else_withdraws(world, referral, username):
    with pytest.raises(PermissionDenied):
        services.withdraw_referral(
            referral, actor=getattr(world.users, username), reason="no", expected_version=1
        )
    assert stored(referral).status == "sent"


def test_a_coordinator_of_another_country_does_not_withdraw(world, referral):
    with pytest.raises(PermissionDenied):
        services.withdraw_referral(
            referral, actor=world.users.foreign_coordinator, reason="no", expected_version=1
        )


def test_withdrawing_needs_a_reason_and_an_open_referral(world, referral):
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_referral(
            referral, actor=world.users.responder, reason="", expected_version=1
        )
    assert list(excinfo.value.message_dict) == ["withdraw_reason"]
    services.decline_referral(
        referral, actor=world.users.provider, reason="Full", expected_version=1
    )
    with pytest.raises(ValidationError) as excinfo:
        services.withdraw_referral(
            stored(referral), actor=world.users.responder, reason="late", expected_version=2
        )
    assert list(excinfo.value.message_dict) == ["status"]


def test_an_inactive_account_is_told_nothing(world, consent, django_capture_on_commit_callbacks):
    gone = UserFactory(agency=world.shelter, roles=["service_provider"], is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.refer_case(
            world.case, actor=world.users.responder, to_agency=world.shelter, service_type="mhpss"
        )
    assert told(gone) == []
