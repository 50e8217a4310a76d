"""Persons known to both partner instances, found without sending a name.

Italy's police met Fatoumata Diallo, born in 1999; NAPTIP in Lagos registered her as
Fatimata Jallow, born the same year. The two administrators agreed a linkage secret by
telephone and set it on both instances. Italy's coordinator asks "who do we both know?":
only Bloom-filter encodings cross the border, and both coordinators learn the other's
reference of the woman — nothing about anybody else.
"""

import base64
import json
import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.audit.models import AuditEvent
from corridor.core.testing import CaseFactory, PersonFactory
from corridor.crossborder import pprl, services
from corridor.crossborder.models import OutboxMessage, Partner, PprlExchange, PprlMatch
from corridor.crossborder.outbox import deliver_pending
from corridor.crossborder.pprl_exchange import start_pprl_exchange
from corridor.crossborder.testing import ClientTransport
from corridor.jobs.models import Job
from corridor.jobs.registry import job_type
from corridor.jobs.runner import execute
from corridor.notifications.models import Notification

SECRET = "agreed-by-phone-between-rome-and-abuja"
PHONE = "+2348031234567"


def as_user(client, user):
    client.force_login(user)


def run_pprl_jobs() -> int:
    """Run the queued PPRL jobs, only them (each test delivers the outbox itself)."""
    ran = 0
    for job in Job.objects.filter(
        status=Job.Status.QUEUED, task_name__contains="pprl_exchange"
    ).order_by("pk"):
        kind = job_type(job.task_name)
        execute(str(job.pk), kind.function, job.arguments, SimpleNamespace(task_result=None))
        ran += 1
    return ran


@pytest.fixture
def secrets_set(world, partners, italy, nigeria, naptip):
    with italy.active():
        services.set_pprl_secret(partners.nigeria, actor=world.users.admin, secret=SECRET)
    with nigeria.active():
        services.set_pprl_secret(partners.italy, actor=naptip.admin, secret=SECRET)
    partners.nigeria.refresh_from_db()
    partners.italy.refresh_from_db()
    return partners


@pytest.fixture
def people(world, naptip):
    born = {"date_of_birth": date(1999, 3, 14), "age_estimate_min": None, "age_estimate_max": None}
    fatoumata = PersonFactory(
        owner_agency=world.police, given_name="Fatoumata", family_name="Diallo", **born
    )
    return SimpleNamespace(
        fatoumata=fatoumata,
        case=CaseFactory(person=fatoumata, owner_agency=world.police),
        only_in_italy=PersonFactory(
            owner_agency=world.police, given_name="Grace", family_name="Okonkwo", **born
        ),
        fatimata=PersonFactory(
            owner_agency=naptip.agency,
            given_name="Fatimata",
            family_name="Jallow",
            date_of_birth=date(1999, 8, 2),
            age_estimate_min=None,
            age_estimate_max=None,
        ),
        only_in_nigeria=PersonFactory(
            owner_agency=naptip.agency, given_name="Chidinma", family_name="Eze", **born
        ),
    )


def _exchange(client, world, italy, nigeria, partners, capture) -> dict:
    """Italy's coordinator starts; both instances do their part; the messages cross."""
    wire = []
    as_user(client, world.users.coordinator)
    with italy.active():
        answer = client.post(f"/crossborder/known-elsewhere/{partners.nigeria.pk}/start/")
        assert answer.status_code == 302
        run_pprl_jobs()
        to_nigeria = ClientTransport(client, nigeria)
        deliver_pending(transport=to_nigeria)
        wire += to_nigeria.calls
    with nigeria.active(), capture(execute=True):
        run_pprl_jobs()
    with nigeria.active():
        to_italy = ClientTransport(client, italy)
        deliver_pending(transport=to_italy)
        wire += to_italy.calls
    return {"calls": wire}


