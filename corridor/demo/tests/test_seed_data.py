"""The synthetic data set follows the rules of the services it stands for.

Screenings are scored by the real combination rules, referrals rely on a consent that
covers them, case histories follow the lifecycle, incidents count as the counting rules
say — and every role's home page has work on it.
"""

from __future__ import annotations

import copy
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from corridor.accounts import access
from corridor.accounts.models import Agency, User
from corridor.cases.models import (
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    reflection_days,
)
from corridor.cases.services import PREVIOUS_STAGE, TRANSITIONS, reviews_due_for
from corridor.consent.models import Consent
from corridor.demo.answers import shipped_catalogues
from corridor.demo.bulk import Table
from corridor.demo.demo_work import prepare_demo_work
from corridor.demo.loader import assign_demo_coordinator, ensure_demo_accounts
from corridor.demo.models import SeededIdentity
from corridor.demo.synthetic import SyntheticGenerator
from corridor.incidents import counting
from corridor.incidents.models import (
    Incident,
    IncidentVictim,
    MeansOfControl,
    RecruiterRelation,
    Suspect,
)
from corridor.notifications.models import Notification
from corridor.people.models import Person
from corridor.referrals.models import Referral, ServiceDelivery, ServiceOffer
from corridor.referrals.services import Waiting, filter_offers, purpose_for, waiting_for
from corridor.screening import rules
from corridor.screening import services as screening_services
from corridor.screening.models import AgeAssessment, IndicatorCatalogue, Screening
from corridor.screening.rules import Result
from corridor.vocabularies import Exploitation

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AS_OF_TEXT = "2026-03-01T12:00:00Z"
Status = ProtectionCase.Status


def seed(victims: int, **options) -> None:
    options.setdefault("as_of", AS_OF_TEXT)
    call_command("seed", victims=victims, verbosity=0, **options)


def scored(specs, screening) -> dict:
    evaluation = rules.evaluate(
        specs, screening.answers, child=screening.treated_as_child, smuggling=screening.smuggling
    )
    return json.loads(json.dumps(evaluation.as_dict()))


# --- screenings ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_screening_is_what_the_combination_rules_make_of_its_answers():
    seed(300)
    specs = {c.pk: c.specs() for c in IndicatorCatalogue.objects.all()}
    catalogues = {c.pk: c for c in IndicatorCatalogue.objects.all()}
    screenings = list(Screening.objects.select_related("case"))
    victims = SeededIdentity.objects.filter(original=True).count()  # duplicates: no screening
    assert len(screenings) >= victims
    for s in screenings:
        catalogue = catalogues[s.catalogue_id]
        assert catalogue.published and catalogue.retired_at is None
        assert sorted(s.answers) == sorted(spec.code for spec in specs[s.catalogue_id])
        explanation = scored(specs[s.catalogue_id], s)
        assert (s.result, s.rule) == (explanation["result"], explanation["rule"]), s.reference
        assert s.explanation == explanation, s.reference
        assert s.treated_as_child == catalogue.is_child == s.guardian_required
        assert (s.next_step, s.suggested_service) == tuple(
            str(x) for x in screening_services.next_step(s.result, s.treated_as_child)
        )
        assert (s.case_id is None) == (s.result == Result.NO_INDICATORS)
        victim = s.result in (Result.PRESUMED_VICTIM, Result.POSSIBLE_VICTIM)
        status = s.htcds["vic_TraffickingStatus"]
        assert status == ("PossibleVictimOfTrafficking" if victim else None)
        assert s.htcds["cor_ScreeningResult"] == s.result
    assert {s.result for s in screenings} == set(Result.values)
    assert {s.rule for s in screenings} == set(rules.ResultRule.values)
    assert any(s.treated_as_child for s in screenings)


