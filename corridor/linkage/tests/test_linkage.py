"""Who is who: a responder is told, before saving, that the woman she registers may already
be known; the national coordinator links the records the field registered twice, and can
undo it; nobody sees a record through a link that they could not open before.

The world (corridor/conftest.py): Palermo police, a shelter in Palermo and one in Catania,
the national coordination office, an analyst, an administrator and a French police unit.
"""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.core.testing import PersonFactory
from corridor.jobs.models import Job
from corridor.jobs.services import outcome_of
from corridor.jobs.worker import run_jobs
from corridor.linkage import services
from corridor.linkage.likeness import Scorer, likely_same
from corridor.linkage.models import LinkageCheck, MatchCandidate, PersonLink
from corridor.people.models import Person
from corridor.people.services import register_person

TODAY = date(2026, 6, 15)
FATIMATA = {
    "given_name": "Fatimata",
    "family_name": "Jallow",
    "sex": "female",
    "nationality": "GN",
    "date_of_birth": date(2002, 5, 1),
    "phone": "",
    "document_number": "",
}


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _person(agency, given, family, born=None, **fields):
    defaults = {
        "sex": "female",
        "nationality": "GN",
        "date_of_birth": born,
        "age_estimate_min": None,
        "age_estimate_max": None,
        "phone": "",
        "document_number": "",
    }
    return PersonFactory(
        owner_agency=agency, given_name=given, family_name=family, **{**defaults, **fields}
    )


@pytest.fixture
def crowd(world):
    """Records of the Palermo police and of the Catania shelter, some of them of one woman,
    some of different people who share a common name."""
    police, catania = world.police, world.other_shelter
    return {
        "diallo": _person(police, "DIALLO Fatoumata", "", date(2002, 5, 1)),
        "catania": _person(catania, "فاطمة", "جالو", date(2002, 5, 1)),
        "camara": _person(police, "Aminata", "Camara", date(1990, 2, 2)),
        "mohamed_1985": _person(
            police, "Mohamed", "Diallo", date(1985, 7, 9), sex="male", phone="+224 622 11 22 33"
        ),
        "mohamed_2003": _person(
            police, "Mohamed", "Diallo", date(2003, 1, 20), sex="male", phone="+224 655 98 76 54"
        ),
        "others": [
            _person(police, given, family, date(1980 + i, 3, 3), sex="male")
            for i, (given, family) in enumerate(
                [
                    ("Mohamed", "Camara"),
                    ("Mohamed", "Bah"),
                    ("Ibrahima", "Diallo"),
                    ("Mamadou", "Diallo"),
                    ("Mohamed", "Sow"),
                    ("Alpha", "Diallo"),
                ]
            )
        ],
    }


def _fields(person: Person) -> dict:
    return {f.name: getattr(person, f.name) for f in Person._meta.concrete_fields}


# --- how alike two records are -------------------------------------------------------------


def test_the_same_woman_in_another_script_and_order_is_found_with_why(crowd):
    fatimata = Person(owner_agency=crowd["camara"].owner_agency, **FATIMATA)
    found = likely_same(fatimata, Person.objects.all())
    assert [f.person for f in found][:1] == [crowd["diallo"]]
    reasons = {(r.field, r.level) for r in found[0].reasons}
    assert ("family_name", "alike") in reasons  # Jallow / DIALLO
    assert ("given_name", "alike") in reasons  # Fatimata / Fatoumata
    assert ("birth", "same") in reasons
    arabic = Scorer(fatimata).score(crowd["catania"])
    assert arabic.probability >= 0.5
    assert {r.field for r in arabic.agreeing} >= {"given_name", "family_name", "birth"}


def test_two_men_with_a_common_name_born_eighteen_years_apart_are_not_one(crowd):
    older, younger = crowd["mohamed_1985"], crowd["mohamed_2003"]
    likeness = Scorer(older).score(younger)
    assert likeness.probability < 0.5
    assert ("birth", "different") in {(r.field, r.level) for r in likeness.reasons}
    services.check_person(older)
    assert not MatchCandidate.objects.filter(left=older, right=younger).exists()


