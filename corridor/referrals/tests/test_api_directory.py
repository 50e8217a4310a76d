"""The API of the directory and of the referral's life: offers, capacity, referrals with
consent, deliveries, withdrawal and the coordinator's queue. Bad input names the field.
"""

import pytest
from django.utils import timezone

from corridor.audit.models import AuditEvent
from corridor.consent.models import Consent
from corridor.core.testing import NOW, TODAY, PersonFactory
from corridor.referrals.models import Referral, ServiceDelivery, ServiceOffer
from corridor.referrals.tests.helpers import api_post, auth, error_fields, sent_hours_ago, stored

# --- the directory ----------------------------------------------------------------------------


def test_anyone_with_a_token_finds_services(client, world, women_shelter):
    response = client.get(
        "/api/services?service_type=shelter&language=fr&area=Palermo&age=30&sex=female",
        headers=auth(world.users.analyst),
    )
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["name"] == "Casa Rifugio – women's shelter"
    assert item["agency"]["name"] == world.shelter.name
    assert (item["free_places"], item["total_places"], item["sexes"]) == (2, 10, ["female"])
    assert item["contact_phone"] == "+390911234567"
    for query in ("sex=male", "age=12", "language=ar", "area=Torino"):
        body = client.get(f"/api/services?{query}", headers=auth(world.users.analyst)).json()
        assert body["count"] == 0, query
    assert client.get("/api/services").status_code == 401


def test_a_provider_lists_a_service_and_publishes_its_capacity(client, world):
    provider = world.users.provider
    response = api_post(
        client,
        "/api/services",
        {
            "service_type": "shelter",
            "name": "Night shelter",
            "languages": ["it", "en"],
            "total_places": 8,
            "free_places": 3,
        },
        provider,
    )
    assert response.status_code == 201, response.content
    offer = response.json()
    assert offer["agency"]["id"] == world.shelter.pk  # her own agency by default
    url = f"/api/services/{offer['id']}/capacity"
    response = api_post(client, url, {"free_places": 1, "version": 1}, provider, method="patch")
    assert response.status_code == 200
    assert (response.json()["free_places"], response.json()["version"]) == (1, 2)
    stale = api_post(client, url, {"free_places": 5, "version": 1}, provider, method="patch")
    assert stale.status_code == 409
    other = api_post(
        client, url, {"free_places": 5, "version": 2}, world.users.other_provider, method="patch"
    )
    assert other.status_code == 403
    assert ServiceOffer.objects.get().free_places == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"free_places": 11, "version": 1}, "free_places"),
        ({"free_places": -2, "version": 1}, "free_places"),
        ({"free_places": "lots", "version": 1}, "free_places"),
        ({"free_places": 1}, "version"),
        ({"free_places": 1, "total_places": -1, "version": 1}, "total_places"),
        ({"free_places": 1, "version": 1, "beds": 3}, "beds"),
    ],
)
def test_bad_capacity_names_the_field(client, world, women_shelter, body, field):
    response = api_post(
        client,
        f"/api/services/{women_shelter.pk}/capacity",
        body,
        world.users.provider,
        method="patch",
    )
    assert response.status_code == 422
    assert error_fields(response) == [field]
    assert stored(women_shelter).free_places == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x"}, "service_type"),
        ({"service_type": "shelter", "name": "x", "languages": ["klingon"]}, "languages"),
        ({"service_type": "shelter", "name": "x", "sexes": ["robot"]}, "sexes.0"),
        ({"service_type": "shelter", "name": "x", "agency_id": 99999}, "agency_id"),
        ({"service_type": "shelter", "name": "x", "contact_phone": "000"}, "contact_phone"),
        ({"service_type": "shelter", "name": "x", "min_age": 20, "max_age": 10}, "max_age"),
    ],
)
def test_bad_offer_input_names_the_field(client, world, body, field):
    response = api_post(client, "/api/services", body, world.users.coordinator)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert not ServiceOffer.objects.exists()


