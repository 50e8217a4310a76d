"""The prosecutor's pages: record a request, send it, record the answer, see the times."""

from datetime import timedelta

import pytest
from django.utils import timezone

from corridor.cooperation.models import CooperationRequest


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def test_a_prosecutor_records_sends_and_closes_a_request_on_the_pages(client, world):
    client.force_login(world.users.prosecutor)
    assert "Legal requests" in client.get("/").content.decode()  # in the navigation
    response = client.post(
        "/cooperation/new/",
        {
            "direction": "outgoing",
            "kind": "mla",
            "requested_country": "NG",
            "requested_authority": "Central Authority, Abuja",
            "subject": "Hear the recruiter's sister as a witness",
        },
    )
    req = CooperationRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/cooperation/{req.reference}/"
    page = client.get(response.url).content.decode()
    assert "Hear the recruiter" in page and "Nigeria" in page and 'data-testid="move-sent"' in page
    sent_on = timezone.localdate() - timedelta(days=30)
    client.post(
        f"/cooperation/{req.reference}/status/",
        {"status": "sent", "version": req.version, "on": sent_on.isoformat()},
    )
    req.refresh_from_db()
    assert req.status == "sent" and req.sent_on == sent_on and req.due_on is not None
    client.post(
        f"/cooperation/{req.reference}/answer/",
        {
            "outcome": "granted",
            "answered_on": timezone.localdate().isoformat(),
            "version": req.version,
        },
    )
    req.refresh_from_db()
    assert (req.status, req.outcome) == ("answered", "granted")
    pairs = client.get("/cooperation/countries/").content.decode()
    assert "Italy → Nigeria" in pairs and ">30<" in pairs


def test_the_form_shows_every_error_at_once_and_saves_nothing(client, world):
    client.force_login(world.users.prosecutor)
    response = client.post("/cooperation/new/", {"direction": "outgoing", "kind": "mla"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-summary"' in page and "subject" in response.context["form"].errors
    response = client.post(
        "/cooperation/new/",
        {"direction": "outgoing", "kind": "mla", "requested_country": "", "subject": "x"},
    )
    assert "requested_country" in response.context["form"].errors
    assert not CooperationRequest.objects.exists()


def test_an_overdue_request_says_so_in_the_list_and_on_its_page(client, world):
    client.force_login(world.users.prosecutor)
    client.post(
        "/cooperation/new/",
        {
            "direction": "outgoing",
            "kind": "extradition",
            "requested_country": "NG",
            "subject": "Surrender of the organiser",
            "due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    req = CooperationRequest.objects.get()
    client.post(
        f"/cooperation/{req.reference}/status/",
        {
            "status": "sent",
            "version": req.version,
            "on": (timezone.localdate() - timedelta(days=60)).isoformat(),
        },
    )
    assert (
        'data-testid="request-overdue"'
        in client.get(f"/cooperation/{req.reference}/").content.decode()
    )
    listed = client.get("/cooperation/?status=overdue").content.decode()
    assert req.reference in listed and "overdue" in listed


def test_the_criminal_case_page_lists_its_requests_and_offers_a_new_one(client, world):
    from corridor.cooperation.services import open_request
    from corridor.investigations.models import CriminalCase

    kcase = CriminalCase.objects.create(owner_agency=world.prosecution, title="Operation Tide")
    req = open_request(
        actor=world.users.prosecutor,
        kind="mla",
        requested_country="NG",
        subject="Bank records",
        criminal_case=kcase,
    )
    client.force_login(world.users.prosecutor)
    page = client.get(f"/investigations/{kcase.reference}/").content.decode()
    block = page[page.index('data-testid="criminal-case-requests"') :]
    assert req.reference in block and f"?criminal_case={kcase.reference}" in block
    form = client.get(f"/cooperation/new/?criminal_case={kcase.reference}")
    assert form.context["form"]["criminal_case"].value() == kcase.reference