def test_a_common_name_weighs_less_than_a_rare_one(crowd):
    mohamed = Scorer(Person(given_name="Mohamed", family_name="X"))
    aminata = Scorer(Person(given_name="Aminata", family_name="X"))
    assert mohamed._agreement("n:mohamed") < aminata._agreement("n:aminata")


# --- seen before? at registration ----------------------------------------------------------


def test_a_responder_is_told_before_saving_that_she_may_know_the_woman(world, crowd):
    responder = world.users.responder
    found = services.seen_before(FATIMATA, actor=responder)
    assert [f.person for f in found] == [crowd["diallo"]]  # not the Catania shelter's record
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SEARCH, actor_id=responder.pk, details__found=1
    ).exists()
    seen = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="person_list")
    assert seen.filter(details__references=[crowd["diallo"].reference]).exists()


def test_the_register_form_shows_look_alikes_and_registers_only_when_asked(world, crowd):
    client = Client()
    client.force_login(world.users.responder)
    form = {
        "given_name": "Fatimata",
        "family_name": "Jallow",
        "sex": "female",
        "nationality": "GN",
        "date_of_birth": "2002-05-01",
    }
    before = Person.objects.count()
    page = client.post("/people/new/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="seen-before"' in html and crowd["diallo"].reference in html
    assert crowd["catania"].reference not in html
    assert Person.objects.count() == before
    saved = client.post("/people/new/", {**form, "register_anyway": "1"})
    assert saved.status_code == 302
    assert Person.objects.count() == before + 1
    assert Job.objects.filter(dedup_key="linkage:check-new", status=Job.Status.QUEUED).exists()


def test_the_screening_start_offers_to_screen_the_known_record_instead(world, crowd):
    client = Client()
    client.force_login(world.users.responder)
    page = client.post(
        "/screening/",
        {
            "given_name": "Fatimata Jallow",
            "sex": "female",
            "nationality": "GN",
            "age_estimate_min": "23",
            "age_estimate_max": "25",
            "exploitation": "sexual",
        },
    )
    html = page.content.decode()
    assert 'data-testid="seen-before"' in html
    assert f"/screening/?person={crowd['diallo'].reference}" in html
    assert not Person.objects.filter(created_by=world.users.responder).exists()


def test_the_api_answers_seen_before_with_reasons_and_no_names(world, crowd):
    _token, token = issue_api_token(actor=world.users.responder, name="tablet")
    client = Client(headers={"authorization": f"Bearer {token}"})
    answer = client.post(
        "/api/linkage/seen-before",
        {**FATIMATA, "date_of_birth": "2002-05-01"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [a["reference"] for a in body] == [crowd["diallo"].reference]
    assert {"field", "level", "weight"} <= set(body[0]["reasons"][0])
    assert "Fatoumata" not in answer.content.decode()


# --- the coordinator's review queue --------------------------------------------------------


def _register_fatimata(world):
    person = register_person(actor=world.users.responder, **FATIMATA)
    run_jobs()
    return person


def test_a_new_record_is_checked_in_the_background_and_reaches_the_coordinator(world, crowd):
    fatimata = _register_fatimata(world)
    assert LinkageCheck.objects.filter(person=fatimata).exists()
    queue = services.review_queue(world.users.coordinator)
    pairs = {frozenset((c.left_id, c.right_id)) for c in queue}
    assert frozenset((fatimata.pk, crowd["diallo"].pk)) in pairs
    # the Catania record the responder could not see is proposed to the coordinator only
    assert frozenset((fatimata.pk, crowd["catania"].pk)) in pairs
    assert not services.review_queue(world.users.responder).exists()


def test_confirming_links_the_records_without_opening_either_to_anyone(world, crowd):
    fatimata = _register_fatimata(world)
    coordinator = world.users.coordinator
    ends = sorted((fatimata.pk, crowd["catania"].pk))
    pair = services.review_queue(coordinator).get(left_id=ends[0], right_id=ends[1])
    services.confirm_match(pair, actor=coordinator, expected_version=pair.version)
    identity = PersonLink.objects.get(person=fatimata).identity
    assert PersonLink.objects.get(person=crowd["catania"]).identity == identity
    assert services.linked_records(fatimata, viewer=coordinator) == [crowd["catania"]]
    # the police responder still cannot see the shelter's record, even through the link
    assert services.linked_records(fatimata, viewer=world.users.responder) == []
    assert Client().get("/people/").status_code == 302
    client = Client()
    client.force_login(world.users.responder)
    assert client.get(f"/people/{crowd['catania'].reference}/").status_code == 404
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.LINK, actor_id=coordinator.pk).count()
        == 2
    )


def test_a_third_record_joins_the_identity_and_unlinking_restores_both_exactly(world, crowd):
    fatimata = _register_fatimata(world)
    coordinator = world.users.coordinator
    before = {p.pk: _fields(p) for p in (fatimata, crowd["diallo"], crowd["catania"])}
    for pair in list(services.review_queue(coordinator)):
        if {pair.left_id, pair.right_id} <= set(before):
            services.confirm_match(pair, actor=coordinator, expected_version=pair.version)
    identities = set(PersonLink.objects.filter(person_id__in=before).values_list("identity"))
    assert identities == {(min(before),)}
    services.unlink_person(fatimata, actor=coordinator)
    assert not PersonLink.objects.filter(person=fatimata).exists()
    assert PersonLink.objects.filter(person_id__in=set(before) - {fatimata.pk}).count() == 2
    services.unlink_person(crowd["diallo"], actor=coordinator)
    assert not PersonLink.objects.filter(person_id__in=before).exists()
    assert {p.pk: _fields(p) for p in Person.objects.filter(pk__in=before)} == before
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNLINK).count() >= 2
    assert (
        not MatchCandidate.objects.filter(status=MatchCandidate.Status.CONFIRMED)
        .filter(left_id__in=before, right_id__in=before)
        .exists()
    )


