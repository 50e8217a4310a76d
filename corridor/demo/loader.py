"""Writing the synthetic data set and the demo accounts to the database.

Rows go in with `bulk_create`, one transaction per batch of victims (persons, their cases and
their referrals together, so a batch is all there or not at all), with no query per row:
a million victims is a matter of minutes, not hours. One audit event records the whole run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import Agency, Role, User
from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event
from corridor.cases.models import ProtectionCase
from corridor.demo.catalogue import AgencySpec, catalogue, demo_agencies
from corridor.demo.synthetic import SyntheticGenerator, VictimRecord
from corridor.people.models import Person
from corridor.referrals.models import Referral

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

Progress = Callable[[str], None]


@dataclass
class SeedResult:
    seed: int
    country: str
    as_of: datetime
    requested: int
    persons: int = 0
    cases: int = 0
    referrals: int = 0
    agencies_created: int = 0
    references_replaced: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    case_statuses: dict[str, int] = field(default_factory=dict)
    referral_statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0

    def details(self) -> dict:
        return {
            "seed": self.seed,
            "country": self.country,
            "as_of": self.as_of.isoformat(),
            "victims_requested": self.requested,
            "persons": self.persons,
            "cases": self.cases,
            "referrals": self.referrals,
            "agencies_created": self.agencies_created,
            "references_replaced": self.references_replaced,
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
    """Append `victims` synthetic victims (persons, protection cases, referrals)."""
    as_of = as_of or timezone.now().replace(microsecond=0)
    country = country.upper()
    result = SeedResult(seed=seed, country=country, as_of=as_of, requested=victims)
    started = time.monotonic()
    specs = catalogue(country)
    try:
        with transaction.atomic():
            agency_ids, result.agencies_created = ensure_agencies(specs)
        start = {
            "P": Person.objects.count(),
            "C": ProtectionCase.objects.count(),
            "R": Referral.objects.count(),
        }
        generator = SyntheticGenerator(
            seed=seed,
            country=country,
            as_of=as_of,
            offset=start["P"],
            reference_start=start,
            agencies=specs,
        )
        check = {prefix: count > 0 for prefix, count in start.items()}
        while result.persons < victims:
            records = [generator.victim() for _ in range(min(batch, victims - result.persons))]
            result.references_replaced += _avoid_stored_references(records, generator, check)
            with transaction.atomic():
                _insert(records, agency_ids, result)
            if progress:
                elapsed = max(time.monotonic() - started, 1e-9)
                progress(
                    f"persons {result.persons:,}/{victims:,} ({result.persons / elapsed:,.0f}/s)"
                )
    except BaseException:
        result.interrupted = True
        raise
    finally:
        result.seconds = time.monotonic() - started
        if result.persons or result.agencies_created:
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
    records: list[VictimRecord], generator: SyntheticGenerator, check: dict[str, bool]
) -> int:
    """Replace references that rows stored before this run already use (only another seed's
    rows or hand-made ones can: the generator never repeats itself). One query per 900."""
    replaced = 0
    groups = (
        ("P", Person, records),
        ("C", ProtectionCase, [c for r in records for c in r.cases]),
        ("R", Referral, [f for r in records for f in r.referrals]),
    )
    for prefix, model, items in groups:
        if not check[prefix] or not items:
            continue
        pending = items
        while pending:
            taken = _existing(model, "reference", [item.reference for item in pending])
            pending = [item for item in pending if item.reference in taken]
            for item in pending:
                item.reference = generator.refs.spare(prefix)
                replaced += 1
    return replaced


def _insert(records: list[VictimRecord], agency_ids: dict[str, int], result: SeedResult) -> None:
    persons = Person.objects.bulk_create(
        [Person(owner_agency_id=agency_ids[r.owner], **r.person_values()) for r in records]
    )
    cases = []
    for record, person in zip(records, persons, strict=True):
        for c in record.cases:
            cases.append(
                ProtectionCase(
                    reference=c.reference,
                    person_id=person.pk,
                    owner_agency_id=agency_ids[c.owner],
                    kind=c.kind,
                    status=c.status,
                    forms_of_exploitation=c.forms_of_exploitation,
                    risk_level=c.risk_level,
                    opened_at=c.opened_at,
                    closed_at=c.closed_at,
                )
            )
    ProtectionCase.objects.bulk_create(cases)
    referrals = []
    position = 0
    for record in records:
        for f in record.referrals:
            case = cases[position + f.case]
            referrals.append(
                Referral(
                    reference=f.reference,
                    case_id=case.pk,
                    from_agency_id=agency_ids[f.from_agency],
                    to_agency_id=agency_ids[f.to_agency],
                    service_type=f.service_type,
                    status=f.status,
                    note=f.note,
                    decline_reason=f.decline_reason,
                    created_at=f.created_at,
                    responded_at=f.responded_at,
                    completed_at=f.completed_at,
                )
            )
        position += len(record.cases)
    Referral.objects.bulk_create(referrals)
    result.persons += len(persons)
    result.cases += len(cases)
    result.referrals += len(referrals)
    for c in cases:
        result.case_statuses[c.status] = result.case_statuses.get(c.status, 0) + 1
    for f in referrals:
        result.referral_statuses[f.status] = result.referral_statuses.get(f.status, 0) + 1


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
