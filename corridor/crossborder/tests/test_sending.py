"""Sending a case abroad: only with a consent covering the country, the purpose and every
kind of data sent; only the fields the purpose needs; the preview is exactly what leaves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.cases.services import record_needs_assessment
from corridor.consent.models import Consent
from corridor.consent.services import record_consent, revoke_consent
from corridor.crossborder import payload, services
from corridor.crossborder.models import OutboxMessage, TransnationalReferral
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.testing import ClientTransport

P, D = Consent.Purpose, Consent.DataCategory

IDENTITY = {
    "prs_FirstName",
    "prs_SecondName",
    "crd_Aliases",
    "prs_Gender",
    "prs_Birthdate",
    "crd_AgeEstimateMin",
    "crd_AgeEstimateMax",
    "crd_AgeDisputed",
    "crd_PresumedMinor",
    "prs_Citizenship",
    "crd_Languages",
}


def send(world, partners, purpose="return_reintegration", **kwargs):
    return services.send_transnational_referral(
        world.case,
        actor=kwargs.pop("actor", world.users.coordinator),
        partner=kwargs.pop("partner", partners.nigeria),
        purpose=purpose,
        **kwargs,
    )


def preview(world, partners, purpose="return_reintegration"):
    return services.preview_transnational_referral(
        world.case, actor=world.users.coordinator, partner=partners.nigeria, purpose=purpose
    )


def offer_body():
    return OutboxMessage.objects.get(type="referral.offer").payload["body"]


def test_the_preview_is_exactly_what_is_sent(world, partners, consent):
    record_needs_assessment(world.case, actor=world.users.coordinator, needs=["shelter", "medical"])
    shown = preview(world, partners)
    assert set(shown["record"]) == IDENTITY | {
        "prs_MobilePhone",
        "prs_Email",
        "prs_MailingStreet",
        "cas_Status",
        "crd_CaseKind",
        "vic_TypeOfExploitation",
        "crd_RiskLevel",
        "crd_Needs",
    }
    assert shown["record"]["prs_FirstName"] == world.person.given_name
    assert shown["record"]["prs_Gender"] == "Female"
    assert shown["record"]["crd_Needs"] == ["shelter", "medical"]
    assert shown["categories"] == ["identity", "contact", "health", "case"]
    assert shown["consent_id"] == consent.pk
    assert [row["field"] for row in shown["fields"]] == list(shown["record"])

    referral = send(world, partners)
    body = offer_body()
    assert body["record"] == shown["record"] == referral.payload
    assert body["categories"] == shown["categories"] == referral.categories
    assert body["sender"] == shown["sender"]
    assert body["sender"]["agency"] == world.nrm.name
    assert referral.consent == consent and referral.status == "sent"


def test_the_account_of_what_happened_never_goes_for_return_even_when_consented(world, partners):
    record_consent(
        world.person,
        actor=world.users.responder,
        purposes=[P.RETURN_REINTEGRATION, P.INFORMATION_FOR_PROTECTION],
        data_categories=[D.IDENTITY, D.CONTACT, D.CASE, D.HEALTH, D.STORY, D.DOCUMENTS],
        method=Consent.Method.WRITTEN,
        recipient_countries=["NG"],
    )
    assert world.person.narrative
    for_return = preview(world, partners)["record"]
    assert "crd_Narrative" not in for_return and "crd_DocumentNumber" not in for_return
    send(world, partners)
    assert "crd_Narrative" not in offer_body()["record"]
    assert world.person.narrative not in str(offer_body())

    # Information for protection may carry it, and does, since the consent covers it.
    for_protection = preview(world, partners, "information_for_protection")
    assert for_protection["record"]["crd_Narrative"] == world.person.narrative
    assert for_protection["left_out"] == []


def test_information_for_protection_carries_identity_and_risk_only(world, partners, consent):
    shown = preview(world, partners, "information_for_protection")
    assert set(shown["record"]) == IDENTITY | {"crd_RiskLevel", "vic_TypeOfExploitation"}
    assert shown["categories"] == ["identity", "case"]
    # The story is optional for this purpose: not covered, so not sent, and the preview says so.
    assert [row["field"] for row in shown["left_out"]] == ["crd_Narrative"]


def test_family_tracing_carries_identity_and_the_last_address(world, partners, consent):
    shown = preview(world, partners, "family_tracing")
    assert set(shown["record"]) == IDENTITY | {"prs_MailingStreet"}
    assert "prs_MobilePhone" not in shown["record"] and "cas_Status" not in shown["record"]


@pytest.mark.parametrize(
    ("purposes", "categories", "countries"),
    [
        ([P.RETURN_REINTEGRATION], [D.IDENTITY, D.CONTACT, D.CASE, D.HEALTH], ["GH"]),
        ([P.FAMILY_TRACING], [D.IDENTITY, D.CONTACT, D.CASE, D.HEALTH], ["NG"]),
        ([P.RETURN_REINTEGRATION], [D.IDENTITY, D.CONTACT, D.CASE], ["NG"]),  # no needs
    ],
    ids=["another country", "another purpose", "not every category"],
)
def test_without_a_covering_consent_nothing_is_sent(
    world, partners, purposes, categories, countries
):
    record_consent(
        world.person,
        actor=world.users.responder,
        purposes=purposes,
        data_categories=categories,
        method=Consent.Method.WRITTEN,
        recipient_countries=countries,
    )
    with pytest.raises(ValidationError) as error:
        send(world, partners)
    message = error.value.message_dict["consent"][0]
    assert "Nigeria" in message and "Return and reintegration" in message
    with pytest.raises(ValidationError):
        preview(world, partners)
    assert not TransnationalReferral.objects.exists() and not OutboxMessage.objects.exists()


def test_a_revoked_consent_covers_nothing(world, partners, consent):
    revoke_consent(consent, actor=world.users.responder, reason="She changed her mind.")
    with pytest.raises(ValidationError) as error:
        send(world, partners)
    assert "consent" in error.value.message_dict


def test_only_a_coordinator_of_the_case_sends(world, partners, consent):
    for user in (world.users.responder, world.users.provider, world.users.foreign_coordinator):
        with pytest.raises(PermissionDenied):
            send(world, partners, actor=user)
        with pytest.raises(PermissionDenied):
            services.preview_transnational_referral(
                world.case, actor=user, partner=partners.nigeria, purpose="return_reintegration"
            )
    assert not TransnationalReferral.objects.exists()


def test_a_bad_choice_is_named(world, partners, consent):
    with pytest.raises(ValidationError) as error:
        send(world, partners, purpose="criminal_proceedings")
    assert "purpose" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        send(world, partners, partner=None)
    assert "partner" in error.value.message_dict
    services.suspend_partner(partners.nigeria, actor=world.users.admin)
    with pytest.raises(ValidationError) as error:
        send(world, partners)
    assert "suspended" in error.value.message_dict["partner"][0].lower()


def test_the_same_case_is_not_sent_twice_for_the_same_purpose(world, partners, consent):
    first = send(world, partners)
    with pytest.raises(ValidationError) as error:
        send(world, partners)
    assert first.reference in error.value.message_dict["partner"][0]
    send(world, partners, purpose="family_tracing")  # another purpose is another referral


def test_sending_is_audited_with_the_fields_but_not_their_values(world, partners, consent):
    referral = send(world, partners)
    event = AuditEvent.objects.get(
        object_type="transnationalreferral", object_ref=referral.reference
    )
    assert event.action == "export"
    assert event.details["fields"] == list(referral.payload)
    assert world.person.given_name not in str(event.details)
    assert AuditEvent.objects.filter(
        object_type="crossborder_message", details__type="referral.offer"
    ).exists()


def test_the_record_is_encrypted_at_rest(world, partners, consent):
    from django.db import connection

    referral = send(world, partners)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload_json FROM crossborder_transnationalreferral WHERE id = %s",
            [referral.pk],
        )
        stored = cursor.fetchone()[0]
        cursor.execute("SELECT payload_json FROM crossborder_outboxmessage")
        queued = cursor.fetchone()[0]
    assert world.person.given_name not in stored and world.person.given_name not in queued


def test_revoking_the_consent_withdraws_the_referral_and_tells_the_partner(
    client, world, partners, consent, nigeria
):
    referral = send(world, partners)
    deliver_pending(transport=ClientTransport(client, nigeria))
    revoke_consent(consent, actor=world.users.responder, reason="She wants no more contact.")
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and "revoked" in referral.withdraw_reason
    message = OutboxMessage.objects.get(type="consent.revoked")
    assert message.payload["referral_id"] == str(referral.uid)

    deliver_pending(transport=ClientTransport(client, nigeria))
    received = TransnationalReferral.objects.get(direction="incoming")
    assert received.status == "withdrawn" and received.payload == {}
    assert received.data_erased_at is not None


def test_the_consent_hook_refuses_a_consent_still_standing(world, consent):
    with pytest.raises(ValidationError):
        services.on_consent_revoked(consent, actor=world.users.responder)
    consent.revoked_at = timezone.now()
    assert services.on_consent_revoked(consent, actor=world.users.responder) == []


def test_every_field_belongs_to_a_category_the_purpose_declares():
    for purpose, spec in payload.PURPOSES.items():
        assert set(spec.required).isdisjoint(spec.optional), purpose
        assert "crd_Narrative" not in spec.required, purpose
    assert "crd_Narrative" not in payload.PURPOSES["return_reintegration"].optional
    assert "crd_Narrative" not in payload.PURPOSES["family_tracing"].optional
