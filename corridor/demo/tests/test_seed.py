"""The synthetic data set: deterministic, realistic enough, encrypted, appendable, audited."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from corridor.accounts.models import Agency
from corridor.audit.models import AuditEvent
from corridor.cases.models import (
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    ReflectionExtension,
)
from corridor.consent.models import Consent
from corridor.core.crypto import decrypt
from corridor.core.references import ALPHABET
from corridor.demo.catalogue import (
    AGENCIES,
    DEMO_ROLES,
    PARTNER_COUNTRIES,
    catalogue,
    demo_agencies,
)
from corridor.demo.models import SeededIdentity
from corridor.demo.records import References
from corridor.demo.synthetic import SyntheticGenerator
from corridor.incidents.models import (
    Incident,
    IncidentEvent,
    IncidentSuspect,
    IncidentVictim,
    Place,
    RouteLeg,
    Suspect,
)
from corridor.investigations import models as investigations
from corridor.people.models import Person, PersonSearchKey
from corridor.people.search import reindex_persons
from corridor.referrals.models import Referral, ServiceDelivery, ServiceOffer
from corridor.retention.models import ErasureRequest, LegalHold
from corridor.screening.models import AgeAssessment, Screening
from corridor.vocabularies import Exploitation, ServiceType

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
AS_OF_TEXT = "2026-03-01T12:00:00Z"
FERNET_PREFIX = "gAAAA"  # version byte 0x80 and a timestamp: how every Fernet token starts


def generator_digest(seed: int, n: int = 300, country: str = "IT") -> str:
    generator = SyntheticGenerator(seed=seed, country=country, as_of=AS_OF)
    records = [dataclasses.asdict(v) for v in generator.victims(n)]
    return hashlib.sha256(json.dumps(records, default=str, sort_keys=True).encode()).hexdigest()


def _rows(queryset, *fields) -> list:
    return [repr(row) for row in queryset.values_list(*fields)]


def database_digest() -> str:
    """Every stored value that the seed sets, decrypted, in a stable order (no database ids:
    they differ between two runs on the same database)."""
    digest = hashlib.sha256()
    for p in Person.objects.select_related("owner_agency").order_by("reference"):
        digest.update(
            repr(
                [
                    p.reference,
                    p.owner_agency.name,
                    p.given_name,
                    p.family_name,
                    p.aliases,
                    p.sex,
                    p.date_of_birth,
                    p.age_estimate_min,
                    p.age_estimate_max,
                    p.age_disputed,
                    p.nationality,
                    p.languages,
                    p.phone,
                    p.email,
                    p.address,
                    p.document_type,
                    p.document_number,
                    p.narrative,
                    p.created_at,
                ]
            ).encode()
        )
    plain = [
        _rows(
            ProtectionCase.objects.order_by("reference"),
            "reference",
            "person__reference",
            "owner_agency__name",
            "kind",
            "status",
            "forms_of_exploitation",
            "risk_level",
            "opened_at",
            "closed_at",
            "closure_reason",
            "closed_from",
            "reflection_starts_on",
            "reflection_ends_on",
            "assistance_unconditional",
            "unconditional_attested_at",
            "cooperation_status",
        ),
        _rows(
            Referral.objects.order_by("reference"),
            "reference",
            "case__reference",
            "from_agency__name",
            "to_agency__name",
            "service_type",
            "offer__name",
            "consent__given_at",
            "shared_categories",
            "status",
            "note",
            "decline_reason",
            "withdraw_reason",
            "created_at",
            "responded_at",
            "started_at",
            "completed_at",
            "withdrawn_at",
            "overdue_notified_at",
        ),
        _rows(
            Consent.objects.order_by("case__reference"),
            "case__reference",
            "person__reference",
            "purposes",
            "data_categories",
            "recipient_sectors",
            "recipient_countries",
            "method",
            "interpreter_language",
            "given_at",
            "revoked_at",
            "revocation_reason",
        ),
        _rows(
            Consent.recipient_agencies.through.objects.order_by(
                "consent__case__reference", "agency__name"
            ),
            "consent__case__reference",
            "agency__name",
        ),
        _rows(
            Screening.objects.order_by("reference"),
            "reference",
            "person__reference",
            "catalogue__code",
            "agency__name",
            "screened_at",
            "answers",
            "smuggling",
            "result",
            "rule",
            "explanation",
            "treated_as_child",
            "guardian_required",
            "next_step",
            "suggested_service",
            "case__reference",
            "case_opened",
            "case_effect",
            "htcds",
        ),
        _rows(
            CaseEvent.objects.order_by("case__reference", "at", "kind", "to_value"),
            "case__reference",
            "kind",
            "from_value",
            "to_value",
            "at",
            "reason",
            "note",
        ),
        _rows(
            ReflectionExtension.objects.order_by("case__reference", "extended_at"),
            "case__reference",
            "previous_end",
            "new_end",
            "reason",
            "extended_at",
        ),
        _rows(
            NeedsAssessment.objects.order_by("case__reference", "recorded_at"),
            "case__reference",
            "assessed_on",
            "needs",
            "recorded_at",
        ),
        _rows(
            CaseReview.objects.order_by("case__reference", "due_on", "scheduled_at"),
            "case__reference",
            "due_on",
            "topic",
            "scheduled_at",
            "done_on",
        ),
        _rows(
            CompelledOffence.objects.order_by("case__reference", "recorded_at"),
            "case__reference",
            "category",
            "decision",
            "authority",
            "decided_on",
            "recorded_at",
        ),
        _rows(
            ServiceDelivery.objects.order_by("referral__reference", "recorded_at", "service_type"),
            "referral__reference",
            "service_type",
            "delivered_on",
            "recorded_at",
        ),
        _rows(
            AgeAssessment.objects.order_by("person__reference", "assessed_at"),
            "person__reference",
            "method",
            "assessed_age_min",
            "assessed_age_max",
            "conclusion",
            "agency__name",
            "assessed_at",
        ),
        _rows(
            Incident.objects.order_by("reference"),
            "reference",
            "owner_agency__name",
            "title",
            "start_date",
            "end_date",
            "forms_of_exploitation",
            "means_of_control",
            "recruiter_relation",
            "created_at",
        ),
        _rows(
            IncidentVictim.objects.order_by("incident__reference", "person__reference"),
            "incident__reference",
            "person__reference",
            "role",
            "added_at",
        ),
        _rows(
            Suspect.objects.order_by("reference"),
            "reference",
            "sex",
            "nationality",
            "network_role",
            "created_at",
        ),
        _rows(
            Incident.objects.order_by("reference", "route_legs__order"),
            "reference",
            "route_legs__order",
            "route_legs__from_locality",
            "route_legs__to_country",
            "route_legs__mode",
            "route_legs__departed_on",
        ),
        _rows(
            Incident.objects.order_by("reference", "suspect_links__suspect__reference"),
            "reference",
            "suspect_links__suspect__reference",
        ),
        sorted(  # localities are encrypted: SQL cannot order by them
            _rows(
                Incident.objects.order_by("reference"),
                "reference",
                "places__country",
                "places__locality",
                "places__kind",
                "places__latitude",
            )
        ),
        _rows(
            SeededIdentity.objects.order_by("person__reference"),
            "person__reference",
            "identity",
            "original",
            "variants",
        ),
        _rows(
            ServiceOffer.objects.order_by("agency__name", "name"),
            "agency__name",
            "name",
            "service_type",
            "total_places",
            "free_places",
        ),
    ]
    for table in plain:
        digest.update(json.dumps(table).encode())
    encrypted = [
        [(s.reference, s.location) for s in Screening.objects.order_by("reference")],
        [
            (r.case.reference, r.due_on, r.outcome)
            for r in CaseReview.objects.select_related("case").order_by(
                "case__reference", "due_on", "scheduled_at"
            )
        ],
        [(i.reference, i.summary) for i in Incident.objects.order_by("reference")],
        [(s.reference, s.names, s.aliases) for s in Suspect.objects.order_by("reference")],
        [
            (d.referral.reference, d.recorded_at, d.notes)
            for d in ServiceDelivery.objects.select_related("referral").order_by(
                "referral__reference", "recorded_at", "service_type"
            )
        ],
    ]
    digest.update(repr(encrypted).encode())
    return digest.hexdigest()


def originals():
    """The person records that have the victims' cases."""
    return Person.objects.filter(
        pk__in=SeededIdentity.objects.filter(original=True).values("person_id")
    )