def test_a_rejected_pair_is_not_proposed_again(world, crowd):
    fatimata = _register_fatimata(world)
    coordinator = world.users.coordinator
    pair = services.review_queue(coordinator).first()
    services.reject_match(pair, actor=coordinator, expected_version=pair.version)
    services.check_person(fatimata)
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.REJECTED
    assert not services.review_queue(coordinator).filter(pk=pair.pk).exists()


def test_two_coordinators_deciding_at_once_do_not_overwrite_each_other(world, crowd):
    _register_fatimata(world)
    coordinator = world.users.coordinator
    pair = services.review_queue(coordinator).first()
    stale = MatchCandidate.objects.get(pk=pair.pk)
    services.reject_match(pair, actor=coordinator, expected_version=pair.version)
    with pytest.raises(ConcurrentEdit):
        services.confirm_match(stale, actor=coordinator, expected_version=stale.version)
    assert not PersonLink.objects.exists()


ROLES_WITHOUT_REVIEW = [
    "responder",
    "investigator",
    "provider",
    "prosecutor",
    "analyst",
    "admin",
    "foreign_coordinator",
]


@pytest.mark.parametrize("role", ["coordinator", *ROLES_WITHOUT_REVIEW])
def test_who_may_review_pairs(world, crowd, role):
    _register_fatimata(world)
    pair = MatchCandidate.objects.filter(status=MatchCandidate.Status.PROPOSED).first()
    user = getattr(world.users, role)
    client = Client()
    client.force_login(user)
    queue = client.get("/linkage/")
    page = client.get(f"/linkage/pairs/{pair.pk}/")
    decide = client.post(
        f"/linkage/pairs/{pair.pk}/decide/", {"decision": "same", "version": pair.version}
    )
    if role == "coordinator":
        assert (queue.status_code, page.status_code, decide.status_code) == (200, 200, 302)
        assert PersonLink.objects.exists()
    else:
        # a coordinator of another country has a queue of her own, without this pair
        assert queue.status_code == (200 if role == "foreign_coordinator" else 403)
        assert (page.status_code, decide.status_code) == (404, 404)
        assert not PersonLink.objects.exists()
        with pytest.raises(PermissionDenied):
            services.confirm_match(pair, actor=user, expected_version=pair.version)


