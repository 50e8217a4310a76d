"""The pages: coordinators send (after a preview) and answer; administrators manage partners;
everyone else gets 403, or 404 for what they may not even see. Lists avoid N+1."""

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.audit.models import AuditEvent
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.crossborder import keys, services
from corridor.crossborder.messages import new_payload
from corridor.crossborder.models import OutboxMessage, Partner, TransnationalReferral
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.testing import ClientTransport


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def sent(world, partners, consent):
    return services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )


# --- partners ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [("admin", 200), ("coordinator", 403), ("responder", 403), ("analyst", 403)],
)
def test_only_administrators_see_the_partner_pages(client, world, partners, username, expected):
    as_user(client, getattr(world.users, username))
    assert client.get("/crossborder/partners/").status_code == expected
    assert client.get(f"/crossborder/partners/{partners.nigeria.pk}/").status_code == expected
    assert client.get("/crossborder/partners/new/").status_code == expected
    response = client.post(f"/crossborder/partners/{partners.nigeria.pk}/suspend/", {})
    assert response.status_code == (302 if expected == 200 else 403)
    assert Partner.objects.get(pk=partners.nigeria.pk).status == (
        "suspended" if expected == 200 else "active"
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, partners):
    response = client.get("/crossborder/partners/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_administrator_registers_a_partner_by_pasting_its_key(client, world, italy):
    as_user(client, world.users.admin)
    page = client.get("/crossborder/partners/").content.decode()
    assert italy.signing_key.key_id in page  # this instance's key, to hand over
    jwk = keys.generate_instance_key().public_jwk
    response = client.post(
        "/crossborder/partners/new/",
        {
            "country": "NG",
            "name": "NAPTIP",
            "base_url": "https://corridor.naptip.gov.ng",
            "public_jwk": json.dumps(jwk),
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{partner.pk}/")
    assert partner.key_id == jwk["kid"]

    private = keys.generate_instance_key()
    response = client.post(
        "/crossborder/partners/new/",
        {
            "country": "GH",
            "name": "Ghana",
            "base_url": "https://gh.example.org",
            "public_jwk": json.dumps(private.key.as_dict(private=True) | {"kid": "gh"}),
        },
    )
    assert response.status_code == 200
    assert "This is a private key" in response.content.decode()
    assert Partner.objects.count() == 1


def test_the_partner_page_shows_messages_held_and_lets_them_be_retried(
    client, world, partners, sent, nigeria, settings
):
    settings.CORRIDOR_CROSSBORDER_MAX_REJECTIONS = 1
    deliver_pending(transport=ClientTransport(client, nigeria, fail_with=400))
    as_user(client, world.users.admin)
    page = client.get(f"/crossborder/partners/{partners.nigeria.pk}/").content.decode()
    assert "referral.offer" in page and "HTTP 400" in page
    client.post(f"/crossborder/partners/{partners.nigeria.pk}/retry/")
    assert OutboxMessage.objects.get().status == "pending"


# --- sending -----------------------------------------------------------------------------------


def test_a_coordinator_previews_then_sends(client, world, partners, consent):
    as_user(client, world.users.coordinator)
    url = f"/crossborder/send/{world.case.reference}/"
    form = client.get(url)
    assert form.status_code == 200 and "NAPTIP" in form.content.decode()
    preview = client.get(url, {"partner": partners.nigeria.pk, "purpose": "return_reintegration"})
    html = preview.content.decode()
    assert 'data-testid="preview"' in html
    assert "prs_FirstName" in html and world.person.given_name in html
    assert "crd_Narrative" not in html and world.person.narrative not in html
    assert not TransnationalReferral.objects.exists()  # a preview sends nothing

    response = client.post(url, {"partner": partners.nigeria.pk, "purpose": "return_reintegration"})
    referral = TransnationalReferral.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{referral.reference}/")
    assert OutboxMessage.objects.get().type == "referral.offer"


def test_without_consent_the_send_page_says_why(client, world, partners):
    as_user(client, world.users.coordinator)
    response = client.get(
        f"/crossborder/send/{world.case.reference}/",
        {"partner": partners.nigeria.pk, "purpose": "family_tracing"},
    )
    assert "No active consent of the person covers" in response.content.decode()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("coordinator", 200),
        ("responder", 403),  # sees the case, does not send it abroad
        ("provider", 403),
        ("other_provider", 404),
        ("foreign_coordinator", 404),
        ("admin", 404),
    ],
)
def test_only_coordinators_send(client, world, partners, consent, username, expected):
    as_user(client, getattr(world.users, username))
    url = f"/crossborder/send/{world.case.reference}/"
    assert client.get(url).status_code == expected
    data = {"partner": partners.nigeria.pk, "purpose": "return_reintegration"}
    assert client.post(url, data).status_code == (302 if expected == 200 else expected)
    assert TransnationalReferral.objects.exists() == (expected == 200)


# --- the queue and a referral's page -----------------------------------------------------------


def test_the_queue_is_for_coordinators(client, world, partners):
    for user, expected in (
        (world.users.coordinator, 200),
        (world.users.responder, 403),
        (world.users.admin, 403),
        (world.users.provider, 403),
    ):
        as_user(client, user)
        assert client.get("/crossborder/").status_code == expected


def test_the_queue_lists_many_referrals_in_constant_queries(
    client, world, partners, nigeria, naptip, italy
):
    def add_incoming(n):
        for _ in range(n):
            with italy.active():
                token = italy.sign(
                    new_payload(
                        type="referral.offer",
                        recipient_country="NG",
                        referral_id=str(uuid.uuid4()),
                        body={
                            "purpose": "return_reintegration",
                            "categories": ["identity"],
                            "record": {"prs_FirstName": "A"},
                            "sender": {"agency": "Numero Verde Antitratta"},
                        },
                    )
                )
            with nigeria.active():
                response = client.post("/crossborder/inbox", token, content_type="application/jose")
            assert response.status_code == 200

    def count():
        with nigeria.active():
            as_user(client, naptip.coordinator)
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/crossborder/")
            assert response.status_code == 200
        return len(queries), response.content.decode().count('data-status="received"')

    add_incoming(2)
    few, shown = count()
    assert shown == 2
    add_incoming(8)
    many, shown = count()
    assert shown == 10 and many == few


def test_the_owning_agency_reads_its_case_referral_but_does_not_act(client, world, sent):
    as_user(client, world.users.responder)
    assert client.get(f"/crossborder/{sent.reference}/").status_code == 200
    response = client.post(f"/crossborder/{sent.reference}/withdraw/", {"reason": "x"})
    assert response.status_code == 403
    for outsider in (
        world.users.other_provider,
        world.users.foreign_coordinator,
        world.users.admin,
    ):
        as_user(client, outsider)
        assert client.get(f"/crossborder/{sent.reference}/").status_code == 404
        hidden = client.get(f"/crossborder/{sent.reference}/")
        missing = client.get("/crossborder/X-00000000/")
        assert hidden.status_code == missing.status_code == 404


def test_reading_a_referral_is_audited(client, world, sent):
    as_user(client, world.users.coordinator)
    client.get(f"/crossborder/{sent.reference}/")
    assert AuditEvent.objects.filter(
        action="view", object_type="transnationalreferral", object_ref=sent.reference
    ).exists()


def test_a_coordinator_withdraws_from_the_referral_page(client, world, sent):
    as_user(client, world.users.coordinator)
    page = client.get(f"/crossborder/{sent.reference}/").content.decode()
    assert 'data-testid="withdraw-form"' in page
    response = client.post(
        f"/crossborder/{sent.reference}/withdraw/",
        {"reason": "She stays in Italy.", "version": sent.version + 5},
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "sent"  # an old version: refused, nothing changed
    client.post(
        f"/crossborder/{sent.reference}/withdraw/",
        {"reason": "She stays in Italy.", "version": sent.version},
    )
    sent.refresh_from_db()
    assert sent.status == "withdrawn"


def test_nigeria_accepts_reports_and_sees_the_withdrawal_on_its_pages(
    client, world, sent, nigeria, naptip
):
    deliver_pending(transport=ClientTransport(client, nigeria))
    received = TransnationalReferral.objects.get(direction="incoming")
    with nigeria.active():
        as_user(client, naptip.coordinator)
        page = client.get(f"/crossborder/{received.reference}/").content.decode()
        assert 'data-testid="decline-form"' in page
        client.post(f"/crossborder/{received.reference}/accept/", {"version": received.version})
        received.refresh_from_db()
        assert received.status == "accepted" and received.case is not None
        client.post(
            f"/crossborder/{received.reference}/status/",
            {"status": "reintegration_followup", "month": ""},
        )
        received.refresh_from_db()
        assert received.status == "accepted"  # a follow-up needs its month
        client.post(f"/crossborder/{received.reference}/status/", {"status": "assisted"})
        received.refresh_from_db()
        assert received.status == "assisted"
        # A first responder of NAPTIP may not answer.
        as_user(client, naptip.responder)
        assert client.post(f"/crossborder/{received.reference}/accept/").status_code == 404


def test_nigeria_is_told_before_accepting_that_it_may_know_the_person(
    client, world, sent, nigeria, naptip
):
    deliver_pending(transport=ClientTransport(client, nigeria))
    received = TransnationalReferral.objects.get(direction="incoming")
    known = PersonFactory(
        owner_agency=naptip.agency,
        given_name=world.person.given_name,
        family_name=world.person.family_name.upper(),
        sex=world.person.sex,
        nationality=world.person.nationality,
        phone=world.person.phone,
    )
    with nigeria.active():
        as_user(client, naptip.coordinator)
        page = client.get(f"/crossborder/{received.reference}/").content.decode()
    assert 'data-testid="seen-before"' in page and known.reference in page
    assert 'data-testid="register-anyway"' not in page  # accepting is the partner's answer


def test_the_case_page_snippet_offers_sending_only_to_coordinators(world, partners, consent):
    from django.template.loader import render_to_string

    for user, offered in ((world.users.coordinator, True), (world.users.responder, False)):
        html = render_to_string(
            "crossborder/_case_transnational.html", {"case": world.case, "user": user}
        )
        assert ("/crossborder/send/" in html) == offered
        assert "Not sent to a partner country." in html


def test_the_case_snippet_queries_do_not_grow_with_referrals(world, partners, consent):
    from django.template.loader import render_to_string

    def queries():
        with CaptureQueriesContext(connection) as captured:
            render_to_string(
                "crossborder/_case_transnational.html",
                {"case": world.case, "user": world.users.coordinator},
            )
        return len(captured)

    services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="family_tracing",
    )
    one = queries()
    services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="return_reintegration",
    )
    assert queries() == one


def test_another_case_of_the_country_is_not_shown_on_this_one(world, partners, consent):
    other = CaseFactory(person=PersonFactory(owner_agency=world.police), owner_agency=world.police)
    services.send_transnational_referral(
        world.case,
        actor=world.users.coordinator,
        partner=partners.nigeria,
        purpose="family_tracing",
    )
    from corridor.crossborder.templatetags.crossborder import case_transnational_context

    assert case_transnational_context(world.users.coordinator, other)["referrals"] == []