@pytest.mark.django_db
def test_each_case_was_opened_by_one_screening_that_matches_its_kind():
    seed(250)
    opening = Counter(Screening.objects.filter(case_opened=True).values_list("case_id", flat=True))
    for case in ProtectionCase.objects.all():
        assert opening[case.pk] == 1, case.reference
        first = Screening.objects.get(case=case, case_opened=True)
        assert first.agency_id == case.owner_agency_id
        smuggled = first.result == Result.SMUGGLED_MIGRANT
        assert smuggled == (case.kind == ProtectionCase.Kind.SMUGGLING), case.reference
        if first.case_effect == "proposed":
            assert case.events.filter(kind=CaseEvent.Kind.PROPOSAL).exists()
    effects = set(Screening.objects.values_list("case_effect", flat=True))
    assert {"opened", "moved", "proposed", "none"} <= effects
    # A screening never overwrites an earlier one: some persons were screened twice.
    twice = Person.objects.annotate(n=Count("screenings")).filter(n__gt=1)
    assert twice.exists()


@pytest.mark.django_db
def test_a_person_of_unknown_age_is_screened_as_a_child_until_assessed():
    seed(400)
    unassessed = Person.objects.filter(
        date_of_birth__isnull=True, age_estimate_min__isnull=True, age_assessments__isnull=True
    )
    assert unassessed.exists()
    for s in Screening.objects.filter(person__in=unassessed):
        assert s.treated_as_child and s.guardian_required
        assert s.catalogue.is_child
        assert s.next_step == "child_protection"
    assessments = list(AgeAssessment.objects.select_related("person"))
    assert {a.conclusion for a in assessments} >= {"child", "adult"}
    for a in assessments:
        assert a.conclusion == AgeAssessment.conclude(a.assessed_age_min, a.assessed_age_max)
        person = a.person
        assert (person.age_estimate_min, person.age_estimate_max) == (
            a.assessed_age_min,
            a.assessed_age_max,
        )
        if a.conclusion != AgeAssessment.Conclusion.UNDETERMINED:
            assert not person.age_disputed
        later = Screening.objects.filter(person=person, screened_at__gte=a.assessed_at)
        for s in later:
            assert s.treated_as_child == (a.conclusion != AgeAssessment.Conclusion.ADULT)
    children = Consent.objects.filter(person__in=unassessed)
    assert all(c.method == Consent.Method.GUARDIAN for c in children)


def test_the_generator_scores_with_the_rules_too():
    """Without a database, for several instance countries, with the shipped lists."""
    catalogues = shipped_catalogues()
    for country in ("IT", "ES", "NG", "LY"):
        generator = SyntheticGenerator(seed=5, country=country, as_of=AS_OF)
        for victim in generator.victims(400):
            for s in victim.screenings:
                catalogue = catalogues[s.list_kind]
                evaluation = rules.evaluate(
                    catalogue.indicators,
                    s.answers,
                    child=s.treated_as_child,
                    smuggling=s.smuggling,
                )
                assert (s.result, s.rule) == (evaluation.result, evaluation.rule)
                assert s.explanation == evaluation.as_dict()


# --- consent and referrals ----------------------------------------------------------------


