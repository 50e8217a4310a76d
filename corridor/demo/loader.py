"""Writing the synthetic data set and the demo accounts to the database.

Rows go in through `corridor.demo.bulk.Table` — COPY on PostgreSQL, one prepared INSERT per
table and batch on SQLite, each value prepared by its model field (encrypted fields are
encrypted, JSON serialised) —
one transaction per batch of victims: persons with their screenings, cases, case history,
consents, referrals, service deliveries and incidents, the other agencies' records of some
of them, and the ground truth of which records are one person (`SeededIdentity`), so a
batch is all there or not at all.
No service function runs per row, and the search index is written from the values in hand:
a million victims is a matter of minutes, not hours. One audit event records the whole run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import Agency, Role, User
from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event
from corridor.cases.models import (
    CaseEvent,
    CaseReview,
    CompelledOffence,
    NeedsAssessment,
    ProtectionCase,
    ReflectionExtension,
)
from corridor.consent.models import Consent
from corridor.demo.answers import CatalogueSpec
from corridor.demo.bulk import Table
from corridor.demo.catalogue import AgencySpec, catalogue, demo_agencies
from corridor.demo.cooperation import seed_cooperation_requests
from corridor.demo.criminal_cases import seed_criminal_cases
from corridor.demo.directory import OfferSpec, offers_for
from corridor.demo.incident_groups import IncidentRecord
from corridor.demo.legal_holds import seed_legal_holds
from corridor.demo.models import SeededIdentity
from corridor.demo.records import References, VictimRecord
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
from corridor.people.models import Person, PersonSearchKey
from corridor.people.search import search_rows
from corridor.referrals.models import Referral, ServiceDelivery, ServiceOffer
from corridor.screening.models import AgeAssessment, IndicatorCatalogue, ListKind, Screening
from corridor.screening.rules import IndicatorSpec

# Published on purpose, like the demo secrets in settings: the demo refuses to run in production.
DEMO_PASSWORD = "corridor-demo"  # noqa: S105
DEMO_ROLE = {
    "responder": Role.FIRST_RESPONDER,
    "coordinator": Role.COORDINATOR,
    "provider": Role.SERVICE_PROVIDER,
    "investigator": Role.INVESTIGATOR,
    "prosecutor": Role.PROSECUTOR,
    "analyst": Role.ANALYST,
    "admin": Role.ADMINISTRATOR,
}
IN_CHUNK = 900  # parameters per `IN (...)` lookup, under SQLite's historical limit of 999
# The model holding the references of each prefix the generator numbers.
REFERENCED = {
    "P": Person,
    "C": ProtectionCase,
    "R": Referral,
    "S": Screening,
    "I": Incident,
    "SU": Suspect,
}

Progress = Callable[[str], None]


@dataclass
class SeedResult:
    seed: int
    country: str
    as_of: datetime
    requested: int
    victims: int = 0  # persons with their case: the --victims asked for
    persons: int = 0  # person records: the victims' and the other agencies' ones
    cases: int = 0
    referrals: int = 0
    agencies_created: int = 0
    offers_created: int = 0
    references_replaced: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    case_statuses: dict[str, int] = field(default_factory=dict)
    referral_statuses: dict[str, int] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)  # rows written per table

    @property
    def duplicates(self) -> int:
        """Person records of victims that another agency registered first."""
        return self.persons - self.victims

    @property
    def rate(self) -> float:
        """Victims per second."""
        return self.victims / self.seconds if self.seconds else 0.0

    def details(self) -> dict:
        return {
            "seed": self.seed,
            "country": self.country,
            "as_of": self.as_of.isoformat(),
            "victims_requested": self.requested,
            "victims": self.victims,
            "persons": self.persons,
            "duplicate_persons": self.duplicates,
            "cases": self.cases,
            "referrals": self.referrals,
            "agencies_created": self.agencies_created,
            "offers_created": self.offers_created,
            "references_replaced": self.references_replaced,
            "rows": dict(sorted(self.rows.items())),
            "seconds": round(self.seconds, 1),
            "interrupted": self.interrupted,
        }


def ensure_agencies(specs: Iterable[AgencySpec]) -> tuple[dict[str, int], int]:
    """Create the agencies that are missing (matched by name); return name -> id and how
    many were created. Existing agencies are left exactly as they are."""
    specs = list(specs)
    names = [s.name for s in specs]
    existing = _existing(Agency, "name", names)
    missing = [s for s in specs if s.name not in existing]
    if missing:
        Agency.objects.bulk_create(
            [
                Agency(
                    name=s.name,
                    short_name=s.short_name,
                    country=s.country,
                    sector=s.sector,
                    kind=s.kind,
                    city=s.city,
                )
                for s in missing
            ]
        )
    ids = dict(Agency.objects.filter(name__in=names).values_list("name", "id"))
    return ids, len(missing)


def ensure_offers(
    specs: Iterable[OfferSpec], agency_ids: dict[str, int], as_of: datetime
) -> tuple[dict[tuple[str, str], int], int]:
    """List the directory's offers that are missing (matched by agency and name); return
    (agency name, offer name) -> id and how many were created. Existing offers (and the
    capacity their providers published since) are left as they are."""
    specs = list(specs)
    names = {agency_id: name for name, agency_id in agency_ids.items()}
    stored = {
        (names[agency_id], name): pk
        for pk, agency_id, name in ServiceOffer.objects.filter(
            agency_id__in=list(names)
        ).values_list("pk", "agency_id", "name")
    }
    missing, missing_specs = [], []
    for spec in specs:
        if (spec.agency, spec.name) in stored:
            continue
        offer = ServiceOffer(
            agency_id=agency_ids[spec.agency],
            service_type=spec.service_type,
            name=spec.name,
            description=spec.description,
            area_description=spec.area_description,
            areas=list(spec.areas),
            languages=list(spec.languages),
            sexes=list(spec.sexes),
            min_age=spec.min_age,
            max_age=spec.max_age,
            accepts_unaccompanied_children=spec.accepts_unaccompanied_children,
            total_places=spec.total_places,
            free_places=spec.free_places,
            capacity_updated_at=as_of if spec.counts_places else None,
            contact_phone=spec.contact_phone,
            contact_email=spec.contact_email,
            contact_hours=spec.contact_hours,
            created_at=as_of,
        )
        offer.search_keys = offer.build_search_keys()  # save() would; bulk_create does not
        missing.append(offer)
        missing_specs.append(spec)
    created = ServiceOffer.objects.bulk_create(missing)
    for spec, offer in zip(missing_specs, created, strict=True):
        stored[(spec.agency, spec.name)] = offer.pk
    return stored, len(missing)


def indicator_catalogues() -> dict[str, tuple[int, CatalogueSpec]]:
    """The catalogue version offered for each list, as the generator scores with it."""
    from corridor.screening.services import install_shipped_catalogues

    install_shipped_catalogues()
    found: dict[str, tuple[int, CatalogueSpec]] = {}
    for version in IndicatorCatalogue.objects.offered():
        indicators = list(
            version.indicators.select_related("dimension").order_by(
                "dimension__order", "order", "pk"
            )
        )
        spec = CatalogueSpec(
            version.list_kind,
            tuple(IndicatorSpec(i.code, i.dimension.code, i.strength, i.text) for i in indicators),
            {i.code: list(i.methods_of_control) for i in indicators},
            {i.code: list(i.exploitation) for i in indicators},
        )
        found[version.list_kind] = (version.pk, spec)
    missing = [str(ListKind(kind).label) for kind in ListKind.values if kind not in found]
    if missing:
        raise ValidationError(
            "No indicator list is published for: "
            + ", ".join(missing)
            + ". Publish one before seeding."
        )
    return found


def _existing(model, field_name: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(values), IN_CHUNK):
        chunk = values[i : i + IN_CHUNK]
        found.update(
            model.objects.filter(**{f"{field_name}__in": chunk}).values_list(field_name, flat=True)
        )
    return found


def seed_database(
    *,
    victims: int,
    seed: int,
    country: str,
    batch: int = 5000,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> SeedResult:
    """Append `victims` synthetic victims with everything that happened to them."""
    as_of = as_of or timezone.now().replace(microsecond=0)
    country = country.upper()
    result = SeedResult(seed=seed, country=country, as_of=as_of, requested=victims)
    started = time.monotonic()
    specs = catalogue(country)
    try:
        with transaction.atomic():
            agency_ids, result.agencies_created = ensure_agencies(specs)
            offer_specs = offers_for(country, specs)
            offer_ids, result.offers_created = ensure_offers(offer_specs, agency_ids, as_of)
            catalogues = indicator_catalogues()
        start = {prefix: model.objects.count() for prefix, model in REFERENCED.items()}
        last_person = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_incident = Incident.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        generator = SyntheticGenerator(
            seed=seed,
            country=country,
            as_of=as_of,
            offset=start["P"],
            reference_start=start,
            agencies=specs,
            offers=offer_specs,
            catalogues={kind: spec for kind, (_, spec) in catalogues.items()},
        )
        writer = _Writer(
            agency_ids,
            offer_ids,
            {kind: pk for kind, (pk, _) in catalogues.items()},
            as_of,
            result,
        )
        check = {prefix: count > 0 for prefix, count in start.items()}

        while result.victims < victims:
            records = [generator.victim() for _ in range(min(batch, victims - result.victims))]
            last = result.victims + len(records) >= victims
            unfinished = generator.close() if last else []
            result.references_replaced += _avoid_stored_references(
                records, unfinished, generator.refs, check, writer.renamed
            )
            with transaction.atomic():
                writer.write(records, unfinished)
            if progress:
                elapsed = max(time.monotonic() - started, 1e-9)
                progress(
                    f"victims {result.victims:,}/{victims:,} ({result.victims / elapsed:,.0f}/s)"
                )
        with transaction.atomic():  # a few of them on legal hold (corridor.retention)
            result.rows.update(
                seed_legal_holds(
                    after_person_id=last_person, country=country, seed=seed, as_of=as_of
                )
            )
        with transaction.atomic():  # investigations of the incidents (corridor.investigations)
            result.rows.update(
                seed_criminal_cases(
                    after_incident_id=last_incident, country=country, seed=seed, as_of=as_of
                )
            )
        with transaction.atomic():  # the prosecutor's requests abroad (corridor.cooperation)
            result.rows.update(
                seed_cooperation_requests(
                    victims=result.victims, country=country, seed=seed, as_of=as_of
                )
            )
    except BaseException:
        result.interrupted = True
        raise
    finally:
        result.seconds = time.monotonic() - started
        if result.persons or result.agencies_created or result.offers_created:
            record_event(
                AuditEvent.Action.CREATE,
                object_type="seed",
                object_ref=f"seed {seed}",
                reason="Synthetic data set loaded with `corridor seed`"
                + (" (interrupted)" if result.interrupted else ""),
                details=result.details(),
            )
    return result


def _avoid_stored_references(
    records: list[VictimRecord],
    incidents: list[IncidentRecord],
    refs: References,
    check: dict[str, bool],
    renamed: dict[str, str],
) -> int:
    """Replace references that rows stored before this run already use (only another seed's
    rows or hand-made ones can: the generator never repeats itself). One query per 900.

    Incidents and suspects are named by other records (the victims' links), so the new
    reference of one is kept in `renamed` for the writer, under the generator's name."""
    completed = [i for r in records for i in r.incidents] + list(incidents)
    groups = (
        ("P", records + [d for r in records for d in r.duplicates]),
        ("C", [c for r in records for c in r.cases]),
        ("R", [f for r in records for f in r.referrals]),
        ("S", [s for r in records for s in r.screenings]),
        ("I", completed),
        ("SU", [link.suspect for i in completed for link in i.suspects if link.suspect]),
    )
    replaced = 0
    for prefix, items in groups:
        if not check[prefix] or not items:
            continue
        model = REFERENCED[prefix]
        if prefix in ("I", "SU"):
            pending = [item.reference for item in items]
            while pending:
                stored = [renamed.get(name, name) for name in pending]
                taken = _existing(model, "reference", stored)
                pending = [n for n, ref in zip(pending, stored, strict=True) if ref in taken]
                for name in pending:
                    renamed[name] = refs.spare(prefix)
                    replaced += 1
            continue
        pending = items
        while pending:
            taken = _existing(model, "reference", [item.reference for item in pending])
            pending = [item for item in pending if item.reference in taken]
            for item in pending:
                item.reference = refs.spare(prefix)
                replaced += 1
    return replaced


class _Writer:
    """Writes batches of victim records; remembers what later batches point to."""

    def __init__(self, agency_ids, offer_ids, catalogue_ids, as_of, result: SeedResult):
        self.agency_ids = agency_ids
        self.offer_ids = offer_ids
        self.catalogue_ids = catalogue_ids
        self.as_of = as_of
        self.result = result
        self.renamed: dict[str, str] = {}  # generator reference -> stored one (I, SU)
        self.incidents: dict[str, tuple[int, datetime]] = {}  # generator reference -> id, time
        self.suspects: dict[str, int] = {}
        self.pending_links: list[tuple[str, int, str]] = []  # (incident, person id, role)
        self.persons = Table(
            Person,
            ["owner_agency_id", "updated_at", *VictimRecord.PERSON_FIELDS],
        )
        self.search_keys = Table(PersonSearchKey, ["person_id", "digest"])
        self.identities = Table(SeededIdentity, ["person_id", "identity", "original", "variants"])
        self.cases = Table(
            ProtectionCase,
            [
                "reference",
                "person_id",
                "owner_agency_id",
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
                "updated_at",
            ],
        )
        self.consents = Table(
            Consent,
            [
                "person_id",
                "case_id",
                "purposes",
                "data_categories",
                "recipient_sectors",
                "recipient_countries",
                "method",
                "interpreter_language",
                "given_at",
                "revoked_at",
                "revocation_reason",
            ],
        )
        self.consent_agencies = Table(
            Consent.recipient_agencies.through, ["consent_id", "agency_id"]
        )
        self.referrals = Table(
            Referral,
            [
                "reference",
                "case_id",
                "from_agency_id",
                "to_agency_id",
                "service_type",
                "offer_id",
                "consent_id",
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
            ],
        )
        self.deliveries = Table(
            ServiceDelivery,
            ["referral_id", "service_type", "delivered_on", "notes", "recorded_at"],
        )
        self.screenings = Table(
            Screening,
            [
                "reference",
                "person_id",
                "catalogue_id",
                "agency_id",
                "screened_at",
                "location",
                "answers",
                "smuggling",
                "result",
                "rule",
                "explanation",
                "treated_as_child",
                "guardian_required",
                "next_step",
                "suggested_service",
                "case_id",
                "case_opened",
                "case_effect",
                "htcds",
            ],
        )
        self.assessments = Table(
            AgeAssessment,
            [
                "person_id",
                "method",
                "assessed_age_min",
                "assessed_age_max",
                "conclusion",
                "agency_id",
                "assessed_at",
                "notes",
            ],
        )
        self.events = Table(
            CaseEvent, ["case_id", "kind", "from_value", "to_value", "at", "reason", "note"]
        )
        self.extensions = Table(
            ReflectionExtension, ["case_id", "previous_end", "new_end", "reason", "extended_at"]
        )
        self.needs = Table(
            NeedsAssessment, ["case_id", "assessed_on", "needs", "notes", "recorded_at"]
        )
        self.reviews = Table(
            CaseReview, ["case_id", "due_on", "topic", "scheduled_at", "done_on", "outcome"]
        )
        self.offences = Table(
            CompelledOffence,
            [
                "case_id",
                "offence",
                "category",
                "decision",
                "authority",
                "decided_on",
                "notes",
                "recorded_at",
            ],
        )
        self.incident_table = Table(
            Incident,
            [
                "reference",
                "owner_agency_id",
                "title",
                "summary",
                "start_date",
                "end_date",
                "forms_of_exploitation",
                "means_of_control",
                "recruiter_relation",
                "created_at",
                "updated_at",
            ],
        )
        self.places = Table(
            Place, ["incident_id", "country", "locality", "kind", "latitude", "longitude"]
        )
        self.legs = Table(
            RouteLeg,
            [
                "incident_id",
                "order",
                "from_country",
                "from_locality",
                "to_country",
                "to_locality",
                "mode",
                "departed_on",
                "arrived_on",
                "smuggler_involved",
            ],
        )
        self.incident_events = Table(
            IncidentEvent, ["incident_id", "kind", "date", "place_id", "description"]
        )
        self.suspect_table = Table(
            Suspect,
            [
                "reference",
                "owner_agency_id",
                "names",
                "aliases",
                "sex",
                "nationality",
                "network_role",
                "created_at",
            ],
        )
        self.incident_suspects = Table(
            IncidentSuspect, ["incident_id", "suspect_id", "notes", "added_at"]
        )
        self.incident_victims = Table(
            IncidentVictim, ["incident_id", "person_id", "role", "notes", "added_at"]
        )

    def _count(self, table: str, n: int) -> None:
        if n:
            self.result.rows[table] += n

    def write(self, records: list[VictimRecord], unfinished: list[IncidentRecord]) -> None:
        agency = self.agency_ids
        result = self.result
        duplicates = [(r, d) for r in records for d in r.duplicates]
        all_ids = self.persons.insert_returning(
            (
                agency[r.owner],
                max([r.created_at, *(a.assessed_at for a in r.age_assessments)]),
                *r.person_values().values(),
            )
            for r in records + [d for _, d in duplicates]
        )
        person_ids = all_ids[: len(records)]
        # The bulk writer sends no post_save: the search index is written here, from the values
        # in hand rather than read back and decrypted.
        self._count(
            "search_keys",
            self.search_keys.insert(
                search_rows(zip(all_ids, records + [d for _, d in duplicates], strict=True))
            ),
        )
        # Every record of one person shares the reference her first record is stored under.
        self._count(
            "seeded_identities",
            self.identities.insert(
                [(pid, r.reference, True, "") for r, pid in zip(records, person_ids, strict=True)]
                + [
                    (pid, r.reference, False, ",".join(d.variants))
                    for (r, d), pid in zip(duplicates, all_ids[len(records) :], strict=True)
                ]
            ),
        )
        cases = [(pid, c) for r, pid in zip(records, person_ids, strict=True) for c in r.cases]
        case_ids = self.cases.insert_returning(
            (
                c.reference,
                pid,
                agency[c.owner],
                c.kind,
                c.status,
                c.forms_of_exploitation,
                c.risk_level,
                c.opened_at,
                c.closed_at,
                c.closure_reason,
                c.closed_from,
                c.reflection_starts_on,
                c.reflection_ends_on,
                c.assistance_unconditional,
                c.unconditional_attested_at,
                c.cooperation_status,
                c.events[-1].at if c.events else c.opened_at,
            )
            for pid, c in cases
        )
        with_consent = [
            (pid, cid, c) for (pid, c), cid in zip(cases, case_ids, strict=True) if c.consent
        ]
        consent_ids = self.consents.insert_returning(
            (
                pid,
                cid,
                c.consent.purposes,
                c.consent.data_categories,
                c.consent.recipient_sectors,
                c.consent.recipient_countries,
                c.consent.method,
                c.consent.interpreter_language,
                c.consent.given_at,
                c.consent.revoked_at,
                c.consent.revocation_reason,
            )
            for pid, cid, c in with_consent
        )
        consent_of_case = {
            cid: consent_id
            for (_, cid, _), consent_id in zip(with_consent, consent_ids, strict=True)
        }
        self._count(
            "consent_agencies",
            self.consent_agencies.insert(
                (consent_id, agency[name])
                for (_, _, c), consent_id in zip(with_consent, consent_ids, strict=True)
                for name in c.consent.recipient_agencies
            ),
        )
        referrals, screenings, position = [], [], 0
        for record, pid in zip(records, person_ids, strict=True):
            mine = case_ids[position : position + len(record.cases)]
            position += len(record.cases)
            for f in record.referrals:
                referrals.append((mine[f.case], f))
            for s in record.screenings:
                screenings.append((pid, None if s.case is None else mine[s.case], s))
        referral_ids = self.referrals.insert_returning(
            (
                f.reference,
                cid,
                agency[f.from_agency],
                agency[f.to_agency],
                f.service_type,
                self.offer_ids[(f.to_agency, f.offer)] if f.offer else None,
                consent_of_case.get(cid),
                f.shared_categories,
                f.status,
                f.note,
                f.decline_reason,
                f.withdraw_reason,
                f.created_at,
                f.responded_at,
                f.started_at,
                f.completed_at,
                f.withdrawn_at,
                f.overdue_notified_at,
            )
            for cid, f in referrals
        )
        self._count(
            "deliveries",
            self.deliveries.insert(
                (rid, d.service_type, d.delivered_on, d.notes, d.recorded_at)
                for (_, f), rid in zip(referrals, referral_ids, strict=True)
                for d in f.deliveries
            ),
        )
        self._count(
            "screenings",
            self.screenings.insert(
                (
                    s.reference,
                    pid,
                    self.catalogue_ids[s.list_kind],
                    agency[s.agency],
                    s.screened_at,
                    s.location,
                    s.answers,
                    s.smuggling,
                    s.result,
                    s.rule,
                    s.explanation,
                    s.treated_as_child,
                    s.guardian_required,
                    s.next_step,
                    s.suggested_service,
                    cid,
                    s.case_opened,
                    s.case_effect,
                    s.htcds,
                )
                for pid, cid, s in screenings
            ),
        )
        self._count(
            "age_assessments",
            self.assessments.insert(
                (
                    pid,
                    a.method,
                    a.assessed_age_min,
                    a.assessed_age_max,
                    a.conclusion,
                    agency[a.agency],
                    a.assessed_at,
                    a.notes,
                )
                for r, pid in zip(records, person_ids, strict=True)
                for a in r.age_assessments
            ),
        )
        case_rows = list(zip(case_ids, (c for _, c in cases), strict=True))
        self._count(
            "case_events",
            self.events.insert(
                (cid, e.kind, e.from_value, e.to_value, e.at, e.reason, e.note)
                for cid, c in case_rows
                for e in c.events
            ),
        )
        self._count(
            "reflection_extensions",
            self.extensions.insert(
                (cid, x.previous_end, x.new_end, x.reason, x.extended_at)
                for cid, c in case_rows
                for x in c.extensions
            ),
        )
        self._count(
            "needs_assessments",
            self.needs.insert(
                (cid, n.assessed_on, n.needs, n.notes, n.recorded_at)
                for cid, c in case_rows
                for n in c.needs
            ),
        )
        self._count(
            "case_reviews",
            self.reviews.insert(
                (cid, v.due_on, v.topic, v.scheduled_at, v.done_on, v.outcome)
                for cid, c in case_rows
                for v in c.reviews
            ),
        )
        self._count(
            "compelled_offences",
            self.offences.insert(
                (
                    cid,
                    o.offence,
                    o.category,
                    o.decision,
                    o.authority,
                    o.decided_on,
                    o.notes,
                    o.recorded_at,
                )
                for cid, c in case_rows
                for o in c.offences
            ),
        )
        for record, pid in zip(records, person_ids, strict=True):
            for reference, role in record.incident_links:
                self.pending_links.append((reference, pid, role))
        self._write_incidents([i for r in records for i in r.incidents] + list(unfinished))
        result.victims += len(person_ids)
        result.persons += len(all_ids)
        result.cases += len(case_ids)
        result.referrals += len(referral_ids)
        result.rows["consents"] += len(consent_ids)
        for _, c in cases:
            result.case_statuses[c.status] = result.case_statuses.get(c.status, 0) + 1
        for _, f in referrals:
            result.referral_statuses[f.status] = result.referral_statuses.get(f.status, 0) + 1

    def _write_incidents(self, incidents: list[IncidentRecord]) -> None:
        agency = self.agency_ids
        name = self.renamed.get
        ids = self.incident_table.insert_returning(
            (
                name(i.reference, i.reference),
                agency[i.owner],
                i.title,
                i.summary,
                i.start_date,
                i.end_date,
                i.forms_of_exploitation,
                i.means_of_control,
                i.recruiter_relation,
                i.created_at,
                i.created_at,
            )
            for i in incidents
        )
        for incident, pk in zip(incidents, ids, strict=True):
            self.incidents[incident.reference] = (pk, incident.created_at)
        self._count("incidents", len(ids))
        places = [(pk, p) for i, pk in zip(incidents, ids, strict=True) for p in i.places]
        place_ids = self.places.insert_returning(
            (pk, p.country, p.locality, p.kind, p.latitude, p.longitude) for pk, p in places
        )
        self._count("places", len(place_ids))
        offsets, position = [], 0
        for i in incidents:
            offsets.append(position)
            position += len(i.places)
        self._count(
            "incident_events",
            self.incident_events.insert(
                (
                    pk,
                    e.kind,
                    e.date,
                    None if e.place is None else place_ids[offset + e.place],
                    e.description,
                )
                for i, pk, offset in zip(incidents, ids, offsets, strict=True)
                for e in i.events
            ),
        )
        self._count(
            "route_legs",
            self.legs.insert(
                (
                    pk,
                    leg.order,
                    leg.from_country,
                    leg.from_locality,
                    leg.to_country,
                    leg.to_locality,
                    leg.mode,
                    leg.departed_on,
                    leg.arrived_on,
                    leg.smuggler_involved,
                )
                for i, pk in zip(incidents, ids, strict=True)
                for leg in i.legs
            ),
        )
        new = [link.suspect for i in incidents for link in i.suspects if link.suspect]
        suspect_ids = self.suspect_table.insert_returning(
            (
                name(s.reference, s.reference),
                agency[s.owner],
                s.names,
                s.aliases,
                s.sex,
                s.nationality,
                s.network_role,
                incident.created_at,
            )
            for incident in incidents
            for s in (link.suspect for link in incident.suspects if link.suspect)
        )
        for suspect, pk in zip(new, suspect_ids, strict=True):
            self.suspects[suspect.reference] = pk
        self._count("suspects", len(suspect_ids))
        self._count(
            "incident_suspects",
            self.incident_suspects.insert(
                (pk, self.suspects[link.reference], link.notes, i.created_at)
                for i, pk in zip(incidents, ids, strict=True)
                for link in i.suspects
                if link.reference in self.suspects
            ),
        )
        ready, waiting = [], []
        for reference, person_id, role in self.pending_links:
            incident = self.incidents.get(reference)
            if incident is None:
                waiting.append((reference, person_id, role))
            else:
                ready.append((incident[0], person_id, role, "", incident[1]))
        self.pending_links = waiting
        self._count("incident_victims", self.incident_victims.insert(ready))


# --- Demo accounts ------------------------------------------------------------------------


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    agency: str
    created: bool


def ensure_demo_accounts(country: str) -> list[DemoLogin]:
    """One account per role in sensible agencies of the instance country; existing accounts
    are kept as they are (their password too)."""
    agencies = demo_agencies(country)
    ids, _ = ensure_agencies(agencies.values())
    logins = []
    with transaction.atomic():
        for username, role in DEMO_ROLE.items():
            spec = agencies[username]
            user = User.objects.filter(username=username).select_related("agency").first()
            created = user is None
            if created:
                user = User(
                    username=username,
                    first_name="Demo",
                    last_name=str(role.label),
                    email=f"{username}@demo.corridor.invalid",
                    agency_id=ids[spec.name],
                    preferred_language="en",
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get_or_create(name=role.value)[0])
            logins.append(
                DemoLogin(
                    username,
                    DEMO_PASSWORD,
                    str(role.label),
                    user.agency.name if user.agency_id else "",
                    created,
                )
            )
    return logins


def assign_demo_coordinator(username: str = "coordinator") -> int:
    """Give the demo coordinator the open cases its own office owns, in one UPDATE."""
    user = User.objects.filter(username=username).first()
    if user is None or not user.agency_id:
        return 0
    return (
        ProtectionCase.objects.filter(owner_agency_id=user.agency_id, coordinator__isnull=True)
        .exclude(status__in=[ProtectionCase.Status.IDENTIFIED, ProtectionCase.Status.CLOSED])
        .update(coordinator=user)
    )


# --- a second demo instance, registered as a partner of the first ---------------------------------

# Run inside the other demo instance (its data directory, its country): make its signing key
# if it has none, register the card given on stdin as a partner, print its own card.
_PARTNER_SCRIPT = """
import json, os, sqlite3, sys
db = os.path.join(os.environ["CORRIDOR_DATA_DIR"], "corridor.sqlite3")
row = sqlite3.connect(db).execute(
    "SELECT a.country FROM accounts_user u JOIN accounts_agency a ON a.id = u.agency_id "
    "WHERE u.username = 'admin'"
).fetchone()
if row is None:
    sys.exit("no demo administrator there: is it a Corridor demo data directory?")
os.environ["CORRIDOR_COUNTRY"] = row[0]
import django
django.setup()
from corridor.demo.loader import register_demo_partner
ours = json.loads(sys.stdin.read())
print(json.dumps(register_demo_partner(ours)))
"""


@dataclass
class PartnerLink:
    country: str
    base_url: str
    key_id: str
    registered_here: bool
    registered_there: bool


def demo_key_card(base_url: str) -> dict:
    """This instance's signing key (made if missing) as the card a partner registers."""
    from django.conf import settings

    from corridor.crossborder import keys

    if not keys.key_file_path():
        keys.create_instance_key()
    signing = keys.instance_signing_key()
    return {
        "country": settings.CORRIDOR_COUNTRY,
        "base_url": base_url,
        "key_id": signing.key_id,
        "public_jwk": signing.public_jwk,
    }


def register_demo_partner(card: dict) -> dict:
    """Register `card` as a partner here (as the demo administrator) unless already done.

    Returns this instance's own card, and `registered`: whether the partner was new.
    """
    from django.conf import settings

    from corridor.crossborder.models import Partner
    from corridor.crossborder.services import register_partner, revoke_partner, set_pprl_secret

    existing = Partner.objects.filter(key_id=card["key_id"]).first()
    registered = existing is None
    admin = User.objects.get(username="admin")
    if registered:
        for stale in Partner.objects.filter(country=card["country"]).exclude(
            status=Partner.Status.REVOKED
        ):
            revoke_partner(stale, actor=admin, reason="Replaced by a new demo instance.")
        existing = register_partner(
            actor=admin,
            country=card["country"],
            name=card.get("name") or f"Corridor demo {card['country']}",
            base_url=card["base_url"],
            public_jwk=card["public_jwk"],
            key_id=card["key_id"],
        )
    own = demo_key_card(settings.CORRIDOR_BASE_URL)
    if not existing.pprl_secret:
        set_pprl_secret(
            existing, actor=admin, secret=demo_pprl_secret(own["key_id"], card["key_id"])
        )
    return {**own, "registered": registered}


def demo_pprl_secret(*key_ids: str) -> str:
    """The linkage secret two demo instances share without being told: derived from both
    key ids (public), so each side computes the same. Good for fictitious demo data only; a
    real pair of administrators agrees a secret through another channel."""
    import hashlib

    joined = "|".join(sorted(key_ids))
    return hashlib.sha256(f"corridor-demo-pprl|{joined}".encode()).hexdigest()


def link_demo_partner(other_dir, other_url: str, *, own_url: str) -> PartnerLink:
    """Register this demo instance and the one in `other_dir` (served at `other_url`) as
    partners of each other, writing into the other's database through a subprocess with that
    instance's environment. Both keys are made if missing; running it again changes nothing.
    """
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    other_dir = Path(other_dir).expanduser().resolve()
    if not (other_dir / "corridor.sqlite3").is_file():
        raise ValidationError(
            {"partner_of": f"{other_dir} holds no Corridor demo database (corridor.sqlite3)."}
        )
    ours = demo_key_card(own_url)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CORRIDOR_SIGNING_KEY_FILE", "CORRIDOR_COUNTRY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="corridor.settings",
        CORRIDOR_ENV="demo",
        CORRIDOR_DATA_DIR=str(other_dir),
        CORRIDOR_BASE_URL=other_url.rstrip("/"),
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _PARTNER_SCRIPT],
        input=json.dumps(ours),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise ValidationError(
            {
                "partner_of": f"Could not register with the instance in {other_dir}: "
                f"{done.stderr.strip()[-1000:]}"
            }
        )
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    here = register_demo_partner(theirs)
    return PartnerLink(
        country=theirs["country"],
        base_url=theirs["base_url"],
        key_id=theirs["key_id"],
        registered_here=here["registered"],
        registered_there=theirs["registered"],
    )