def victims_stored() -> int:
    """Persons with their case: the seed's victims, not the other agencies' records of some
    of them (corridor.demo.duplicates)."""
    return SeededIdentity.objects.filter(original=True).count()


def seed(victims, **options):
    options.setdefault("as_of", AS_OF_TEXT)
    options.setdefault("verbosity", 0)
    call_command("seed", victims=victims, **options)


# The criminal cases the seed wrote about the incidents, children first: the legal
# cooperation requests that belong to them (corridor.cooperation, where installed) before them.
CRIMINAL_CASE_ROWS = [
    *(
        apps.get_model("cooperation", name)
        for name in ("CooperationEvent", "CooperationRequest")
        if apps.is_installed("corridor.cooperation")
    ),
    *(
        getattr(investigations, name)
        for name in (
            "ProtectiveMeasure",
            "Witness",
            "LegalBasis",
            "CriminalCaseEvent",
            "CompensationOrder",
            "Asset",
            "Verdict",
            "Charge",
            "CaseSuspect",
            "Offence",
            "CaseIncident",
            "CriminalCase",
        )
    ),
]


def delete_victims():
    """Everything the seed wrote about victims (agencies and the directory stay), children
    first, without Django's collector (which would look at every app's relations)."""
    for model in (
        SeededIdentity,
        PersonSearchKey,
        ErasureRequest,
        LegalHold,
        *CRIMINAL_CASE_ROWS,
        IncidentVictim,
        IncidentSuspect,
        IncidentEvent,
        RouteLeg,
        Place,
        Incident,
        Suspect,
        ServiceDelivery,
        Referral,
        Consent.recipient_agencies.through,
        Consent,
        CaseEvent,
        ReflectionExtension,
        NeedsAssessment,
        CaseReview,
        CompelledOffence,
        Screening,
        AgeAssessment,
        ProtectionCase,
        Person,
    ):
        model.objects.all()._raw_delete(model.objects.db)