@pytest.mark.django_db
def test_every_referral_relies_on_a_consent_that_covers_it():
    seed(400)
    referrals = list(
        Referral.objects.select_related("consent", "to_agency", "case").prefetch_related(
            "consent__recipient_agencies"
        )
    )
    assert referrals
    for r in referrals:
        assert r.consent is not None, r.reference
        assert r.consent.person_id == r.case.person_id
        assert r.consent.given_at <= r.created_at
        as_given = copy.copy(r.consent)
        as_given.revoked_at = None  # what it covered when the referral was sent
        assert as_given.covers(
            purpose=purpose_for(r.service_type),
            categories=r.shared_categories,
            agency=r.to_agency,
        ), r.reference
    revoked = [r for r in referrals if r.consent.revoked_at is not None]
    assert revoked, "a few consents are revoked"
    for r in revoked:
        # withdraw_referrals_for_revoked_consent: nothing stays open on a revoked consent
        assert r.status not in Referral.OPEN, r.reference
        if r.withdrawn_at and r.withdrawn_at == r.consent.revoked_at:
            assert r.withdraw_reason == "The person revoked the consent this referral relied on."
    granting = Referral.objects.filter(access.CONSENT_STANDS, status__in=Referral.GRANTS_ACCESS)
    assert granting.exists()
    assert not granting.filter(consent__isnull=True).exists()
    assert not granting.filter(consent__revoked_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_provider_sees_only_what_the_referrals_share():
    seed(300)
    ensure_demo_accounts("IT")
    provider = User.objects.get(username="provider")
    visible = access.persons_visible_to(provider)
    expected = set(
        Referral.objects.filter(
            access.CONSENT_STANDS,
            to_agency_id=provider.agency_id,
            status__in=Referral.GRANTS_ACCESS,
        ).values_list("case__person_id", flat=True)
    )
    assert expected and set(visible.values_list("pk", flat=True)) == expected
    shared = defaultdict(set)
    for person_id, categories in Referral.objects.filter(
        access.CONSENT_STANDS, to_agency_id=provider.agency_id, status__in=Referral.GRANTS_ACCESS
    ).values_list("case__person_id", "shared_categories"):
        shared[person_id] |= set(categories)
    for person in visible[:50]:
        assert access.visible_categories(provider, person) == shared[person.pk]


@pytest.mark.django_db
def test_referral_statuses_come_with_the_right_dates_and_deliveries():
    seed(300)
    referrals = Referral.objects.annotate(n=Count("deliveries"))
    for r in referrals:
        if r.status in ("in_progress", "completed"):
            assert r.n >= 1 and r.started_at and r.responded_at, r.reference
        if r.status in ("sent", "accepted", "declined"):
            assert r.n == 0 and r.started_at is None, r.reference
        if r.status == "declined":
            assert r.decline_reason and r.responded_at
        if r.status == "withdrawn":
            assert r.withdraw_reason and r.withdrawn_at
        if r.status == "completed":
            assert r.completed_at
    for d in ServiceDelivery.objects.select_related("referral"):
        assert d.delivered_on >= d.referral.created_at.date() and d.notes
    overdue = Referral.objects.filter(
        status="sent",
        created_at__lte=AS_OF - timedelta(hours=48),
        overdue_notified_at__isnull=False,
    )
    assert overdue.exists()


@pytest.mark.django_db
def test_the_directory_lists_every_kind_of_service_and_referrals_use_it():
    seed(300)
    offers = ServiceOffer.objects.filter(agency__country="IT")
    shelters = offers.filter(service_type="shelter")
    women = filter_offers(shelters, sex="female", age=30)
    men = filter_offers(shelters, sex="male", age=30)
    children = filter_offers(shelters, age=15, unaccompanied_child=True)
    assert women.exists() and men.exists() and children.exists()
    assert not women.filter(sexes=["male"]).exists()
    assert not filter_offers(shelters, sex="male", age=30).filter(sexes=["female"]).exists()
    assert {
        "shelter",
        "medical",
        "mhpss",
        "legal_aid",
        "interpretation",
        "return_reintegration",
        "child_protection",
        "family_tracing",
        "documentation",
    } <= set(offers.values_list("service_type", flat=True))
    assert filter_offers(offers, language="ti", service_type="interpretation").exists()
    full = [o for o in offers if o.is_full]
    assert full and len(full) < offers.count()
    assert all(o.contact_phone.startswith("+39") and o.contact_email for o in offers)
    provider = Agency.objects.get(short_name="Il Faro")
    assert offers.filter(agency=provider).count() >= 2
    linked = Referral.objects.filter(offer__isnull=False).select_related("offer", "case__person")
    assert linked.exists()
    for r in linked:
        assert r.offer.agency_id == r.to_agency_id and r.offer.service_type == r.service_type
        sex = r.case.person.sex
        assert sex not in ("female", "male") or not r.offer.sexes or sex in r.offer.sexes
    assert Referral.objects.filter(to_agency=provider, status__in=Referral.OPEN).exists()


# --- the case file ------------------------------------------------------------------------


@pytest.mark.django_db
def test_case_histories_follow_the_lifecycle():
    seed(300)
    days = reflection_days()
    cases = ProtectionCase.objects.prefetch_related("events", "reflection_extensions")
    for case in cases:
        events = list(case.events.all())
        assert events[0].kind == CaseEvent.Kind.OPENED and events[0].to_value == "identified"
        stage = "identified"
        for e in (e for e in events if e.kind == CaseEvent.Kind.STATUS):
            assert e.from_value == stage, case.reference
            allowed = TRANSITIONS[stage]
            assert e.to_value in allowed or PREVIOUS_STAGE in allowed, (stage, e.to_value)
            stage = e.to_value
        assert stage == case.status, case.reference
        if case.status == Status.CLOSED:
            last = [e for e in events if e.kind == CaseEvent.Kind.STATUS][-1]
            assert case.closure_reason and last.reason == case.closure_reason
            assert case.closed_from == last.from_value and case.closed_at == last.at
            if case.closure_reason == "other":
                assert last.note
        presumed = [e for e in events if e.kind == "status" and e.to_value == "presumed_victim"]
        if presumed:
            assert case.reflection_starts_on == presumed[0].at.date()
            extensions = list(case.reflection_extensions.all())
            first_end = case.reflection_starts_on + timedelta(days=days - 1)
            assert case.reflection_ends_on == (extensions[-1].new_end if extensions else first_end)
        else:
            assert case.reflection_starts_on is None and not case.assistance_unconditional
        unconditional = [e for e in events if e.to_value == CaseEvent.UNCONDITIONAL]
        assert bool(unconditional) == case.assistance_unconditional
        cooperation = [
            e.to_value
            for e in events
            if e.kind == CaseEvent.Kind.PRINCIPLES and e.to_value != CaseEvent.UNCONDITIONAL
        ]
        assert case.cooperation_status == (cooperation[-1] if cooperation else "not_discussed")
    assert set(cases.values_list("closure_reason", flat=True)) > {""}
    for offence in CompelledOffence.objects.all():
        pending = offence.decision == CompelledOffence.Decision.PENDING
        assert pending == (offence.decided_on is None) == (offence.authority == "")
    assert CompelledOffence.objects.exclude(decision="pending").exists()
    assert NeedsAssessment.objects.exists() and CaseReview.objects.exists()
    assert set(cases.values_list("cooperation_status", flat=True)) >= {
        "cooperating",
        "declined",
        "reflecting",
    }


@pytest.mark.django_db
def test_every_role_has_work_on_the_day_of_the_demo():
    seed(400, as_of=None)  # dated now, as `corridor demo` does
    ensure_demo_accounts("IT")
    assign_demo_coordinator()
    prepare_demo_work("IT")
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.select_related("agency")}

    coordinator = users["coordinator"]
    assert ProtectionCase.objects.filter(coordinator=coordinator).exists()
    assert reviews_due_for(coordinator).filter(due_on__lt=today).exists()  # overdue
    assert CaseReview.objects.filter(done_on__isnull=True, due_on__gt=today).exists()  # coming
    for kind in (Waiting.OVERDUE, Waiting.DECLINED, Waiting.UNREFERRED):
        assert waiting_for(coordinator, kinds=[kind]).count_upto(1), kind
    clocks = Counter(
        c.reflection_clock(today).state
        for c in access.cases_visible_to(coordinator).exclude(status=Status.CLOSED)
        if c.reflection_clock(today)
    )
    assert set(clocks) == {"running", "ending", "over"}

    provider = users["provider"]
    incoming = Referral.objects.filter(to_agency_id=provider.agency_id, status__in=Referral.OPEN)
    assert incoming.exists()
    responder = users["responder"]
    recent = Screening.objects.filter(
        agency_id=responder.agency_id, screened_at__gte=timezone.now() - timedelta(days=14)
    )
    assert recent.exists() and recent.filter(screened_by=responder).count() == recent.count()
    for username in ("coordinator", "provider"):
        unread = Notification.objects.filter(recipient=users[username], read_at__isnull=True)
        assert unread.exists(), username
    assert Notification.objects.filter(recipient=coordinator, message__contains="declined").exists()
    assert Notification.objects.filter(recipient=coordinator, message__contains="waited").exists()
    assert Notification.objects.filter(recipient=provider, message__startswith="New referral")
    # Running the preparation again notifies no one twice.
    before = Notification.objects.count()
    prepare_demo_work("IT")
    assert Notification.objects.count() == before


