"""Legal holds and the right to erasure, as the people who use them: the Palermo prosecutor
places a hold for a trial, the national coordinator cannot lift it; a victim asks for her
records to be erased and the coordinator records it — refused while the hold or her open
case requires them, carried out once nothing does. Who may do what, including every denial,
and what the audit trail keeps (never the content)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.testing import NOW, TODAY, ReferralFactory
from corridor.people.models import Person
from corridor.retention import services
from corridor.retention.models import Erasure, ErasureRequest, LegalHold
from corridor.vocabularies import ServiceType

from .conftest import MARK, closed_case, person

pytestmark = pytest.mark.time_machine(NOW)

REASON = "Trial 4471/2026 RGNR before the Corte d'Assise of Palermo"


@pytest.fixture
def referred_to_prosecutor(world):
    """The Palermo police referred the case to the prosecutor's office: the prosecutor sees it."""
    return ReferralFactory(
        case=world.case,
        from_agency=world.police,
        to_agency=world.prosecution,
        service_type=ServiceType.INVESTIGATION,
    )


@pytest.fixture
def closed_victim(world):
    """A victim whose only case closed a month ago: nothing keeps her records but a hold."""
    victim = person(world, days_ago=400)
    closed_case(world, victim, closed_days_ago=30)
    return victim


# --- legal holds -----------------------------------------------------------------------------


def test_the_prosecutor_places_a_hold_and_only_her_office_lifts_it(world, referred_to_prosecutor):
    prosecutor, coordinator = world.users.prosecutor, world.users.coordinator
    hold = services.place_legal_hold(world.person, actor=prosecutor, reason=REASON)
    assert hold.is_active and hold.agency == world.prosecution and hold.placed_by == prosecutor

    with pytest.raises(PermissionDenied):
        services.lift_legal_hold(hold, actor=coordinator, reason="The NRM no longer needs it")
    assert LegalHold.objects.get(pk=hold.pk).is_active

    services.lift_legal_hold(hold, actor=prosecutor, reason="Judgment final on 1 April")
    hold.refresh_from_db()
    assert not hold.is_active and hold.lifted_by == prosecutor
    with pytest.raises(ValidationError, match="lifted already"):
        services.lift_legal_hold(hold, actor=prosecutor, reason="Judgment final on 1 April")


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("coordinator", True),  # every record of her country
        ("prosecutor", True),  # the case was referred to her office
        ("responder", False),
        ("investigator", False),
        ("provider", False),
        ("analyst", False),
        ("admin", False),
        ("foreign_coordinator", False),
    ],
)
def test_who_places_a_legal_hold(world, referred_to_prosecutor, username, allowed):
    actor = getattr(world.users, username)
    if allowed:
        assert services.place_legal_hold(world.person, actor=actor, reason=REASON).is_active
    else:
        with pytest.raises(PermissionDenied):
            services.place_legal_hold(world.person, actor=actor, reason=REASON)
        assert not LegalHold.objects.exists()


def test_a_prosecutor_holds_only_the_records_referred_to_her_office(world):
    with pytest.raises(PermissionDenied):
        services.place_legal_hold(world.person, actor=world.users.prosecutor, reason=REASON)


def test_a_hold_needs_a_reason_which_is_encrypted_and_audited(world):
    with pytest.raises(ValidationError) as error:
        services.place_legal_hold(world.person, actor=world.users.coordinator, reason=" trial ")
    assert "reason" in error.value.message_dict and not LegalHold.objects.exists()

    hold = services.place_legal_hold(
        world.person, actor=world.users.coordinator, reason=f"{REASON} {MARK}"
    )
    event = AuditEvent.objects.get(object_type="legal_hold", object_ref=hold.reference)
    assert event.action == AuditEvent.Action.CREATE and event.details == {
        "person": world.person.reference
    }
    assert MARK in event.reason
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM retention_legalhold")
        assert MARK not in cursor.fetchone()[0]
        cursor.execute("SELECT reason, details FROM audit_auditevent")
        assert not any(MARK in str(value) for row in cursor.fetchall() for value in row)
    assert MARK in LegalHold.objects.get(pk=hold.pk).reason


# --- the right to erasure --------------------------------------------------------------------


