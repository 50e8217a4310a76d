"""The retention pages: reached from the person's page by coordinators and prosecutors, 403
for the roles that see her record but do not work on retention, 404 for everyone else; the
forms place and lift holds and record requests for erasure."""

import pytest

from corridor.core.testing import NOW, ReferralFactory
from corridor.people.models import Person
from corridor.retention import services
from corridor.retention.models import Erasure, ErasureRequest, LegalHold
from corridor.vocabularies import ServiceType

from .conftest import closed_case, person

pytestmark = pytest.mark.time_machine(NOW)

REASON = "Trial 4471/2026 RGNR before the Corte di Assise of Palermo"


@pytest.fixture
def referred_to_prosecutor(world):
    return ReferralFactory(
        case=world.case,
        from_agency=world.police,
        to_agency=world.prosecution,
        service_type=ServiceType.INVESTIGATION,
    )


def url(person, suffix=""):
    return f"/retention/people/{person.reference}/{suffix}"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("coordinator", 200),
        ("prosecutor", 200),
        ("responder", 403),  # sees her record, does not work on retention
        ("investigator", 403),
        ("provider", 403),  # sees her through the referral
        ("other_provider", 404),
        ("analyst", 404),
        ("admin", 404),
        ("foreign_coordinator", 404),
    ],
)
def test_who_sees_a_persons_retention_page(client, world, referred_to_prosecutor, username, status):
    client.force_login(getattr(world.users, username))
    assert client.get(url(world.person)).status_code == status
    response = client.post(url(world.person, "holds/"), {"reason": REASON})
    assert response.status_code == (302 if status == 200 else status)
    assert LegalHold.objects.exists() == (status == 200)


def test_a_prosecutor_without_a_referral_gets_404(client, world):
    client.force_login(world.users.prosecutor)
    assert client.get(url(world.person)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(url(world.person))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_person_page_links_to_retention_for_coordinators_only(client, world):
    client.force_login(world.users.coordinator)
    assert (
        b'data-testid="retention-link"' in client.get(f"/people/{world.person.reference}/").content
    )
    client.force_login(world.users.responder)
    page = client.get(f"/people/{world.person.reference}/")
    assert page.status_code == 200 and b"retention-link" not in page.content


def test_the_prosecutor_places_a_hold_the_coordinator_sees_it_but_not_its_reason(
    client, world, referred_to_prosecutor
):
    client.force_login(world.users.prosecutor)
    response = client.post(url(world.person, "holds/"), {"reason": REASON}, follow=True)
    hold = LegalHold.objects.get()
    assert hold.reference in response.content.decode() and REASON in response.content.decode()

    client.force_login(world.users.coordinator)
    page = client.get(url(world.person)).content.decode()
    assert hold.reference in page and REASON not in page
    assert f'data-testid="lift-{hold.reference}"' not in page  # not hers to lift
    response = client.post(url(world.person, f"holds/{hold.reference}/lift/"), {"reason": "x" * 20})
    assert response.status_code == 403 and LegalHold.objects.get().is_active

    client.force_login(world.users.prosecutor)
    page = client.get(url(world.person)).content.decode()
    assert f'data-testid="lift-{hold.reference}"' in page
    response = client.post(
        url(world.person, f"holds/{hold.reference}/lift/"), {"reason": "Judgment is final"}
    )
    assert response.status_code == 302 and not LegalHold.objects.get().is_active


def test_a_hold_of_another_person_is_not_found(client, world):
    other = person(world, days_ago=10)
    hold = services.place_legal_hold(other, actor=world.users.coordinator, reason=REASON)
    client.force_login(world.users.coordinator)
    response = client.post(url(world.person, f"holds/{hold.reference}/lift/"), {"reason": REASON})
    assert response.status_code == 404


def test_a_short_reason_is_shown_on_the_form(client, world):
    client.force_login(world.users.coordinator)
    response = client.post(url(world.person, "holds/"), {"reason": "trial"})
    assert response.status_code == 200 and "at least 10 characters" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_the_coordinator_records_a_refused_request_and_sees_why(client, world):
    client.force_login(world.users.coordinator)
    page = client.get(url(world.person)).content.decode()
    assert 'data-testid="erasure-grounds"' in page and world.case.reference in page

    response = client.post(url(world.person, "erasure/"), {"requested_on": "2026-03-30"})
    assert response.status_code == 200 and "confirm" in response.context["erasure_form"].errors
    assert not ErasureRequest.objects.exists()

    response = client.post(
        url(world.person, "erasure/"), {"requested_on": "2026-03-30", "confirm": "on"}, follow=True
    )
    request = ErasureRequest.objects.get()
    content = response.content.decode()
    assert request.refused and f"Request {request.reference} refused" in content
    assert "is still open" in content


def test_the_coordinator_carries_out_a_request_from_the_page(client, world):
    victim = person(world, days_ago=100)
    closed_case(world, victim, closed_days_ago=20, reason="declined_assistance")
    client.force_login(world.users.coordinator)
    assert 'data-testid="erasure-possible"' in client.get(url(victim)).content.decode()
    response = client.post(
        url(victim, "erasure/"), {"requested_on": "2026-04-01", "confirm": "on"}, follow=True
    )
    assert "were erased" in response.content.decode()
    assert Erasure.objects.filter(person=victim, rule="request").exists()
    assert Person.objects.get(pk=victim.pk).given_name == ""
    page = client.get(url(victim)).content.decode()
    assert 'data-testid="erasure"' in page and "record-erasure-request" not in page
    assert client.get(f"/people/{victim.reference}/").status_code == 200  # still a page


@pytest.mark.parametrize("username", ["prosecutor", "responder"])
def test_only_coordinators_record_requests_from_the_page(
    client, world, referred_to_prosecutor, username
):
    client.force_login(getattr(world.users, username))
    response = client.post(
        url(world.person, "erasure/"), {"requested_on": "2026-04-01", "confirm": "on"}
    )
    assert response.status_code == 403 and not ErasureRequest.objects.exists()


def test_the_overview_lists_the_holds_in_the_users_scope(client, world):
    hold = services.place_legal_hold(world.person, actor=world.users.coordinator, reason=REASON)
    client.force_login(world.users.coordinator)
    page = client.get("/retention/").content.decode()
    assert hold.reference in page and world.person.reference in page
    assert "365 days" in page and "5 years" in page
    client.force_login(world.users.foreign_coordinator)
    page = client.get("/retention/")
    assert page.status_code == 200 and hold.reference not in page.content.decode()
    for username in ("responder", "analyst", "admin"):
        client.force_login(getattr(world.users, username))
        assert client.get("/retention/").status_code == 403