# --- the generator, before the database ---------------------------------------------------


def test_same_seed_gives_the_same_records():
    assert generator_digest(7) == generator_digest(7)


def test_different_seeds_give_different_records():
    assert generator_digest(7) != generator_digest(8)


def test_records_do_not_depend_on_hash_randomisation():
    """Nothing iterates over a set or dict whose order changes between processes."""
    script = "\n".join(
        [
            "import dataclasses, hashlib, json",
            "from datetime import UTC, datetime",
            "import django",
            "django.setup()",
            "from corridor.demo.synthetic import SyntheticGenerator",
            "g = SyntheticGenerator(seed=7, country='IT', as_of=datetime(2026, 3, 1, 12, tzinfo=UTC))",
            "records = [dataclasses.asdict(v) for v in g.victims(200)]",
            "text = json.dumps(records, default=str, sort_keys=True)",
            "print(hashlib.sha256(text.encode()).hexdigest())",
        ]
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "DJANGO_SETTINGS_MODULE": "corridor.settings_test",
        }
        done = subprocess.run(
            [sys.executable, "-c", script],
            env=env,
            capture_output=True,  # noqa: S603
            text=True,
            check=True,
        )
        digests.add(done.stdout.strip())
    assert digests == {generator_digest(7, 200)}


def test_references_are_unique_and_well_formed():
    generator = SyntheticGenerator(seed=3, country="IT", as_of=AS_OF)
    victims = list(generator.victims(3000))
    incidents = [i for v in victims for i in v.incidents]
    refs = (
        [v.reference for v in victims]
        + [c.reference for v in victims for c in v.cases]
        + [r.reference for v in victims for r in v.referrals]
        + [s.reference for v in victims for s in v.screenings]
        + [i.reference for i in incidents]
        + [link.suspect.reference for i in incidents for link in i.suspects if link.suspect]
    )
    assert len(refs) == len(set(refs))
    for prefix in References.PREFIXES:
        assert any(ref.startswith(prefix + "-") for ref in refs), prefix
    for ref in refs:
        prefix, code = ref.split("-")
        assert prefix in References.PREFIXES and len(code) == 8 and set(code) <= set(ALPHABET)


