"""Legal holds and requests for erasure in the synthetic data set, so that retention shows.

Among the victims a run added: up to three whose case went to a prosecutor's office (the
demo prosecutor's first) are on a legal hold placed by that office for the trial; up to two
whose cases are all closed are on a hold the national coordination office placed for a
compensation claim. The first of those asked for her records to be erased and was refused
because of the hold; one victim whose case is still open asked too, refused for that.

Written as rows like the rest of the seed (no service call, no audit event per row; the
seed's one audit event counts them), the grounds of each refusal as the erasure service
records them. The same seed on the same database and `as_of` gives the same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from corridor.accounts.models import Agency
from corridor.cases.models import ProtectionCase
from corridor.core.references import ALPHABET
from corridor.demo.catalogue import demo_agencies
from corridor.people.models import Person
from corridor.referrals.models import Referral
from corridor.retention.models import ErasureRequest, LegalHold
from corridor.retention.rules import grounds_to_keep

PROSECUTION_HOLDS = 3
COORDINATION_HOLDS = 2
TRIAL = (
    "Criminal proceedings against the network that exploited her: she is a witness at the trial."
)
CLAIM = "Compensation claim before the civil court: the case file is evidence until it is decided."


def _reference(rng: random.Random, prefix: str, model, taken: set[str]) -> str:
    while True:
        reference = f"{prefix}-" + "".join(rng.choice(ALPHABET) for _ in range(8))
        if reference not in taken and not model.objects.filter(reference=reference).exists():
            taken.add(reference)
            return reference


def _stored_agency(demo: dict, role: str) -> Agency | None:
    spec = demo.get(role)
    return Agency.objects.filter(name=spec.name).first() if spec else None


def seed_legal_holds(*, after_person_id: int, country: str, seed: int, as_of: datetime) -> Counter:
    """Holds and refused requests on the persons stored after `after_person_id`."""
    rng = random.Random(f"corridor-legal-holds:{seed}:{after_person_id}")
    added: Counter = Counter()
    taken: set[str] = set()
    demo = demo_agencies(country)
    prosecutor, coordination = (
        _stored_agency(demo, "prosecutor"),
        _stored_agency(demo, "coordinator"),
    )
    new = Person.objects.filter(pk__gt=after_person_id)

    holds: list[LegalHold] = []
    to_prosecutors = (
        Referral.objects.filter(
            case__person__in=new,
            to_agency__sector=Agency.Sector.PROSECUTION,
            to_agency__country=country,
            status__in=Referral.GRANTS_ACCESS,
        )
        .select_related("to_agency", "case")
        .order_by("created_at", "pk")
    )
    chosen: set[int] = set()
    ranked = sorted(to_prosecutors, key=lambda r: r.to_agency_id != getattr(prosecutor, "pk", 0))
    for referral in ranked:
        if len(holds) == PROSECUTION_HOLDS:
            break
        if referral.case.person_id in chosen:
            continue
        chosen.add(referral.case.person_id)
        placed = min(referral.created_at + timedelta(days=rng.randint(7, 40)), as_of)
        holds.append(_hold(rng, taken, referral.case.person_id, referral.to_agency, placed, TRIAL))

    closed = []
    if coordination is not None:
        open_cases = ProtectionCase.objects.exclude(status=ProtectionCase.Status.CLOSED)
        closed = list(
            new.exclude(pk__in=open_cases.values("person_id"))
            .filter(cases__isnull=False)
            .exclude(pk__in=chosen)
            .distinct()
            .order_by("pk")[:COORDINATION_HOLDS]
        )
        for person in closed:
            placed = as_of - timedelta(days=rng.randint(20, 200))
            holds.append(_hold(rng, taken, person.pk, coordination, placed, CLAIM))
    LegalHold.objects.bulk_create(holds)
    added["legal_holds"] = len(holds)

    recorder = coordination or (holds[0].agency if holds else None)
    if recorder is None:
        return added
    asked = []
    held = closed[0] if closed else (Person.objects.get(pk=holds[0].person_id) if holds else None)
    still_open = (
        new.filter(cases__status=ProtectionCase.Status.PRESUMED_VICTIM)
        .exclude(pk__in=[h.person_id for h in holds])
        .order_by("pk")
        .first()
    )
    for person in (held, still_open):
        if person is None:
            continue
        requested = as_of - timedelta(days=rng.randint(3, 15))
        asked.append(
            ErasureRequest(
                reference=_reference(rng, "ER", ErasureRequest, taken),
                person=person,
                requested_on=requested.date(),
                note="Asked in person at the shelter, with an interpreter.",
                agency=recorder,
                recorded_at=requested + timedelta(days=1),
                status=ErasureRequest.Status.REFUSED,
                refusal=grounds_to_keep(person),
            )
        )
    ErasureRequest.objects.bulk_create(asked)
    added["erasure_requests"] = len(asked)
    return added


def _hold(rng, taken, person_id: int, agency: Agency, placed: datetime, reason: str) -> LegalHold:
    return LegalHold(
        reference=_reference(rng, "H", LegalHold, taken),
        person_id=person_id,
        agency=agency,
        placed_at=placed,
        reason=reason,
    )