def test_a_request_is_refused_while_her_case_is_open(world):
    request = services.request_erasure(
        world.person, actor=world.users.coordinator, requested_on=TODAY, note="Asked at the shelter"
    )
    assert request.refused
    assert [g["ground"] for g in request.refusal] == ["open_case", "open_referral"]
    messages = request.refusal_messages()
    assert world.case.reference in messages[0] and "Presumed victim" in messages[0]
    assert world.referral.reference in messages[1] and world.shelter.name in messages[1]
    assert not Erasure.objects.exists()
    assert Person.objects.get(pk=world.person.pk).given_name == world.person.given_name
    event = AuditEvent.objects.get(object_type="erasure_request")
    assert event.details == {
        "person": world.person.reference,
        "outcome": "refused",
        "grounds": ["open_case", "open_referral"],
    }


def test_a_request_is_refused_under_a_legal_hold_then_carried_out_once_it_is_lifted(
    world, closed_victim
):
    coordinator = world.users.coordinator
    hold = services.place_legal_hold(closed_victim, actor=world.users.coordinator, reason=REASON)
    refused = services.request_erasure(closed_victim, actor=coordinator)
    assert refused.refused and refused.refusal[0]["ground"] == "legal_hold"
    assert hold.reference in refused.refusal_messages()[0]
    assert REASON not in refused.refusal_messages()[0]  # the hold's reason stays with it

    services.lift_legal_hold(hold, actor=coordinator, reason="Claim settled out of court")
    done = services.request_erasure(closed_victim, actor=coordinator, note=f"Again {MARK}")
    assert done.status == ErasureRequest.Status.CARRIED_OUT and not done.refusal
    erasure = Erasure.objects.get(person=closed_victim)
    assert (erasure.rule, erasure.request, erasure.erased_by) == ("request", done, coordinator)
    stored = Person.objects.get(pk=closed_victim.pk)
    assert stored.given_name == stored.narrative == stored.phone == ""
    assert ErasureRequest.objects.get(pk=done.pk).note == ""  # its own free text goes too
    assert LegalHold.objects.get(pk=hold.pk).reason == ""  # so does the lifted hold's
    event = AuditEvent.objects.get(action="delete", object_ref=closed_victim.reference)
    assert event.details["erasure"] == "request" and event.details["request"] == done.reference
    assert event.actor_id == coordinator.pk

    with pytest.raises(ValidationError, match="erased already"):
        services.request_erasure(closed_victim, actor=coordinator)
    with pytest.raises(ValidationError, match="erased already"):
        services.place_legal_hold(closed_victim, actor=coordinator, reason=REASON)


def test_a_pending_non_punishment_decision_keeps_the_records(world, closed_victim):
    from corridor.cases.models import CompelledOffence

    CompelledOffence.objects.filter(case__person=closed_victim).update(
        decision=CompelledOffence.Decision.PENDING
    )
    request = services.request_erasure(closed_victim, actor=world.users.coordinator)
    assert request.refused and request.refusal[0]["ground"] == "pending_decision"
    assert "non-punishment" in request.refusal_messages()[0]


@pytest.mark.parametrize(
    "username",
    [
        "responder",
        "investigator",
        "prosecutor",
        "provider",
        "analyst",
        "admin",
        "foreign_coordinator",
    ],
)
def test_only_a_coordinator_of_her_country_handles_a_request(
    world, closed_victim, referred_to_prosecutor, username
):
    with pytest.raises(PermissionDenied):
        services.request_erasure(closed_victim, actor=getattr(world.users, username))
    assert not ErasureRequest.objects.exists() and not Erasure.objects.exists()


def test_a_request_cannot_be_dated_in_the_future(world, closed_victim):
    with pytest.raises(ValidationError) as error:
        services.request_erasure(
            closed_victim,
            actor=world.users.coordinator,
            requested_on=timezone.localdate() + timedelta(days=1),
        )
    assert "requested_on" in error.value.message_dict and not ErasureRequest.objects.exists()


def test_a_case_closed_yesterday_no_longer_stands_in_the_way(world):
    """Closing her case (she declined further assistance) is what lets the request through."""
    victim = person(world, days_ago=30)
    closed_case(world, victim, closed_days_ago=1, reason="declined_assistance")
    assert not ProtectionCase.objects.filter(person=victim).exclude(status="closed").exists()
    request = services.request_erasure(victim, actor=world.users.coordinator)
    assert not request.refused and Erasure.objects.filter(person=victim).exists()