def test_reference_streams_continue_where_stored_rows_end():
    first = References(5)
    second = References(5, {"P": 1000})
    earlier = {first.new("P") for _ in range(1000)}
    later = {second.new("P") for _ in range(1000)}
    assert len(earlier) == len(later) == 1000 and not earlier & later
    assert first.spare("P") not in earlier | later


def test_distributions_are_plausible():
    victims = list(SyntheticGenerator(seed=2026, country="IT", as_of=AS_OF).victims(4000))
    cases = [c for v in victims for c in v.cases]
    nationalities = Counter(v.nationality for v in victims)
    assert nationalities.most_common(1)[0][0] == "NG"
    assert len(nationalities) >= 12

    sexual = [
        v
        for v in victims
        if any("sexual" in c.forms_of_exploitation for c in v.cases)
        and v.cases[-1].forms_of_exploitation[0] == "sexual"
    ]
    assert sum(v.sex == "female" for v in sexual) / len(sexual) > 0.85
    assert Counter(v.nationality for v in sexual).most_common(1)[0][0] == "NG"
    labour = [v for v in victims if v.cases[-1].forms_of_exploitation[:1] == ["forced_labour"]]
    assert sum(v.sex == "male" for v in labour) / len(labour) > 0.75

    def minor(v):
        if v.age_disputed or (v.date_of_birth is None and v.age_estimate_min is None):
            return None
        if v.date_of_birth is not None:
            return (AS_OF.date() - v.date_of_birth).days < 18 * 365.25
        return v.age_estimate_min < 18

    share = sum(minor(v) is True for v in victims) / len(victims)
    assert 0.15 < share < 0.3
    unknown = sum(v.date_of_birth is None and v.age_estimate_min is None for v in victims)
    assert 0.02 < unknown / len(victims) < 0.12
    assert 0.08 < sum(c.kind == "smuggling" for c in cases) / len(cases) < 0.35
    codes = {code for c in cases for code in c.forms_of_exploitation}
    assert codes <= set(Exploitation.values)
    assert {
        "sexual",
        "forced_labour",
        "domestic_servitude",
        "forced_begging",
        "forced_criminality",
    } <= codes
    oldest = min(c.opened_at for c in cases)
    assert AS_OF - oldest > timedelta(days=2 * 365) and AS_OF - oldest < timedelta(days=4 * 365)
    assert all(v.phone == "" or v.phone.startswith("+") and v.phone[1:].isdigit() for v in victims)
    assert any(not v.given_name.isascii() for v in victims)  # Arabic-script spellings
    assert any("→" in v.narrative and "Agadez" in v.narrative for v in victims)
    services = {r.service_type for v in victims for r in v.referrals}
    assert services <= set(ServiceType.values)


def test_timestamps_are_in_order():
    for v in SyntheticGenerator(seed=9, country="IT", as_of=AS_OF).victims(1500):
        assert all(v.created_at <= s.screened_at <= AS_OF for s in v.screenings)
        for c in v.cases:
            end = c.closed_at or AS_OF
            assert c.opened_at <= AS_OF
            assert c.closed_at is None or c.opened_at <= c.closed_at <= AS_OF
            assert [e.at for e in c.events] == sorted(e.at for e in c.events)
            assert all(c.opened_at <= e.at <= end for e in c.events), c.reference
            if c.consent:
                assert c.opened_at <= c.consent.given_at <= end
                assert c.consent.revoked_at is None or c.consent.given_at < c.consent.revoked_at
            for review in c.reviews:
                assert review.scheduled_at.date() <= review.due_on
                assert review.done_on is None or review.done_on <= AS_OF.date()
        for r in v.referrals:
            case = v.cases[r.case]
            end = case.closed_at or AS_OF
            assert case.opened_at <= r.created_at <= end
            assert case.consent is not None and case.consent.given_at <= r.created_at
            if r.responded_at:
                assert r.created_at <= r.responded_at <= end
            if r.started_at:
                assert r.responded_at <= r.started_at <= end
            if r.completed_at:
                assert r.started_at <= r.completed_at <= end
            if r.withdrawn_at:
                assert r.created_at <= r.withdrawn_at <= end
            for d in r.deliveries:
                assert r.started_at <= d.recorded_at <= (r.completed_at or end)
                assert r.created_at.date() <= d.delivered_on


