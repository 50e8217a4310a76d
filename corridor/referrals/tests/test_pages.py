"""The referral pages: refer from the case (choosing a service, the consent and the data
shared), answer, record services, withdraw. Lookups are scoped; lists avoid N+1.
"""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from corridor.core.testing import PersonFactory, ReferralFactory
from corridor.referrals import services
from corridor.referrals.models import Referral, ServiceDelivery
from corridor.referrals.tests.helpers import stored
from corridor.referrals.views import case_referrals_context


@pytest.fixture
def men_shelter(world):
    return services.create_offer(
        actor=world.users.coordinator,
        agency=world.other_shelter,
        service_type="shelter",
        name="Men's dormitory",
        sexes=["male"],
    )


# --- referring from the case page -------------------------------------------------------------


def test_the_case_snippet_offers_only_eligible_services_and_standing_consents(
    world, consent, women_shelter, men_shelter
):
    request = RequestFactory().get("/")
    request.user = world.users.responder
    context = case_referrals_context(world.users.responder, world.case)
    form = context["referral_form"]
    assert list(form.fields["offer"].queryset) == [women_shelter]  # she is a woman of 24–28
    assert list(form.fields["consent"].queryset) == [consent]
    assert form.fields["shared_categories"].initial == ["identity", "case"]
    assert "unaccompanied_child" not in form.fields  # she is an adult
    html = render_to_string(
        "referrals/_case_referrals.html", {"case": world.case, **context}, request=request
    )
    assert world.referral.reference in html
    assert "Casa Rifugio – women&#x27;s shelter" in html and "2 of 10 places free" in html
    assert "Men&#x27;s dormitory" not in html


def test_the_snippet_has_no_form_for_those_who_may_not_refer(world):
    context = case_referrals_context(world.users.provider, world.case)
    assert context["referral_form"] is None
    assert list(context["referrals"]) == [world.referral]


def test_a_child_may_be_flagged_unaccompanied(world):
    world.person.age_estimate_min, world.person.age_estimate_max = 15, 16
    world.person.save()
    form = case_referrals_context(world.users.responder, world.case)["referral_form"]
    assert "unaccompanied_child" in form.fields


def test_the_responder_refers_to_a_service_of_the_directory(client, world, consent, women_shelter):
    client.force_login(world.users.responder)
    response = client.post(
        f"/referrals/new/{world.case.reference}/",
        {
            "offer": women_shelter.pk,
            "shared_categories": ["identity", "case", "health"],
            "note": "Arrives tonight.",
        },
    )
    referral = Referral.objects.exclude(pk=world.referral.pk).get()
    assert response.status_code == 302 and response.url == f"/referrals/{referral.reference}/"
    assert (referral.to_agency, referral.service_type, referral.offer) == (
        world.shelter,
        "shelter",
        women_shelter,
    )
    assert referral.consent == consent
    assert referral.shared_categories == ["identity", "case", "health"]
    page = client.get(response.url).content.decode()
    assert "Health and needs" in page and 'data-testid="referral-consent"' in page


@pytest.fixture
def full_shelter(world):
    return services.create_offer(
        actor=world.users.coordinator,
        agency=world.other_shelter,
        service_type="shelter",
        name="Aaa full shelter",  # first by name: only fullness puts it last
        sexes=["female"],
        total_places=6,
        free_places=0,
    )


def test_full_services_come_last_and_say_they_are_full(client, world, women_shelter, full_shelter):
    client.force_login(world.users.coordinator)
    page = client.get("/referrals/directory/?service_type=shelter").content.decode()
    assert page.index("Casa Rifugio") < page.index("Aaa full shelter")
    assert "0 of 6 places free" in page
    form = case_referrals_context(world.users.responder, world.case)["referral_form"]
    offers = list(form.fields["offer"].queryset)
    assert offers == [women_shelter, full_shelter]
    assert form.fields["offer"].label_from_instance(full_shelter).endswith("full")


def test_referring_to_a_full_service_is_warned_and_needs_a_second_word(
    client, world, consent, full_shelter
):
    client.force_login(world.users.responder)
    url = f"/referrals/new/{world.case.reference}/"
    fields = {"offer": full_shelter.pk, "shared_categories": ["identity"]}
    warned = client.post(url, fields)
    assert warned.status_code == 200 and Referral.objects.count() == 1
    page = warned.content.decode()
    assert "Aaa full shelter has no free place now" in page
    assert 'data-testid="full-service"' in page and 'name="refer_to_full"' in page
    assert 'data-testid="full-service"' not in client.get(url).content.decode()
    sent = client.post(url, {**fields, "refer_to_full": "on"})
    assert sent.status_code == 302
    assert Referral.objects.exclude(pk=world.referral.pk).get().offer == full_shelter


def test_without_consent_the_form_says_so_under_the_consent_field(client, world):
    client.force_login(world.users.responder)
    page = client.get(f"/referrals/new/{world.case.reference}/")
    assert b'data-testid="no-consent"' in page.content
    response = client.post(
        f"/referrals/new/{world.case.reference}/",
        {
            "to_agency": world.shelter.pk,
            "service_type": "shelter",
            "shared_categories": ["identity"],
        },
    )
    assert response.status_code == 200
    assert "Record the person&#x27;s consent first" in response.content.decode()
    assert "consent" in response.context["form"].errors
    assert Referral.objects.count() == 1


