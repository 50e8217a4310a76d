"""The case file in the browser: what each role sees and may do, and nothing half-written."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.cases import services
from corridor.cases.models import CaseReview, NeedsAssessment, ProtectionCase
from corridor.consent import services as consent_services
from corridor.consent.models import Consent
from corridor.core.testing import NOW, TODAY, CaseFactory, PersonFactory
from corridor.referrals.models import Referral

pytestmark = pytest.mark.time_machine(NOW)  # TODAY stays today, even on a run past midnight


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def page(client, user, case):
    client.force_login(user)
    response = client.get(f"/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def buttons(html: str) -> list[str]:
    import re

    return re.findall(r'data-testid="move-([a-z_]+)"', html)


# --- the case page -----------------------------------------------------------------------------


def test_the_reflection_clock_counts_the_days(client, world):
    ProtectionCase.objects.filter(pk=world.case.pk).update(
        reflection_starts_on=TODAY - timedelta(days=11),
        reflection_ends_on=TODAY + timedelta(days=18),
    )
    html = page(client, world.users.provider, world.case)
    assert "Day 12 of 30" in html and "ends in 18 days" in html


def test_an_ended_reflection_period_shows_in_red(client, world):
    ProtectionCase.objects.filter(pk=world.case.pk).update(
        reflection_starts_on=TODAY - timedelta(days=32),
        reflection_ends_on=TODAY - timedelta(days=3),
    )
    html = page(client, world.users.coordinator, world.case)
    assert '<span class="badge high">Ended 3 days ago</span>' in html


def test_each_role_sees_only_the_moves_it_may_make(client, world):
    assert buttons(page(client, world.users.coordinator, world.case)) == [
        "referred",
        "assisted",
        "closed",
    ]
    assert buttons(page(client, world.users.responder, world.case)) == ["referred", "assisted"]
    assert buttons(page(client, world.users.provider, world.case)) == []
    Referral.objects.filter(pk=world.referral.pk).update(status=Referral.Status.ACCEPTED)
    assert buttons(page(client, world.users.provider, world.case)) == ["assisted"]


def test_a_responder_proposes_presumed_victim_status_from_the_page(client, world):
    case = CaseFactory(person=world.person, owner_agency=world.police, status="identified")
    html = page(client, world.users.responder, case)
    assert buttons(html) == [] and f"/cases/{case.reference}/propose/" in html
    response = client.post(f"/cases/{case.reference}/propose/", {"note": "Debt bondage."})
    assert response.status_code == 302
    html = page(client, world.users.coordinator, case)
    assert buttons(html) == ["presumed_victim", "closed"]
    assert "Presumed-victim status proposed" in html and "Debt bondage." in html


def test_the_coordinator_moves_the_case_and_the_timeline_shows_it(client, world):
    client.force_login(world.users.coordinator)
    response = client.post(
        f"/cases/{world.case.reference}/status/",
        {"status": "referred", "version": 1, "note": "Shelter found."},
    )
    assert response.status_code == 302
    html = page(client, world.users.coordinator, world.case)
    assert "from Presumed victim to Referred" in html and "Shelter found." in html
    assert ProtectionCase.objects.get(pk=world.case.pk).status == "referred"


def test_closing_from_the_page_without_a_reason_is_refused(client, world):
    client.force_login(world.users.coordinator)
    response = client.post(
        f"/cases/{world.case.reference}/status/", {"status": "closed", "version": 1}, follow=True
    )
    assert "Say why the case is closed." in response.content.decode()
    assert ProtectionCase.objects.get(pk=world.case.pk).status == "presumed_victim"
    client.post(
        f"/cases/{world.case.reference}/status/",
        {"status": "closed", "version": 1, "closure_reason": "declined_assistance"},
    )
    html = page(client, world.users.coordinator, world.case)
    assert "Declined further assistance" in html


def test_a_stale_stage_change_shows_a_clear_error_and_writes_nothing(client, world):
    services.change_case_status(
        world.case, actor=world.users.responder, status="referred", expected_version=1
    )
    client.force_login(world.users.coordinator)
    response = client.post(
        f"/cases/{world.case.reference}/status/",
        {"status": "closed", "version": 1, "closure_reason": "lost_contact"},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.status, stored.version) == ("referred", 2)


def test_a_stale_edit_form_shows_a_clear_error_and_writes_nothing(client, world):
    client.force_login(world.users.responder)
    form = client.get(f"/cases/{world.case.reference}/risk/")
    assert 'name="version" value="1"' in form.content.decode()
    services.change_risk_level(
        world.case,
        actor=world.users.coordinator,
        risk_level="low",
        reason="Safe.",
        expected_version=1,
    )
    response = client.post(
        f"/cases/{world.case.reference}/risk/",
        {"version": 1, "risk_level": "high", "reason": "Threat by phone."},
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    stored = ProtectionCase.objects.get(pk=world.case.pk)
    assert (stored.risk_level, stored.version) == ("low", 2)


def test_the_principles_page_records_cooperation_separately(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        f"/cases/{world.case.reference}/principles/",
        {"version": 1, "assistance_unconditional": "on", "cooperation_status": "declined"},
    )
    assert response.status_code == 302
    html = page(client, world.users.responder, world.case)
    assert "Declined to cooperate" in html and "it never affects assistance" in html


def test_a_bad_needs_assessment_is_shown_on_the_form(client, world):
    client.force_login(world.users.coordinator)
    url = f"/cases/{world.case.reference}/needs/new/"
    response = client.post(url, {"assessed_on": TODAY.isoformat()})
    assert response.status_code == 200 and "needs" in response.context["form"].errors
    response = client.post(
        url, {"assessed_on": TODAY.isoformat(), "needs": ["shelter", "interpretation"]}
    )
    assert response.status_code == 302
    assert NeedsAssessment.objects.get().needs == ["shelter", "interpretation"]


def test_a_coordinator_schedules_and_completes_a_review_from_the_page(client, world):
    client.force_login(world.users.coordinator)
    client.post(
        f"/cases/{world.case.reference}/reviews/new/",
        {"due_on": TODAY.isoformat(), "topic": "End of reflection"},
    )
    review = CaseReview.objects.get()
    client.post(
        f"/cases/{world.case.reference}/reviews/{review.pk}/complete/",
        {"done_on": TODAY.isoformat(), "outcome": "Residence permit requested."},
    )
    html = page(client, world.users.coordinator, world.case)
    assert "Residence permit requested." in html and "Done on" in html


def test_offences_are_shown_to_the_case_team_only(client, world):
    services.record_compelled_offence(
        world.case, actor=world.users.investigator, offence="Drug courier.", category="drugs"
    )
    assert "Drug courier." in page(client, world.users.coordinator, world.case)
    html = page(client, world.users.provider, world.case)
    assert "Drug courier." not in html and "1 offence recorded" in html


# --- consent -----------------------------------------------------------------------------------


def test_consent_is_recorded_and_revoked_through_the_pages(client, world):
    client.force_login(world.users.responder)
    url = f"/cases/{world.case.reference}/consents/new/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "purposes": ["assistance"],
            "data_categories": ["identity", "health"],
            "recipient_sectors": ["shelter"],
            "recipient_agencies": [world.nrm.pk],
            "recipient_countries": "ng, gh",
            "method": "written",
            "interpreter_language": "en",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.case, consent.recipient_countries) == (world.case, ["NG", "GH"])
    assert list(consent.recipient_agencies.all()) == [world.nrm]
    html = page(client, world.users.responder, world.case)
    assert "Protection and assistance services" in html and "Active" in html

    revoke = f"/cases/{world.case.reference}/consents/{consent.pk}/revoke/"
    response = client.post(revoke, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert Consent.objects.get().is_active
    client.post(revoke, {"reason": "She asked us to stop sharing."})
    consent.refresh_from_db()
    assert not consent.is_active
    html = page(client, world.users.responder, world.case)
    assert "Revoked on" in html and "She asked us to stop sharing." in html
    again = client.post(revoke, {"reason": "Twice."})
    assert "already revoked" in again.content.decode()


def test_a_childs_consent_form_asks_for_the_guardian(client, world):
    world.person.age_estimate_min, world.person.age_estimate_max = 14, 16
    world.person.save()
    client.force_login(world.users.responder)
    url = f"/cases/{world.case.reference}/consents/new/"
    assert "given by the guardian" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "purposes": ["assistance"],
            "data_categories": ["identity"],
            "recipient_sectors": ["shelter"],
            "method": "written",
        },
    )
    assert response.status_code == 200 and "method" in response.context["form"].errors
    assert not Consent.objects.exists()


def test_unknown_country_codes_are_named(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        f"/cases/{world.case.reference}/consents/new/",
        {
            "purposes": ["assistance"],
            "data_categories": ["identity"],
            "recipient_countries": "NG, XX",
            "method": "verbal",
        },
    )
    assert "XX" in response.context["form"].errors["recipient_countries"][0]
    assert not Consent.objects.exists()


# --- access --------------------------------------------------------------------------------------


def _urls(world):
    ref = world.case.reference
    offence = services.record_compelled_offence(
        world.case, actor=world.users.responder, offence="Theft.", category="property"
    )
    review = services.schedule_review(world.case, actor=world.users.coordinator, due_on=TODAY)
    consent = consent_services.record_consent(
        world.person,
        actor=world.users.responder,
        purposes=["assistance"],
        data_categories=["identity"],
        method="written",
        recipient_sectors=["shelter"],
    )
    return [
        f"/cases/{ref}/",
        f"/cases/{ref}/propose/",
        f"/cases/{ref}/risk/",
        f"/cases/{ref}/coordinator/",
        f"/cases/{ref}/reflection/start/",
        f"/cases/{ref}/reflection/extend/",
        f"/cases/{ref}/principles/",
        f"/cases/{ref}/offences/new/",
        f"/cases/{ref}/offences/{offence.pk}/decision/",
        f"/cases/{ref}/needs/new/",
        f"/cases/{ref}/reviews/new/",
        f"/cases/{ref}/reviews/{review.pk}/complete/",
        f"/cases/{ref}/consents/new/",
        f"/cases/{ref}/consents/{consent.pk}/revoke/",
    ]


@pytest.mark.parametrize(
    "username", ["other_provider", "prosecutor", "analyst", "admin", "foreign_coordinator"]
)
def test_outsiders_get_404_on_every_page_of_the_case_file(client, world, username):
    urls = _urls(world)
    client.force_login(getattr(world.users, username))
    for url in urls:
        assert client.get(url).status_code == 404, url
        if not url.endswith(f"{world.case.reference}/"):
            assert client.post(url, {}).status_code == 404, url
    assert client.post(f"/cases/{world.case.reference}/status/", {}).status_code == 404


def test_a_shelter_worker_reads_the_case_file_but_may_not_edit_it(client, world):
    urls = _urls(world)
    client.force_login(world.users.provider)
    for url in urls[1:]:
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/cases/{world.case.reference}/risk/",
        {"version": 1, "risk_level": "high", "reason": "x"},
    )
    assert response.status_code == 403
    assert ProtectionCase.objects.get(pk=world.case.pk).risk_level == "medium"


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("responder", {"propose", "risk", "reflection/start", "principles", "offences/new", "needs/new", "consents/new", "revoke", "decision"}),
        ("coordinator", {"risk", "coordinator", "reflection/start", "reflection/extend", "principles", "offences/new", "needs/new", "reviews/new", "complete", "consents/new", "revoke", "decision"}),
    ],
)  # fmt: skip
def test_the_case_team_reaches_the_forms_its_role_allows(client, world, username, allowed):
    urls = _urls(world)[1:]
    client.force_login(getattr(world.users, username))
    reached = {
        url.rstrip("/").split("/", 3)[3] for url in urls if client.get(url).status_code == 200
    }
    expected = {u.rstrip("/").split("/", 3)[3] for u in urls if any(a in u for a in allowed)}
    assert reached == expected


def test_the_case_page_costs_the_same_queries_however_long_the_file(client, world):
    coordinator = world.users.coordinator
    client.force_login(coordinator)
    url = f"/cases/{world.case.reference}/"

    def add_to_the_file(n):
        services.record_needs_assessment(world.case, actor=coordinator, needs=["shelter"])
        services.schedule_review(world.case, actor=coordinator, due_on=TODAY)
        services.record_compelled_offence(
            world.case, actor=coordinator, offence="Theft.", category="property"
        )
        consent_services.record_consent(
            world.person,
            actor=coordinator,
            purposes=["assistance"],
            data_categories=["identity"],
            method="written",
            recipient_agencies=[world.shelter],
        )
        services.change_risk_level(
            world.case,
            actor=coordinator,
            risk_level=["high", "low", "medium", "high"][n],
            reason="Changed.",
            expected_version=world.case.version,
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_to_the_file(0)
    before = count()
    for n in (1, 2, 3):
        add_to_the_file(n)
    assert count() == before


def test_the_case_list_costs_the_same_queries_however_many_cases(client, world):
    client.force_login(world.users.coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/").status_code == 200
        return len(queries)

    before = count()
    for _ in range(5):
        CaseFactory(person=PersonFactory(owner_agency=world.police))
    assert count() == before


def test_a_shelter_sees_needs_only_when_its_referral_shares_health_data(client, world):
    services.record_needs_assessment(
        world.case, actor=world.users.coordinator, needs=["mhpss"], notes="Panic attacks."
    )
    assert "Panic attacks." in page(client, world.users.coordinator, world.case)
    html = page(client, world.users.provider, world.case)  # the referral shares identity, case
    assert "Panic attacks." not in html and "not shared with your agency" in html

    consent = consent_services.record_consent(
        world.person,
        actor=world.users.responder,
        purposes=["assistance"],
        data_categories=["identity", "case", "health"],
        method="written",
        recipient_sectors=["shelter"],
    )
    Referral.objects.filter(pk=world.referral.pk).update(
        consent=consent, shared_categories=["identity", "case", "health"]
    )
    assert "Panic attacks." in page(client, world.users.provider, world.case)

    consent_services.revoke_consent(consent, actor=world.users.responder, reason="Withdrawn.")
    client.force_login(world.users.provider)
    assert client.get(f"/cases/{world.case.reference}/").status_code == 404


def test_a_coordinator_starts_and_extends_the_reflection_period_from_the_pages(client, world):
    client.force_login(world.users.coordinator)
    ref = world.case.reference
    start = client.get(f"/cases/{ref}/reflection/start/").content.decode()
    assert 'name="days" value="30"' in start
    too_short = client.post(
        f"/cases/{ref}/reflection/start/",
        {"version": 1, "starts_on": TODAY.isoformat(), "days": 10},
    )
    assert "at least 30 days" in too_short.content.decode()
    client.post(
        f"/cases/{ref}/reflection/start/",
        {"version": 1, "starts_on": (TODAY - timedelta(days=4)).isoformat(), "days": 30},
    )
    client.post(
        f"/cases/{ref}/reflection/extend/",
        {"version": 2, "new_end": (TODAY + timedelta(days=55)).isoformat(), "reason": "Surgery."},
    )
    html = page(client, world.users.coordinator, world.case)
    assert "Day 5 of 60" in html and "ends in 55 days" in html
    assert "Reflection period started" in html and "Reflection period extended" in html
    assert "Surgery." in html


def test_an_overdue_review_shows_in_red(client, world):
    review = services.schedule_review(world.case, actor=world.users.coordinator, due_on=TODAY)
    CaseReview.objects.filter(pk=review.pk).update(due_on=TODAY - timedelta(days=2))
    html = page(client, world.users.coordinator, world.case)
    assert '<span class="badge high">Overdue</span>' in html
    assert f"/cases/{world.case.reference}/reviews/{review.pk}/complete/" in html