def test_catalogue_fits_the_agency_model():
    sectors, kinds = set(Agency.Sector.values), set(Agency.Kind.values)
    names = [a.name for a in AGENCIES]
    assert len(names) == len(set(names))
    for a in AGENCIES:
        assert a.sector in sectors and a.kind in kinds, a
        assert len(a.name) <= 200 and len(a.short_name) <= 40 and len(a.city) <= 100, a
    for country in (*PARTNER_COUNTRIES, "DE"):
        assert set(demo_agencies(country, catalogue(country))) == set(DEMO_ROLES), country


# --- the seed command ---------------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_gives_the_same_stored_data():
    seed(60, seed=11)
    first = database_digest()
    delete_victims()
    seed(60, seed=11)
    assert database_digest() == first
    delete_victims()
    seed(60, seed=12)
    assert database_digest() != first


@pytest.mark.django_db
def test_counts_and_every_status():
    seed(200)
    assert victims_stored() == 200
    assert Person.objects.count() == SeededIdentity.objects.count() > 200  # and duplicates
    assert ProtectionCase.objects.count() >= 200
    assert set(ProtectionCase.objects.values_list("status", flat=True)) == set(
        ProtectionCase.Status.values
    )
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status.values)
    assert ProtectionCase.objects.filter(kind=ProtectionCase.Kind.SMUGGLING).exists()
    overdue = Referral.objects.filter(
        status=Referral.Status.SENT, created_at__lt=AS_OF - timedelta(hours=48)
    )
    assert overdue.exists()
    declined = Referral.objects.filter(status=Referral.Status.DECLINED)
    assert declined.exists() and all(r.decline_reason for r in declined)  # encrypted: read back
    assert not ProtectionCase.objects.filter(status="closed", closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_minors_and_unknown_ages_are_present():
    seed(200)
    persons = list(Person.objects.all())
    assert any(p.age_on(AS_OF.date()) is not None and p.age_on(AS_OF.date()) < 18 for p in persons)
    assert any(p.date_of_birth is None and p.age_estimate_min is None for p in persons)
    assert any(p.age_disputed for p in persons)
    assert any(p.presumed_minor for p in persons) and not all(p.presumed_minor for p in persons)


@pytest.mark.django_db
def test_names_are_stored_encrypted():
    seed(40)
    person = Person.objects.order_by("reference").first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT given_name, narrative FROM {Person._meta.db_table} "  # noqa: S608
            "WHERE reference = %s",
            [person.reference],
        )
        raw_name, raw_narrative = cursor.fetchone()
    assert raw_name != person.given_name and raw_name.startswith(FERNET_PREFIX)
    assert decrypt(raw_name) == person.given_name
    assert raw_narrative.startswith(FERNET_PREFIX) and person.narrative not in raw_narrative
    encrypted = [
        (Screening, "location"),
        (ServiceDelivery, "notes"),
        (CaseReview, "outcome"),
        (Incident, "summary"),
        (Suspect, "names"),
    ]
    for model, column in encrypted:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {model._meta.db_table} WHERE {column} <> ''"  # noqa: S608
            )
            values = [row[0] for row in cursor.fetchall()]
        assert values and all(v.startswith(FERNET_PREFIX) for v in values), model
        assert decrypt(values[0])


@pytest.mark.django_db
def test_seeded_persons_are_found_as_if_each_had_been_saved():
    """The writer builds the search index from the values in hand; rebuilding it from the
    stored, encrypted records gives the same keys, so every seeded person can be searched."""
    seed(40)

    def index():
        return sorted(PersonSearchKey.objects.values_list("person_id", "digest"))

    written = index()
    assert {pk for pk, _ in written} == set(Person.objects.values_list("pk", flat=True))
    reindex_persons()
    assert index() == written


@pytest.mark.django_db
def test_seeding_twice_with_the_same_seed_appends_new_people():
    seed(50, seed=4)
    first = {p.reference: (p.given_name, p.family_name, p.narrative) for p in originals()}
    agencies = Agency.objects.count()
    seed(50, seed=4)
    assert victims_stored() == 100
    assert Agency.objects.count() == agencies  # created only when missing
    second = {
        p.reference: (p.given_name, p.family_name, p.narrative)
        for p in originals().exclude(reference__in=list(first))
    }
    assert len(second) == 50
    assert set(second.values()) != set(first.values())  # new people, not copies
    for model in (Person, ProtectionCase, Referral):
        refs = list(model.objects.values_list("reference", flat=True))
        assert len(refs) == len(set(refs))


