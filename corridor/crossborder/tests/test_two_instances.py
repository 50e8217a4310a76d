"""Two instances in one process: Italy sends a woman's case to Nigeria for her return and
reintegration; Nigeria accepts, reports her follow-up, and Italy sees it on the case; then
Italy withdraws and Nigeria stops. (The same story between two real server processes is the
end-to-end test's.)"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory

from corridor.accounts import access
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.crossborder import services
from corridor.crossborder.models import TransnationalReferral
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.testing import ClientTransport
from corridor.people.models import Person


@pytest.fixture
def exchange(client, italy, nigeria, django_capture_on_commit_callbacks):
    """Deliver everything each instance has queued to the other (notifications included)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            with italy.active():
                deliver_pending(transport=ClientTransport(client, nigeria))
            with nigeria.active():
                deliver_pending(transport=ClientTransport(client, italy))

    return run


def outgoing():
    return TransnationalReferral.objects.get(direction="outgoing")


def incoming():
    return TransnationalReferral.objects.get(direction="incoming")


def case_snippet(user, case) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "crossborder/_case_transnational.html", {"case": case, "user": user}, request=request
    )


def test_send_accept_report_back_and_withdraw(
    client, world, partners, consent, italy, nigeria, naptip, exchange
):
    # Italy sends.
    sent = services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    exchange()
    sent.refresh_from_db()
    assert sent.status == "received"

    # Nigeria's coordinator finds it in her queue, with the sender's details, and is told.
    received = incoming()
    with nigeria.active():
        client.force_login(naptip.coordinator)
        page = client.get("/crossborder/")
        assert received.reference in page.content.decode()
        detail = client.get(f"/crossborder/{received.reference}/").content.decode()
        assert world.nrm.name in detail and world.users.coordinator.email in detail
        assert world.person.given_name in detail
        assert world.case.reference in detail  # their case, to talk about it
    assert naptip.coordinator.notifications.filter(message__contains=received.reference).exists()
    assert received.partner == partners.italy and received.sender["country"] == "IT"

    # She accepts: a person and a case are opened in Nigeria, owned by NAPTIP.
    with nigeria.active():
        services.accept_incoming_referral(received, actor=naptip.coordinator)
    received.refresh_from_db()
    local_case = received.case
    assert local_case.owner_agency == naptip.agency and local_case.person != world.person
    assert local_case.person.given_name == world.person.given_name
    assert local_case.person.family_name == world.person.family_name
    assert local_case.person.nationality == "NG"
    assert local_case.person.narrative == ""  # never sent
    assert local_case.forms_of_exploitation == world.case.forms_of_exploitation
    exchange()

    # Italy sees it accepted, on the case, and the case's coordinator is told.
    sent.refresh_from_db()
    assert sent.status == "accepted" and sent.remote_id == received.uid
    html = case_snippet(world.users.coordinator, world.case)
    assert sent.reference in html and "Accepted" in html
    assert world.users.coordinator.notifications.filter(message__contains="accepted").exists()

    # Nigeria reports her follow-up; it flows back.
    with nigeria.active():
        services.report_status(received, "assisted", actor=naptip.coordinator)
        services.report_status(received, "returned", actor=naptip.coordinator)
        services.report_status(received, "reintegration_followup", 3, actor=naptip.coordinator)
        with pytest.raises(ValidationError):  # a report moves forward only
            services.report_status(received, "assisted", actor=naptip.coordinator)
    exchange()
    sent.refresh_from_db()
    assert (sent.status, sent.followup_month) == ("reintegration_followup", 3)
    assert [r.label() for r in sent.status_reports.all()] == [
        "Accepted",
        "Assisted",
        "Returned",
        "Reintegration follow-up: 3 months",
    ]
    assert "Reintegration follow-up: 3 months" in case_snippet(world.users.coordinator, world.case)

    # Italy withdraws; Nigeria stops: withdrawn, the data received erased, told to stop.
    services.withdraw_transnational_referral(
        sent, actor=world.users.coordinator, reason="She asked to stop all contact."
    )
    exchange()
    received.refresh_from_db()
    assert received.status == "withdrawn" and received.payload == {}
    assert received.withdraw_reason == "She asked to stop all contact."
    assert naptip.coordinator.notifications.filter(
        message__contains=f"close or restrict case {local_case.reference}"
    ).exists()
    assert ProtectionCase.objects.filter(pk=local_case.pk).exists()  # Nigeria's own record
    with nigeria.active(), pytest.raises(ValidationError):
        services.report_status(received, "reintegration_followup", 6, actor=naptip.coordinator)

    # Both sides audited every message, sent and received.
    messages = AuditEvent.objects.filter(object_type="crossborder_message")
    sent_ids = set(messages.filter(action="export").values_list("object_ref", flat=True))
    received_ids = set(
        messages.filter(action="message_received", details__direction="in").values_list(
            "object_ref", flat=True
        )
    )
    assert len(sent_ids) == 6  # offer, accepted, three reports, withdrawal
    assert sent_ids == received_ids


def test_nigeria_declines_with_a_reason_and_keeps_nothing(
    client, world, partners, consent, nigeria, naptip, exchange
):
    sent = services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="family_tracing",
    )
    exchange()
    received = incoming()
    with nigeria.active():
        services.decline_incoming_referral(
            received, actor=naptip.coordinator, reason="Her family lives in Ghana, not here."
        )
    received.refresh_from_db()
    assert received.status == "declined" and received.payload == {}
    assert not Person.objects.filter(owner_agency=naptip.agency).exists()
    exchange()
    sent.refresh_from_db()
    assert sent.status == "declined"
    assert sent.decline_reason == "Her family lives in Ghana, not here."
    assert "Her family lives in Ghana" in case_snippet(world.users.coordinator, world.case)


def test_each_side_acts_only_on_its_own_side(world, partners, consent, nigeria, naptip, exchange):
    sent = services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    exchange()
    received = incoming()
    # Italy's coordinator neither sees nor answers what Nigeria received...
    assert received not in access.transnational_referrals_visible_to(world.users.coordinator)
    with pytest.raises(PermissionDenied):
        services.accept_incoming_referral(received, actor=world.users.coordinator)
    # ...and Nigeria's coordinator does not see Italy's case or withdraw Italy's referral.
    assert sent not in access.transnational_referrals_visible_to(naptip.coordinator)
    with pytest.raises(PermissionDenied):
        services.withdraw_transnational_referral(sent, actor=naptip.coordinator, reason="no")
    # A first responder in Nigeria does not answer referrals either.
    with nigeria.active(), pytest.raises(PermissionDenied):
        services.accept_incoming_referral(received, actor=naptip.responder)