def test_offers_are_changed_with_the_version_read(client, world, women_shelter):
    url = f"/api/services/{women_shelter.pk}"
    response = api_post(
        client, url, {"version": 1, "languages": ["it", "ti"]}, world.users.provider, "patch"
    )
    assert response.status_code == 200
    assert response.json()["languages"] == ["it", "ti"]
    assert response.json()["sexes"] == ["female"]  # untouched
    assert client.get(url, headers=auth(world.users.analyst)).status_code == 200
    assert client.get("/api/services/99999", headers=auth(world.users.analyst)).status_code == 404


# --- referring --------------------------------------------------------------------------------


def refer(client, world, body, user=None):
    return api_post(
        client, f"/api/cases/{world.case.reference}/referrals", body, user or world.users.responder
    )


def test_a_referral_to_an_offer_with_the_consent_and_categories_chosen(
    client, world, consent, women_shelter
):
    response = refer(
        client,
        world,
        {
            "offer_id": women_shelter.pk,
            "consent_id": consent.pk,
            "shared_categories": ["identity", "health"],
            "note": "Arrives tonight with the police.",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["to_agency"]["id"], body["service_type"]) == (world.shelter.pk, "shelter")
    assert (body["offer_id"], body["consent_id"], body["consent_active"]) == (
        women_shelter.pk,
        consent.pk,
        True,
    )
    assert body["shared_categories"] == ["identity", "health"]
    assert body["overdue"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service_type": "shelter"}, "to_agency_id"),
        ({"offer_id": 99999}, "offer_id"),
        ({"offer_id": "women_shelter", "consent_id": 99999}, "consent_id"),
        ({"offer_id": "women_shelter", "shared_categories": ["identity", "gossip"]}, "shared_categories.1"),
        ({"offer_id": "women_shelter", "shared_categories": []}, "shared_categories"),
        # she consented to identity, case and health only
        ({"offer_id": "women_shelter", "shared_categories": ["identity", "story"]}, "consent_id"),
        # the offer takes women aged 18 or more; the person is recorded as a man
        ({"offer_id": "women_shelter", "sex": "male"}, "offer_id"),
        ({"offer_id": "women_shelter", "to_agency_id": "other_shelter"}, "offer_id"),
        ({"to_agency_id": "shelter"}, "service_type"),
        ({"to_agency_id": "shelter", "service_type": "shelter", "unaccompanied": True}, "unaccompanied"),
    ],
)  # fmt: skip
def test_bad_referral_input_names_the_field_and_writes_nothing(
    client, world, consent, women_shelter, body, field
):
    body = dict(body)
    if body.pop("sex", None):
        world.person.sex = "male"
        world.person.save()
    for key in ("offer_id",):
        if body.get(key) == "women_shelter":
            body[key] = women_shelter.pk
    if body.get("to_agency_id") in ("shelter", "other_shelter"):
        body["to_agency_id"] = getattr(world, body["to_agency_id"]).pk
    response = refer(client, world, body)
    assert response.status_code == 422, response.content
    assert error_fields(response) == [field]
    assert Referral.objects.count() == 1


def test_another_persons_consent_cannot_be_named(client, world, consent):
    other = Consent.objects.create(
        person=PersonFactory(owner_agency=world.police),
        purposes=["assistance"],
        data_categories=["identity", "case"],
        method="written",
        recipient_sectors=["shelter"],
    )
    response = refer(
        client,
        world,
        {"to_agency_id": world.shelter.pk, "service_type": "shelter", "consent_id": other.pk},
    )
    assert response.status_code == 422
    assert error_fields(response) == ["consent_id"]


# --- answering, delivering, withdrawing -------------------------------------------------------


def test_the_shelter_accepts_records_services_and_completes(client, world, referral):
    url = f"/api/referrals/{referral.reference}"
    provider = world.users.provider
    assert api_post(client, f"{url}/accept", {"version": 1}, provider).status_code == 200
    response = api_post(
        client,
        f"{url}/deliveries",
        {
            "service_type": "shelter",
            "delivered_on": timezone.localdate().isoformat(),
            "notes": "Bed 4.",
        },
        provider,
    )
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == "provider"
    detail = client.get(url, headers=auth(provider)).json()
    assert detail["status"] == "in_progress" and detail["started_at"] is not None
    listed = client.get(f"{url}/deliveries", headers=auth(world.users.responder)).json()
    assert [(d["service_type"], d["notes"]) for d in listed] == [("shelter", "Bed 4.")]
    assert AuditEvent.objects.filter(action="view", object_ref=referral.reference).exists()
    done = api_post(client, f"{url}/complete", {"version": detail["version"]}, provider)
    assert done.json()["status"] == "completed"