@pytest.mark.django_db
def test_a_stored_reference_is_never_reused(world):
    """Another seed's stream may hit a reference already stored: the loader replaces it."""
    stored = Person.objects.count()
    taken = References(7, {"P": stored}).new("P")
    Person.objects.filter(pk=world.person.pk).update(reference=taken)
    seed(30, seed=7)
    assert Person.objects.filter(reference=taken).count() == 1
    assert victims_stored() == 30
    assert Person.objects.count() == stored + SeededIdentity.objects.count()
    details = AuditEvent.objects.get(object_type="seed").details
    assert details["references_replaced"] == 1


@pytest.mark.django_db
def test_one_audit_event_for_the_whole_run():
    seed(120, batch=50)
    events = AuditEvent.objects.filter(object_type="seed")
    assert events.count() == 1
    event = events.get()
    assert event.action == AuditEvent.Action.CREATE
    assert event.details["victims"] == 120
    assert event.details["persons"] == Person.objects.count()
    assert event.details["duplicate_persons"] == Person.objects.count() - 120
    assert event.details["cases"] == ProtectionCase.objects.count()
    assert event.details["referrals"] == Referral.objects.count()
    assert AuditEvent.objects.count() == 1  # and no event per record


@pytest.mark.django_db
def test_a_few_victims_are_on_legal_hold_and_a_request_for_erasure_was_refused():
    seed(200)
    holds = list(LegalHold.objects.select_related("agency"))
    assert 1 <= len(holds) <= 5 and all(h.is_active and h.reason for h in holds)
    assert {h.agency.sector for h in holds} == {"prosecution", "anti_trafficking"}
    refused = list(ErasureRequest.objects.all())
    assert refused and all(r.refused for r in refused)
    grounds = {g["ground"] for r in refused for g in r.refusal}
    assert {"legal_hold", "open_case"} <= grounds
    details = AuditEvent.objects.get(object_type="seed").details
    assert details["rows"]["legal_holds"] == len(holds)
    assert AuditEvent.objects.count() == 1  # rows, like the rest of the seed


@pytest.mark.django_db
def test_batches_do_not_change_the_data():
    seed(90, seed=5, batch=7)
    small = database_digest()
    delete_victims()
    seed(90, seed=5, batch=5000)
    assert database_digest() == small


@pytest.mark.django_db
@pytest.mark.parametrize("country", ["ES", "NG", "FR", "DE"])
def test_other_instance_countries(country):
    seed(40, country=country)
    owners = Counter(Person.objects.values_list("owner_agency__country", flat=True))
    assert owners.most_common(1)[0][0] == country
    assert Agency.objects.filter(country=country).count() >= len(
        {a.sector for a in catalogue(country) if a.country == country}
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("victims", "-5", "--victims must be at least 1"),
        ("victims", "0", "--victims must be at least 1"),
        ("victims", "abc", "--victims must be a whole number"),
        ("victims", "2.5", "--victims must be a whole number"),
        ("batch", "0", "--batch must be at least 1"),
        ("seed", "x", "--seed must be a whole number"),
        ("country", "XX", "--country must be an ISO 3166-1 alpha-2"),
        ("as_of", "yesterday", "--as-of must be an ISO date"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(option, value, message):
    options = {"victims": "10", option: value}
    with pytest.raises(CommandError, match=message):
        call_command("seed", **options, verbosity=0)
    assert not Agency.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_bad_input_from_the_command_line():
    with pytest.raises(CommandError, match="--victims must be at least 1, not -5"):
        call_command("seed", "--victims", "-5")
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_production_needs_an_explicit_flag(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--allow-production"):
        seed(5)
    assert not Person.objects.exists()
    seed(5, allow_production=True)
    assert victims_stored() == 5


@pytest.mark.django_db
def test_progress_goes_to_stderr_and_the_summary_to_stdout():
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("seed", victims=30, batch=10, as_of=AS_OF_TEXT, stdout=out, stderr=err)
    assert "victims 10/30" in err.getvalue() and "victims 30/30" in err.getvalue()
    assert "/s)" in err.getvalue()
    assert "Added 30 victims" in out.getvalue()
