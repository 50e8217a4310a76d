"""One person's audit trail: everything that happened to and around her.

Palermo police screen the woman they identified, open her protection case, record her
consent and refer her to Casa Rifugio, which takes her in and records the first night's
shelter. The national coordinator places a legal hold on her records. Each of these events
names her, so an administrator who asks for her reference reads them all — and nothing of
another woman the same officers helped that day.
"""

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from corridor.accounts.models import Agency, Role
from corridor.audit.models import AuditEvent
from corridor.audit.services import Action, person_reference_of, record_event, verify_chain
from corridor.cases.models import ProtectionCase
from corridor.cases.services import open_case
from corridor.consent.models import Consent
from corridor.consent.services import record_consent
from corridor.core.testing import PersonFactory, UserFactory
from corridor.people.services import view_person_list
from corridor.referrals import services as referrals
from corridor.referrals.models import Referral, ServiceDelivery
from corridor.retention.services import place_legal_hold
from corridor.screening import services as screening
from corridor.screening.models import IndicatorCatalogue

P, D = Consent.Purpose, Consent.DataCategory
FORCED_LABOUR = {"dr_nature_of_job": True, "ex_excessive_hours": True, "cd_documents": True}


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False  # MFA has its own tests


def _help(world, person):
    """What the police and the shelter do for `person`: every kind of record about her."""
    police, provider = world.users.responder, world.users.provider
    screening.install_shipped_catalogues()
    done = {
        "screening": screening.screen_person(
            person,
            actor=police,
            catalogue=IndicatorCatalogue.objects.offered().get(list_kind="adult_labour"),
            answers=FORCED_LABOUR,
        )
    }
    done["case"] = case = open_case(person, actor=police, forms_of_exploitation=["forced_labour"])
    done["consent"] = consent = record_consent(
        person,
        actor=police,
        purposes=[P.ASSISTANCE],
        data_categories=[D.IDENTITY, D.CASE],
        method=Consent.Method.WRITTEN,
        recipient_sectors=[Agency.Sector.SHELTER],
        case=case,
    )
    done["referral"] = referral = referrals.refer_case(
        case, actor=police, to_agency=world.shelter, service_type="shelter", consent=consent
    )
    referral = Referral.objects.get(pk=referral.pk)  # as the shelter's page loads it
    referrals.accept_referral(referral, actor=provider, expected_version=referral.version)
    done["delivery"] = referrals.record_service_delivery(
        Referral.objects.get(pk=referral.pk),
        actor=provider,
        service_type="shelter",
        delivered_on=timezone.localdate(),
    )
    return done


def _records(page) -> set[tuple[str, str]]:
    return {(event.object_type, event.object_ref) for event in page}


def test_an_administrator_filtering_by_her_reference_reads_everything_around_her(client, world):
    ours = _help(world, world.person)
    other = PersonFactory(owner_agency=world.police)
    theirs = _help(world, other)
    hold = place_legal_hold(
        world.person, actor=world.users.coordinator, reason="Witness in proceedings DDA 41/2026"
    )
    client.force_login(world.users.admin)

    page = client.get("/audit/", {"record": world.person.reference.lower()}).context["page"]

    assert {
        ("screening", ours["screening"].reference),
        ("protectioncase", ours["case"].reference),
        ("consent", str(ours["consent"].pk)),
        ("referral", ours["referral"].reference),
        ("servicedelivery", str(ours["delivery"].pk)),
        ("legal_hold", hold.reference),
    } <= _records(page)
    assert {event.person_ref for event in page} == {world.person.reference}
    assert not {theirs["case"].reference, other.reference} & {e.object_ref for e in page}
    assert ("referral", ours["referral"].reference) not in _records(
        client.get("/audit/", {"record": other.reference}).context["page"]
    )


def test_the_filter_by_another_record_still_finds_that_record_only(client, world):
    ours = _help(world, world.person)
    client.force_login(world.users.admin)
    page = client.get("/audit/", {"record": ours["referral"].reference}).context["page"]
    assert _records(page) == {("referral", ours["referral"].reference)}


def test_events_written_before_persons_were_named_still_show_on_her_trail(client, world):
    """An event sealed before the field existed names her only as its record."""
    record_event(Action.VIEW, actor=world.users.responder, obj=world.person)
    AuditEvent.objects.update(person_ref="")  # as the migration left the older rows
    client.force_login(world.users.admin)
    page = client.get(reverse("audit:person", args=[world.person.reference])).context["page"]
    assert [event.object_ref for event in page] == [world.person.reference]