@pytest.mark.time_machine(NOW)  # the referral is sent on TODAY
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"service_type": "shelter"}, "delivered_on"),
        ({"service_type": "shelter", "delivered_on": "yesterday"}, "delivered_on"),
        ({"service_type": "shelter", "delivered_on": "2999-01-01"}, "delivered_on"),
        ({"service_type": "massage", "delivered_on": TODAY.isoformat()}, "service_type"),
    ],
)
def test_bad_delivery_input_names_the_field(client, world, referral, body, field):
    provider = world.users.provider
    api_post(client, f"/api/referrals/{referral.reference}/accept", {"version": 1}, provider)
    response = api_post(client, f"/api/referrals/{referral.reference}/deliveries", body, provider)
    assert response.status_code == 422
    assert error_fields(response) == [field]
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("responder", 403), ("coordinator", 403), ("other_provider", 404), ("analyst", 404)],
)
def test_only_the_receiving_agency_records_services(client, world, referral, username, expected):
    api_post(
        client, f"/api/referrals/{referral.reference}/accept", {"version": 1}, world.users.provider
    )
    response = api_post(
        client,
        f"/api/referrals/{referral.reference}/deliveries",
        {"service_type": "shelter", "delivered_on": timezone.localdate().isoformat()},
        getattr(world.users, username),
    )
    assert response.status_code == expected
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("responder", 200), ("coordinator", 200), ("provider", 403), ("other_provider", 404)],
)
def test_the_sender_or_a_coordinator_withdraws(client, world, referral, username, expected):
    response = api_post(
        client,
        f"/api/referrals/{referral.reference}/withdraw",
        {"version": 1, "reason": "She went home."},
        getattr(world.users, username),
    )
    assert response.status_code == expected
    assert (stored(referral).status == "withdrawn") is (expected == 200)


def test_withdrawing_needs_a_reason(client, world, referral):
    response = api_post(
        client,
        f"/api/referrals/{referral.reference}/withdraw",
        {"version": 1},
        world.users.responder,
    )
    assert response.status_code == 422
    assert error_fields(response) == ["reason"]


def test_a_full_shelter_answers_422_naming_the_offer(client, world, referral, women_shelter):
    ServiceOffer.objects.filter(pk=women_shelter.pk).update(free_places=0)
    response = api_post(
        client, f"/api/referrals/{referral.reference}/accept", {"version": 1}, world.users.provider
    )
    assert response.status_code == 422
    assert error_fields(response) == ["offer_id"]
    assert "no free place" in response.json()["detail"][0]["message"]


# --- the queue --------------------------------------------------------------------------------


def test_the_coordinators_queue_through_the_api(client, world, referral, settings):
    settings.CORRIDOR_REFERRAL_RESPONSE_HOURS = 24
    sent_hours_ago(referral, 30)
    headers = auth(world.users.coordinator)
    body = client.get("/api/referrals/queue", headers=headers).json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert (item["kind"], item["referral_reference"], item["case_reference"]) == (
        "overdue",
        referral.reference,
        world.case.reference,
    )
    assert item["waited_hours"] == 30 and item["to_agency"]["id"] == world.shelter.pk
    assert client.get("/api/referrals/queue?kind=unreferred", headers=headers).json()["count"] == 0
    bad = client.get("/api/referrals/queue?kind=bored", headers=headers)
    assert bad.status_code == 422 and error_fields(bad) == ["kind"]
    for name in ("responder", "provider", "analyst"):
        response = client.get("/api/referrals/queue", headers=auth(getattr(world.users, name)))
        assert response.status_code == 403, name
