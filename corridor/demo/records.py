"""The plain records the synthetic data set is made of, and their pseudonymous references.

`corridor.demo.loader` writes these records; the generator modules fill them in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from corridor.core.references import ALPHABET
from corridor.demo.incident_groups import IncidentRecord


@dataclass
class EventRecord:
    kind: str
    at: datetime
    from_value: str = ""
    to_value: str = ""
    reason: str = ""
    note: str = ""


@dataclass
class ExtensionRecord:
    previous_end: date
    new_end: date
    reason: str
    extended_at: datetime


@dataclass
class NeedsRecord:
    assessed_on: date
    needs: list[str]
    notes: str
    recorded_at: datetime


@dataclass
class ReviewRecord:
    due_on: date
    topic: str
    scheduled_at: datetime
    done_on: date | None = None
    outcome: str = ""


@dataclass
class OffenceRecord:
    offence: str
    category: str
    decision: str
    authority: str
    decided_on: date | None
    recorded_at: datetime
    notes: str = ""


@dataclass
class ConsentRecord:
    purposes: list[str]
    data_categories: list[str]
    recipient_agencies: list[str]  # agency names
    recipient_sectors: list[str]
    recipient_countries: list[str]
    method: str
    interpreter_language: str
    given_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: str = ""


@dataclass
class CaseRecord:
    reference: str
    owner: str  # agency name
    kind: str
    status: str
    forms_of_exploitation: list[str]
    risk_level: str
    opened_at: datetime
    closed_at: datetime | None
    closure_reason: str = ""
    closed_from: str = ""
    reflection_starts_on: date | None = None
    reflection_ends_on: date | None = None
    assistance_unconditional: bool = False
    unconditional_attested_at: datetime | None = None
    cooperation_status: str = "not_discussed"
    consent: ConsentRecord | None = None
    events: list[EventRecord] = field(default_factory=list)
    extensions: list[ExtensionRecord] = field(default_factory=list)
    needs: list[NeedsRecord] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    offences: list[OffenceRecord] = field(default_factory=list)


@dataclass
class DeliveryRecord:
    service_type: str
    delivered_on: date
    notes: str
    recorded_at: datetime


@dataclass
class ReferralRecord:
    reference: str
    case: int  # index in the victim's cases
    from_agency: str
    to_agency: str
    service_type: str
    status: str
    note: str
    decline_reason: str
    created_at: datetime
    responded_at: datetime | None
    completed_at: datetime | None
    offer: str | None = None  # name of an offer of `to_agency`
    shared_categories: list[str] = field(default_factory=list)
    withdraw_reason: str = ""
    started_at: datetime | None = None
    withdrawn_at: datetime | None = None
    overdue_notified_at: datetime | None = None
    deliveries: list[DeliveryRecord] = field(default_factory=list)


@dataclass
class ScreeningRecord:
    reference: str
    agency: str
    list_kind: str
    screened_at: datetime
    location: str
    answers: dict
    smuggling: bool
    result: str
    rule: str
    explanation: dict
    treated_as_child: bool
    guardian_required: bool
    next_step: str
    suggested_service: str
    case: int | None  # index in the victim's cases
    case_opened: bool
    case_effect: str
    htcds: dict


@dataclass
class AgeAssessmentRecord:
    method: str
    assessed_age_min: int
    assessed_age_max: int
    conclusion: str
    agency: str
    assessed_at: datetime
    notes: str


@dataclass
class VictimRecord:
    reference: str
    owner: str
    given_name: str
    family_name: str
    aliases: str
    sex: str
    date_of_birth: date | None
    age_estimate_min: int | None
    age_estimate_max: int | None
    age_disputed: bool
    nationality: str
    languages: str
    phone: str
    email: str
    address: str
    document_type: str
    document_number: str
    narrative: str
    created_at: datetime
    cases: list[CaseRecord] = field(default_factory=list)
    referrals: list[ReferralRecord] = field(default_factory=list)
    screenings: list[ScreeningRecord] = field(default_factory=list)
    age_assessments: list[AgeAssessmentRecord] = field(default_factory=list)
    incident_links: list[tuple[str, str]] = field(default_factory=list)  # (incident, role)
    incidents: list[IncidentRecord] = field(default_factory=list)  # completed with this victim
    # The other records of this person, registered by other agencies (`corridor.demo.
    # duplicates`): person fields only, no case, and `variants` saying how each differs.
    duplicates: list[VictimRecord] = field(default_factory=list)
    variants: tuple[str, ...] = ()

    PERSON_FIELDS = (
        "reference",
        "given_name",
        "family_name",
        "aliases",
        "sex",
        "date_of_birth",
        "age_estimate_min",
        "age_estimate_max",
        "age_disputed",
        "nationality",
        "languages",
        "phone",
        "email",
        "address",
        "document_type",
        "document_number",
        "narrative",
        "created_at",
    )

    def person_values(self) -> dict:
        return {name: getattr(self, name) for name in self.PERSON_FIELDS}


class References:
    """Pseudonymous references: a counter per prefix through a keyed permutation of the 40-bit
    space (a Feistel network), written in the 8 Crockford base-32 characters of
    `corridor.core.references`.

    A permutation never gives one value twice, so references are unique within a run without
    remembering them (a million victims make ten million references), and runs with the
    same seed that start their counters at the number of rows already stored (as the loader
    does) never collide with each other. Another seed may collide by chance with stored rows:
    the loader checks each batch and asks `spare()` for a replacement from the upper half of
    the counter space, which normal numbering never reaches.
    """

    ROUNDS = 6
    SPARE = 1 << 39
    # P persons, C cases, R referrals, S screenings, I incidents, SU suspects.
    PREFIXES = ("P", "C", "R", "S", "I", "SU")

    def __init__(self, seed: int, start: dict[str, int] | None = None):
        self.keys = {}
        for prefix in self.PREFIXES:
            rng = random.Random(f"corridor-references:{seed}:{prefix}")
            self.keys[prefix] = [rng.getrandbits(32) for _ in range(self.ROUNDS)]
        self.counters = {prefix: 0 for prefix in self.PREFIXES} | (start or {})
        self.spares = {prefix: 0 for prefix in self.PREFIXES}

    def new(self, prefix: str) -> str:
        n = self.counters[prefix]
        self.counters[prefix] = n + 1
        return self._encode(prefix, n % self.SPARE)

    def spare(self, prefix: str) -> str:
        n = self.spares[prefix]
        self.spares[prefix] = n + 1
        return self._encode(prefix, self.SPARE + n)

    def _encode(self, prefix: str, n: int) -> str:
        left, right = n >> 20, n & _MASK20
        for key in self.keys[prefix]:
            mixed = (((right * 0x9E3779B1) ^ key) * 0x85EBCA6B >> 11) & _MASK20
            left, right = right, left ^ mixed
        bits = (left << 20) | right
        return prefix + "-" + "".join(ALPHABET[(bits >> shift) & 31] for shift in _SHIFTS)


_MASK20 = (1 << 20) - 1
_SHIFTS = (35, 30, 25, 20, 15, 10, 5, 0)


@dataclass
class Subject:
    """What the generator modules need to know of the person behind a victim record."""

    victim: VictimRecord
    nationality: str
    form: str
    age: int
    place: str
    owner: str
    languages: list[str]
    before: tuple  # (date_of_birth, age_estimate_min, age_disputed) before any age assessment
    after: tuple
    assessed_at: datetime | None

    def _values(self, when: datetime) -> tuple:
        if self.assessed_at is not None and when >= self.assessed_at:
            return self.after
        return self.before

    def child_at(self, when: datetime) -> bool:
        """The presumption of minority on that day (`Person.presumed_minor` then)."""
        dob, estimate_min, disputed = self._values(when)
        if disputed:
            return True
        if dob is not None:
            return years_between(dob, when.date()) < 18
        if estimate_min is not None:
            return estimate_min < 18
        return True

    def age_at(self, when: datetime) -> int | None:
        dob, estimate_min, _ = self._values(when)
        if dob is not None:
            return years_between(dob, when.date())
        return estimate_min


def years_between(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