def test_the_trail_is_one_click_from_her_page_for_whoever_reads_the_audit(client, world):
    ours = _help(world, world.person)
    auditing = UserFactory(
        username="auditing_coordinator",
        agency=world.nrm,
        roles=[Role.COORDINATOR, Role.ADMINISTRATOR],
    )
    trail = reverse("audit:person", args=[world.person.reference])
    client.force_login(world.users.coordinator)
    assert trail not in client.get(f"/people/{world.person.reference}/").content.decode()

    client.force_login(auditing)
    assert trail in client.get(f"/people/{world.person.reference}/").content.decode()
    response = client.get(trail)
    assert response.status_code == 200
    assert ("referral", ours["referral"].reference) in _records(response.context["page"])
    assert world.person.display_name not in response.content.decode()  # events, not her file


@pytest.mark.parametrize("username", ["responder", "coordinator", "provider", "analyst"])
def test_no_one_else_reads_her_trail(client, world, username):
    _help(world, world.person)
    client.force_login(getattr(world.users, username))
    assert client.get(reverse("audit:person", args=[world.person.reference])).status_code == 403
    assert client.get("/audit/", {"record": world.person.reference}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("audit:person", args=[world.person.reference]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_her_trail_costs_the_same_queries_for_a_few_or_many_events(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.users.admin)
    trail = reverse("audit:person", args=[world.person.reference])
    for _ in range(3):
        record_event(Action.VIEW, actor=world.users.responder, obj=world.case)
    client.get(trail)
    with django_assert_max_num_queries(12) as few:
        client.get(trail)
    for _ in range(40):
        record_event(Action.VIEW, actor=world.users.responder, obj=world.referral)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(trail)
    assert len(response.context["page"]) == 43


# --- whom an event names -------------------------------------------------------------------


def test_the_person_is_found_from_what_the_caller_already_loaded(world, django_assert_num_queries):
    referral = Referral.objects.select_related("case__person").get(pk=world.referral.pk)
    with django_assert_num_queries(0):
        assert person_reference_of(referral) == world.person.reference
    bare = ServiceDelivery(referral_id=world.referral.pk, service_type="shelter")
    with django_assert_num_queries(1):  # referral, case and person in one query
        assert person_reference_of(bare) == world.person.reference
    case = ProtectionCase.objects.get(pk=world.case.pk)
    with django_assert_num_queries(1):
        assert person_reference_of(case) == world.person.reference
    assert person_reference_of(world.shelter) == ""  # an agency is about no one


def test_an_erased_person_is_named_by_her_reference_and_a_list_names_no_one(world):
    erased = record_event(Action.DELETE, object_type="person", object_ref="P-GONE0000")
    assert erased.person_ref == "P-GONE0000"
    view_person_list([world.person], actor=world.users.responder)
    listed = AuditEvent.objects.get(object_type="person_list")
    assert listed.person_ref == ""  # one event for a page of persons: no one's in particular
    login = record_event(Action.LOGIN, actor=world.users.admin, obj=world.users.admin)
    assert login.person_ref == ""
    lazy = SimpleLazyObject(lambda: world.users.admin)  # request.user, as views pass it
    assert record_event(Action.CHANGE, actor=lazy, obj=lazy).person_ref == ""


# --- the person is sealed into the chain ---------------------------------------------------


def test_editing_whom_an_event_names_breaks_the_chain(world):
    about_her = record_event(Action.VIEW, actor=world.users.responder, obj=world.case)
    about_no_one = record_event(Action.LOGIN, actor=world.users.admin, obj=world.users.admin)
    assert verify_chain().ok
    for event, forged in ((about_her, "P-OTHER000"), (about_her, ""), (about_no_one, "P-X")):
        AuditEvent.objects.filter(pk=event.pk).update(person_ref=forged)
        report = verify_chain()
        assert report.broken_at == event.pk and "content was altered" in report.problem
        AuditEvent.objects.filter(pk=event.pk).update(person_ref=event.person_ref)
        assert verify_chain().ok


def test_an_event_about_no_one_is_hashed_as_events_were_before_persons_were_named(world):
    event = record_event(Action.LOGIN, actor=world.users.admin, obj=world.users.admin)
    assert "person_ref" not in json.loads(event.canonical())
    named = record_event(Action.VIEW, actor=world.users.responder, obj=world.person)
    assert json.loads(named.canonical())["person_ref"] == world.person.reference