def test_an_offer_the_person_is_not_eligible_for_cannot_be_chosen(
    client, world, consent, men_shelter
):
    client.force_login(world.users.responder)
    response = client.post(
        f"/referrals/new/{world.case.reference}/",
        {"offer": men_shelter.pk, "shared_categories": ["identity"]},
    )
    assert response.status_code == 200
    assert "offer" in response.context["form"].errors
    assert Referral.objects.count() == 1


def test_the_form_needs_an_agency_or_a_service(client, world, consent):
    client.force_login(world.users.responder)
    response = client.post(
        f"/referrals/new/{world.case.reference}/", {"shared_categories": ["identity"]}
    )
    assert {"to_agency", "service_type"} <= set(response.context["form"].errors)


@pytest.mark.parametrize(
    ("username", "expected"),
    [("provider", 403), ("other_provider", 404), ("foreign_coordinator", 404), ("analyst", 404)],
)
def test_only_those_who_may_change_the_case_open_the_referral_form(
    client, world, username, expected
):
    client.force_login(getattr(world.users, username))
    assert client.get(f"/referrals/new/{world.case.reference}/").status_code == expected


# --- the referral page ------------------------------------------------------------------------


def test_the_shelter_accepts_records_a_service_and_completes(client, world, referral):
    client.force_login(world.users.provider)
    url = f"/referrals/{referral.reference}/"
    page = client.get(url).content.decode()
    assert "Accept" in page and 'data-testid="delivery-form"' not in page
    assert 'data-testid="withdraw-form"' not in page  # not hers to withdraw
    client.post(f"{url}accept/", {"version": 1})
    page = client.get(url).content.decode()
    assert 'data-testid="delivery-form"' in page
    response = client.post(
        f"{url}deliveries/",
        {
            "service_type": "shelter",
            "delivered_on": timezone.localdate().isoformat(),
            "notes": "Bed 4.",
        },
        follow=True,
    )
    assert "Service recorded." in response.content.decode()
    assert "Bed 4." in response.content.decode()
    assert stored(referral).status == "in_progress"
    client.post(f"{url}complete/", {"version": 3})
    assert stored(referral).status == "completed"


def test_a_bad_delivery_on_the_page_says_which_field(client, world, referral):
    client.force_login(world.users.provider)
    client.post(f"/referrals/{referral.reference}/accept/", {"version": 1})
    response = client.post(
        f"/referrals/{referral.reference}/deliveries/",
        {"service_type": "shelter", "delivered_on": "2999-01-01"},
        follow=True,
    )
    assert "cannot be recorded before it is delivered" in response.content.decode()
    response = client.post(
        f"/referrals/{referral.reference}/deliveries/", {"service_type": "shelter"}, follow=True
    )
    assert "Delivered on" in response.content.decode()
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"), [("responder", 403), ("coordinator", 403), ("other_provider", 404)]
)
def test_only_the_receiving_agency_records_a_service_on_the_page(
    client, world, referral, username, expected
):
    services.accept_referral(referral, actor=world.users.provider, expected_version=1)
    client.force_login(getattr(world.users, username))
    response = client.post(
        f"/referrals/{referral.reference}/deliveries/",
        {"service_type": "shelter", "delivered_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == expected
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [("responder", 302), ("coordinator", 302), ("provider", 403), ("other_provider", 404)],
)
def test_withdrawing_on_the_page(client, world, referral, username, expected):
    client.force_login(getattr(world.users, username))
    response = client.post(
        f"/referrals/{referral.reference}/withdraw/", {"version": 1, "reason": "She left."}
    )
    assert response.status_code == expected
    assert (stored(referral).status == "withdrawn") is (expected == 302)


def test_the_referral_page_is_audited(client, world, referral):
    from corridor.audit.models import AuditEvent

    client.force_login(world.users.provider)
    client.get(f"/referrals/{referral.reference}/")
    assert AuditEvent.objects.filter(
        action="view", object_ref=referral.reference, actor_username="provider"
    ).exists()


# --- the list ---------------------------------------------------------------------------------


def test_the_list_filters_and_runs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.users.responder)
    client.get("/referrals/")
    with django_assert_max_num_queries(20) as first:
        client.get("/referrals/")
    for _ in range(12):
        ReferralFactory(
            case__person=PersonFactory(owner_agency=world.police),
            from_agency=world.police,
            status="accepted",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/referrals/")
    assert len(response.context["page"]) == 13
    accepted = client.get("/referrals/?status=accepted&direction=sent")
    assert len(accepted.context["page"]) == 12
    assert len(client.get("/referrals/?direction=received").context["page"]) == 0


def test_the_shelter_records_a_service_given_today_by_default(client, world, referral):
    referral = stored(referral)
    services.accept_referral(
        referral, actor=world.users.provider, expected_version=referral.version
    )
    client.force_login(world.users.provider)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_the_answer_is_told_in_a_sentence(client, world, referral):
    client.force_login(world.users.provider)
    response = client.post(
        f"/referrals/{referral.reference}/accept/",
        {"version": stored(referral).version},
        follow=True,
    )
    assert f"Referral {referral.reference} is now accepted." in response.content.decode()