# --- incidents ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_incident_with_seventy_victims_counts_seventy_victims_and_one_incident():
    seed(200)
    big = (
        Incident.objects.annotate(n=Count("victim_links")).filter(n=70).order_by("created_at")
    ).first()
    assert big is not None
    counts = counting.count(Incident.objects.filter(pk=big.pk))
    assert (counts.victims, counts.incidents) == (70, 1)
    assert big.forms_of_exploitation == [Exploitation.FORCED_LABOUR]
    assert big.route_legs.exists() and big.suspect_links.exists() and big.events.exists()
    names = {p.family_name for p in Person.objects.filter(incident_links__incident=big)}
    assert not any(name in big.title for name in names)  # titles carry no names


@pytest.mark.django_db
def test_incidents_have_routes_places_suspects_and_distinct_victims():
    seed(600)
    incidents = Incident.objects.prefetch_related("route_legs", "suspect_links__suspect", "places")
    assert incidents.count() > 5
    stops = set()
    for incident in incidents:
        legs = list(incident.route_legs.all())
        for a, b in zip(legs, legs[1:], strict=False):
            assert a.to_locality == b.from_locality and a.to_country == b.from_country
            assert a.arrived_on <= b.departed_on
        for leg in legs:
            assert leg.departed_on <= leg.arrived_on
            stops.add(leg.from_locality)
        assert set(incident.means_of_control) <= set(MeansOfControl.values)
        assert set(incident.forms_of_exploitation) <= set(Exploitation.values)
        assert incident.recruiter_relation in RecruiterRelation.values
        assert incident.suspect_links.exists()
        assert incident.start_date <= incident.end_date
    assert {"Agadez", "Sebha"} <= stops
    assert {leg.mode for i in incidents for leg in i.route_legs.all()} >= {"land", "sea"}
    roles = {link.suspect.network_role for i in incidents for link in i.suspect_links.all()}
    assert {"recruiter", "exploiter", "transporter"} <= roles
    twice = IncidentVictim.objects.values("person").annotate(n=Count("incident")).filter(n__gt=1)
    assert twice.exists(), "the same person in two incidents"
    everything = counting.count(Incident.objects.all())
    persons = IncidentVictim.objects.values("person").distinct().count()
    assert everything.victims + everything.smuggled_migrants == persons
    assert everything.incidents == incidents.count()
    networks = Suspect.objects.annotate(n=Count("incident_links")).filter(n__gt=1)
    assert networks.exists(), "a suspect behind several incidents"


@pytest.mark.django_db
def test_the_audit_event_counts_every_table():
    seed(150)
    from corridor.audit.models import AuditEvent

    rows = AuditEvent.objects.get(object_type="seed").details["rows"]
    assert rows["screenings"] == Screening.objects.count()
    assert rows["consents"] == Consent.objects.count()
    assert rows["case_events"] == CaseEvent.objects.count()
    assert rows["deliveries"] == ServiceDelivery.objects.count()
    assert rows["incidents"] == Incident.objects.count()
    assert rows["incident_victims"] == IncidentVictim.objects.count()


def test_bulk_tables_refuse_rows_that_would_miss_a_value():
    with pytest.raises(ValueError, match="Person has no column nickname"):
        Table(Person, ["reference", "nickname"])
    with pytest.raises(ValueError, match="Person.reference has a computed default"):
        Table(Person, ["owner_agency_id", "created_at", "updated_at"])
    with pytest.raises(ValueError, match="Screening.person_id needs a value"):
        Table(Screening, ["reference", "screened_at"])