def _strings(value, key=""):
    """Every (key, value) of a JSON document, keys included as values of their own."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield "", name
            yield from _strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)
    else:
        yield key, value


def _jws_payload(body: bytes) -> dict:
    segment = body.decode("ascii").split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# --- the story ---------------------------------------------------------------------------------


def test_both_coordinators_see_the_woman_known_to_both_with_the_other_s_reference(
    client, world, italy, nigeria, naptip, secrets_set, people, django_capture_on_commit_callbacks
):
    _exchange(client, world, italy, nigeria, secrets_set, django_capture_on_commit_callbacks)

    in_italy = PprlMatch.objects.get(partner=secrets_set.nigeria)
    assert in_italy.person == people.fatoumata
    assert in_italy.remote_reference == people.fatimata.reference
    assert in_italy.similarity >= pprl.THRESHOLD
    in_nigeria = PprlMatch.objects.get(partner=secrets_set.italy)
    assert in_nigeria.person == people.fatimata
    assert in_nigeria.remote_reference == people.fatoumata.reference
    assert in_nigeria.similarity == in_italy.similarity
    assert PprlExchange.objects.filter(status=PprlExchange.Status.DONE).count() == 2

    with italy.active():
        as_user(client, world.users.coordinator)
        page = client.get("/crossborder/known-elsewhere/").content.decode()
    assert people.fatimata.reference in page and people.fatoumata.reference in page
    assert f"/crossborder/send/{people.case.reference}/" in page  # refer her from here
    assert "Jallow" not in page and "Fatimata" not in page
    with nigeria.active():
        as_user(client, naptip.coordinator)
        page = client.get("/crossborder/known-elsewhere/").content.decode()
    assert people.fatoumata.reference in page and "Diallo" not in page
    assert Notification.objects.filter(recipient=naptip.coordinator).exists()


def test_a_person_known_to_one_side_only_is_not_matched(
    client, world, italy, nigeria, secrets_set, people, django_capture_on_commit_callbacks
):
    _exchange(client, world, italy, nigeria, secrets_set, django_capture_on_commit_callbacks)

    matched = set(PprlMatch.objects.values_list("person_id", flat=True))
    assert matched == {people.fatoumata.pk, people.fatimata.pk}
    remote = set(PprlMatch.objects.values_list("remote_reference", flat=True))
    for alone in (people.only_in_italy, people.only_in_nigeria, world.person):
        assert alone.pk not in matched and alone.reference not in remote


def test_the_wire_carries_no_name_no_birth_date_and_no_phone(
    client, world, italy, nigeria, secrets_set, people, django_capture_on_commit_callbacks
):
    sent = _exchange(client, world, italy, nigeria, secrets_set, django_capture_on_commit_callbacks)

    payloads = [m.payload for m in OutboxMessage.objects.filter(type__startswith="linkage.")]
    payloads += [_jws_payload(call["body"]) for call in sent["calls"]]
    assert {p["type"] for p in payloads} == {"linkage.encodings", "linkage.matches"}
    forbidden = [
        *(
            name.lower()
            for person in (world.person, people.fatoumata, people.fatimata, people.only_in_italy)
            for name in (person.given_name, person.family_name)
        ),
        "1999-03-14",
        "1999-08-02",
        PHONE,
        PHONE.lstrip("+"),
        "8031234567",
    ]
    values = [pair for payload in payloads for pair in _strings(payload)]
    assert values
    for key, value in values:
        assert value != 1999 and value != "1999"
        if key == "clk":  # a filter, nothing else: no text hides in it
            assert len(pprl.from_text(value)) == pprl.FILTER_BYTES
        elif key in {"message_id", "exchange"}:
            uuid.UUID(value)
        elif isinstance(value, str):
            for word in forbidden:
                assert word not in value.lower(), (key, value)
    encodings = [p["body"] for p in payloads if p["type"] == "linkage.encodings"]
    assert all(set(r) == {"ref", "clk"} for body in encodings for r in body["records"])


# --- the rules -----------------------------------------------------------------------------------


def test_without_a_secret_the_exchange_is_refused_with_a_clear_error(
    client, world, italy, partners, people
):
    with italy.active():
        with pytest.raises(ValidationError) as refused:
            start_pprl_exchange(partners.nigeria, actor=world.users.coordinator)
        assert "linkage secret" in " ".join(refused.value.message_dict["pprl_secret"])
        as_user(client, world.users.coordinator)
        answer = client.post(f"/crossborder/known-elsewhere/{partners.nigeria.pk}/start/")
        assert answer.status_code == 302
        page = client.get(answer.url).content.decode()
    assert "linkage secret" in page
    assert not PprlExchange.objects.exists() and not Job.objects.exists()


def test_a_partner_without_the_secret_refuses_the_encodings(
    client, world, italy, nigeria, partners, people
):
    with italy.active():
        services.set_pprl_secret(partners.nigeria, actor=world.users.admin, secret=SECRET)
        partners.nigeria.refresh_from_db()
        start_pprl_exchange(partners.nigeria, actor=world.users.coordinator)
        run_pprl_jobs()
        deliver_pending(transport=ClientTransport(client, nigeria))
    message = OutboxMessage.objects.get(type="linkage.encodings")
    assert message.status == OutboxMessage.Status.PENDING and message.last_status_code == 422
    assert "invalid_message" in message.last_error
    assert not PprlMatch.objects.exists()


def test_only_coordinators_of_this_country_compare_records(client, world, italy, secrets_set):
    url = f"/crossborder/known-elsewhere/{secrets_set.nigeria.pk}/start/"
    with italy.active():
        for user in (world.users.responder, world.users.admin, world.users.analyst):
            as_user(client, user)
            assert client.post(url).status_code == 403
            assert client.get("/crossborder/known-elsewhere/").status_code == 403
        as_user(client, world.users.foreign_coordinator)  # a coordinator, of France
        assert client.post(url).status_code == 403
        with pytest.raises(PermissionDenied):
            start_pprl_exchange(secrets_set.nigeria, actor=world.users.responder)
    assert not PprlExchange.objects.exists()


def test_only_administrators_set_the_secret_and_the_audit_never_holds_it(
    client, world, italy, partners
):
    with italy.active():
        with pytest.raises(PermissionDenied):
            services.set_pprl_secret(partners.nigeria, actor=world.users.coordinator, secret=SECRET)
        with pytest.raises(ValidationError):
            services.set_pprl_secret(partners.nigeria, actor=world.users.admin, secret="short")
        as_user(client, world.users.admin)
        client.post(f"/crossborder/partners/{partners.nigeria.pk}/secret/", {"secret": SECRET})
    partners.nigeria.refresh_from_db()
    assert partners.nigeria.pprl_secret == SECRET
    event = AuditEvent.objects.filter(details__pprl_secret="set").get()
    assert SECRET not in json.dumps(event.details)


def test_both_sides_audit_the_exchange_in_counts_never_names(
    client, world, italy, nigeria, secrets_set, people, django_capture_on_commit_callbacks
):
    _exchange(client, world, italy, nigeria, secrets_set, django_capture_on_commit_callbacks)

    events = AuditEvent.objects.filter(object_type="pprl_exchange")
    italy_steps = [e.details["step"] for e in events if e.details["partner"] == "NG"]
    nigeria_steps = [e.details["step"] for e in events if e.details["partner"] == "IT"]
    assert italy_steps == ["started", "encodings sent", "matches received"]
    assert nigeria_steps == ["encodings arriving", "compared"]
    sent = events.get(details__step="encodings sent")
    assert sent.details["records"] == 3 and sent.actor_username == "coordinator"
    compared = events.get(details__step="compared")
    assert compared.details["received"] == 3 and compared.details["matches"] == 1
    text = json.dumps([e.details for e in events]).lower()
    assert "diallo" not in text and "jallow" not in text and "1999" not in text


# --- the encoder ---------------------------------------------------------------------------------


def test_the_encoder_is_deterministic_for_one_secret_and_differs_under_another():
    one, again, other = pprl.Encoder(SECRET), pprl.Encoder(SECRET), pprl.Encoder("another-secret-x")
    fatoumata = {"names": ["Fatoumata", "Diallo"], "birth_year": 1999, "sex": "female"}
    clk = one.encode(**fatoumata)
    assert len(clk) == pprl.FILTER_BYTES
    assert again.encode(**fatoumata) == clk
    assert other.encode(**fatoumata) != clk
    assert pprl.dice(clk, other.encode(**fatoumata)) < 0.6  # nothing to compare across pairs


def test_spellings_and_scripts_of_one_name_meet_and_other_women_do_not():
    encoder = pprl.Encoder(SECRET)

    def clk(*names, year=1999):
        return encoder.encode(names=names, birth_year=year, sex="female")

    fatoumata = clk("Fatoumata", "Diallo")
    assert pprl.dice(fatoumata, clk("Fatimata", "Jallow")) >= pprl.THRESHOLD
    assert pprl.dice(fatoumata, clk("Фатумата", "Диалло")) >= pprl.THRESHOLD  # Cyrillic
    assert pprl.dice(fatoumata, clk("Diallo", "Fatoumata")) == 1.0  # order does not matter
    assert pprl.dice(fatoumata, clk("Aminata", "Diallo")) < pprl.THRESHOLD
    pairs = pprl.match(
        [fatoumata, clk("Grace", "Okonkwo")], [clk("Chidinma", "Eze"), clk("Fatimata", "Jallow")]
    )
    assert [(i, j) for i, j, _s in pairs] == [(0, 1)]


def test_the_page_costs_the_same_queries_for_one_match_or_many(client, world, italy, secrets_set):
    def add(n):
        person = PersonFactory(owner_agency=world.police)
        CaseFactory(person=person, owner_agency=world.police)
        PprlMatch.objects.create(
            partner=secrets_set.nigeria,
            person=person,
            remote_reference=f"P-0000{n:04d}",
            similarity=0.9,
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/crossborder/known-elsewhere/").content.decode()
        return len(captured), page.count("/crossborder/send/")

    with italy.active():
        as_user(client, world.users.coordinator)
        add(0)
        one = queries()
        for n in range(1, 12):
            add(n)
        many = queries()
    assert one[1] == 1 and many[1] == 12
    assert many[0] == one[0]


def test_two_demo_instances_share_a_linkage_secret_without_being_told(world, italy, nigeria):
    from corridor.demo.loader import demo_pprl_secret, register_demo_partner

    card = {
        "country": "NG",
        "base_url": nigeria.base_url,
        "key_id": nigeria.signing_key.key_id,
        "public_jwk": nigeria.public_jwk,
    }
    with italy.active():
        own = register_demo_partner(card)
    partner = Partner.objects.get(country="NG")
    assert partner.pprl_secret == demo_pprl_secret(card["key_id"], own["key_id"])
    assert demo_pprl_secret("a", "b") == demo_pprl_secret("b", "a")


# --- exchanges that never finish -------------------------------------------------------------


def test_an_exchange_that_never_finishes_is_stopped_and_the_encodings_it_got_are_deleted(
    world, italy, secrets_set, settings
):
    """Nigeria sent one part of two and fell silent; another exchange's encoding job failed.
    A day later both are stopped: the part kept is deleted, the coordinators read
    "stopped", and a part arriving after that is not kept."""
    from datetime import timedelta

    from django.utils import timezone

    from corridor.crossborder.models import PprlPart
    from corridor.crossborder.pprl_exchange import handle_linkage_encodings, stop_stale_exchanges

    settings.CORRIDOR_PPRL_EXCHANGE_HOURS = 24
    partner = secrets_set.nigeria
    with italy.active():
        half = PprlExchange.objects.create(
            partner=partner, direction="incoming", status="receiving", parts=2
        )
        PprlPart.objects.create(exchange=half, part=0, records_json="[]")
        failed = PprlExchange.objects.create(
            partner=partner, direction="outgoing", status="encoding"
        )
        fresh = PprlExchange.objects.create(partner=partner, direction="outgoing", status="sent")
        done = PprlExchange.objects.create(partner=partner, direction="outgoing", status="done")
        day_ago = timezone.now() - timedelta(hours=25)
        PprlExchange.objects.exclude(pk=fresh.pk).update(started_at=day_ago)

        assert stop_stale_exchanges() == 2
        statuses = dict(PprlExchange.objects.values_list("pk", "status"))
        assert statuses == {
            half.pk: "stopped",
            failed.pk: "stopped",
            fresh.pk: "sent",  # still within the day
            done.pk: "done",
        }
        assert not PprlPart.objects.exists()
        assert AuditEvent.objects.filter(object_ref=str(half.uid), details__step="stopped").exists()
        assert stop_stale_exchanges() == 0  # once

        late = {
            "body": {
                "exchange": str(half.uid),
                "part": 1,
                "parts": 2,
                "scheme": pprl.SCHEME,
                "records": [],
            }
        }
        outcome, _ = handle_linkage_encodings(partner, late)
        assert outcome.startswith("ignored") and not PprlPart.objects.exists()