def test_the_coordinator_links_from_the_queue_page_and_sees_the_link_on_the_record(world, crowd):
    fatimata = _register_fatimata(world)
    client = Client()
    client.force_login(world.users.coordinator)
    queue = client.get("/linkage/").content.decode()
    assert fatimata.reference in queue and "Family name: spelt alike" in queue
    pair = MatchCandidate.objects.get(
        left_id=min(fatimata.pk, crowd["diallo"].pk), right_id=max(fatimata.pk, crowd["diallo"].pk)
    )
    client.post(f"/linkage/pairs/{pair.pk}/decide/", {"decision": "same", "version": pair.version})
    record = client.get(f"/people/{fatimata.reference}/").content.decode()
    assert 'data-testid="linked-records"' in record and crowd["diallo"].reference in record
    client.post(f"/linkage/unlink/{fatimata.reference}/")
    assert not PersonLink.objects.exists()


def test_the_api_lists_pairs_to_coordinators_only_and_takes_a_decision(world, crowd):
    _register_fatimata(world)
    coordinator, responder = (
        Client(headers={"authorization": f"Bearer {issue_api_token(actor=user, name='t')[1]}"})
        for user in (world.users.coordinator, world.users.responder)
    )
    pairs = coordinator.get("/api/linkage/pairs").json()
    assert pairs["count"] >= 1
    assert responder.get("/api/linkage/pairs").json()["count"] == 0
    first = pairs["items"][0]
    stale = coordinator.post(
        f"/api/linkage/pairs/{first['id']}/decision",
        {"decision": "same", "version": first["version"] + 5},
        content_type="application/json",
    )
    assert stale.status_code == 409
    done = coordinator.post(
        f"/api/linkage/pairs/{first['id']}/decision",
        {"decision": "same", "version": first["version"]},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    refused = responder.post(
        f"/api/linkage/pairs/{first['id']}/decision",
        {"decision": "different", "version": done.json()["version"]},
        content_type="application/json",
    )
    assert refused.status_code == 404


# --- a full run ----------------------------------------------------------------------------


def test_a_full_run_proposes_the_woman_registered_twice_and_not_the_namesakes(world, crowd):
    result = services.run_linkage()
    assert result.records == Person.objects.count()
    proposed = {
        frozenset((c.left_id, c.right_id))
        for c in MatchCandidate.objects.filter(source=MatchCandidate.Source.RUN)
    }
    assert frozenset((crowd["diallo"].pk, crowd["catania"].pk)) in proposed
    assert frozenset((crowd["mohamed_1985"].pk, crowd["mohamed_2003"].pk)) not in proposed
    again = services.run_linkage()
    assert again.proposed == 0  # what is in the queue stays as it is


def test_a_coordinator_starts_a_full_run_from_the_queue_and_follows_it(world, crowd):
    client = Client()
    client.force_login(world.users.coordinator)
    started = client.post("/linkage/run/")
    assert started.status_code == 302 and "/jobs/" in started["Location"]
    job = Job.objects.get(dedup_key="linkage:run")
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    outcome = outcome_of(job)
    assert outcome["records"] == Person.objects.count() and outcome["pairs"] >= 1
    responder = Client()
    responder.force_login(world.users.responder)
    assert responder.post("/linkage/run/").status_code == 403


def test_erasing_the_first_record_of_an_identity_leaves_the_others_counted_as_one(world, crowd):
    first, second, third = crowd["diallo"], crowd["catania"], crowd["camara"]
    PersonLink.objects.bulk_create(
        PersonLink(person=p, identity=min(first.pk, second.pk, third.pk))
        for p in (first, second, third)
    )
    head = min(first.pk, second.pk, third.pk)
    Person.objects.get(pk=head).delete()  # as retention's erasure does
    left = PersonLink.objects.order_by("person_id")
    assert [link.person_id for link in left] == sorted({first.pk, second.pk, third.pk} - {head})
    assert {link.identity for link in left} == {left[0].person_id}
    Person.objects.get(pk=left[0].person_id).delete()
    assert not PersonLink.objects.exists()  # a record alone is linked to nobody
