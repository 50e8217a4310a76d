"""Legal cooperation requests in the synthetic data set: the demo prosecutor's office asks
the countries of the routes for evidence, arrests and surrenders, and receives a few
requests from them, so that the list, the deadlines and the times per country show.

About one request per 200 victims (at least 8, at most 5,000), written as rows like the
rest of the seed (no service call, no audit event per row: the seed's one audit event
counts them). Where the office has criminal cases, a request belongs to one of them. Some
are answered (sooner from neighbours, later from far away), some still open — a few of those
past their deadline — and some drafts. The same seed on the same database gives the same rows.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from corridor.accounts.models import Agency
from corridor.cooperation.models import CooperationEvent, CooperationRequest
from corridor.core.references import ALPHABET
from corridor.demo.catalogue import catalogue, demo_agencies

Kind, Status = CooperationRequest.Kind, CooperationRequest.Status

# What a prosecutor on these routes asks for, kind by kind (no victim is named).
SUBJECTS = {
    Kind.MLA: (
        "Bank and mobile-money records of the accounts that collected the debts",
        "Hearing of the recruiter's associate as a witness",
        "Subscriber data of the phone numbers used to recruit on social media",
        "Copies of the travel documents issued under false identities",
    ),
    Kind.EXTRADITION: ("Surrender of the organiser arrested on a warrant issued here",),
    Kind.EAW: ("Arrest and surrender of the transporter for trial",),
    Kind.TRANSFER: ("Transfer of the proceedings against the local recruiters",),
    Kind.JIT: ("Joint investigation team on the network operating along the route",),
}
# Typical days to an answer: neighbours and EU partners answer sooner than distant states.
ANSWER_DAYS = {"FR": 60, "ES": 70, "MT": 50, "DE": 65}
DEFAULT_ANSWER_DAYS = 150


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = "L-" + "".join(rng.choice(ALPHABET) for _ in range(8))
        if reference not in taken:
            taken.add(reference)
            return reference


def seed_cooperation_requests(*, victims: int, country: str, seed: int, as_of: datetime) -> Counter:
    rng = random.Random(f"corridor-cooperation:{seed}:{victims}:{as_of.date()}")
    added: Counter = Counter()
    country = country.upper()
    specs = catalogue(country)
    office_spec = demo_agencies(country, specs).get("prosecutor")
    office = Agency.objects.filter(name=office_spec.name).first() if office_spec else None
    abroad = {s.country: s for s in specs if s.sector == "prosecution" and s.country != country}
    if office is None or not abroad:
        return added
    from corridor.investigations.models import CriminalCase

    cases = list(
        CriminalCase.objects.filter(owner_agency=office).values_list("pk", flat=True)[:5000]
    ) or list(
        CriminalCase.objects.filter(prosecutor_agency=office).values_list("pk", flat=True)[:5000]
    )
    taken = set(CooperationRequest.objects.values_list("reference", flat=True))
    today = as_of.date()
    count = min(max(8, victims // 200), 5000)
    countries = sorted(abroad)
    requests, steps = [], []
    for n in range(count):
        kind = rng.choices(list(SUBJECTS), weights=(70, 8, 6, 6, 4))[0]
        other = rng.choice(countries)
        incoming = n % 7 == 6
        sent = today - timedelta(days=rng.randint(5, 400))
        typical = ANSWER_DAYS.get(other, DEFAULT_ANSWER_DAYS)
        took = max(5, int(rng.gauss(typical, typical / 3)))
        due = sent + timedelta(days=90 if kind == Kind.MLA else 60)
        status = Status.ANSWERED if sent + timedelta(days=took) <= today else Status.SENT
        if status == Status.SENT and rng.random() < 0.3:
            status = Status.IN_EXECUTION
        if not incoming and rng.random() < 0.06:
            status = Status.DRAFT
        answered = sent + timedelta(days=took) if status == Status.ANSWERED else None
        outcome = ""
        if answered:
            outcome = rng.choices(["granted", "partly", "refused"], weights=(70, 22, 8))[0]
            status = Status.REFUSED if outcome == "refused" else Status.ANSWERED
        req = CooperationRequest(
            reference=_reference(rng, taken),
            kind=kind,
            direction="incoming" if incoming else "outgoing",
            owner_agency=office,
            criminal_case_id=rng.choice(cases) if cases and rng.random() < 0.8 else None,
            requesting_country=other if incoming else country,
            requested_country=country if incoming else other,
            requesting_authority=abroad[other].name if incoming else office.name,
            requested_authority=office.name if incoming else abroad[other].name,
            subject=rng.choice(SUBJECTS[kind]),
            status=status,
            sent_on=None if status == Status.DRAFT else sent,
            received_on=sent + timedelta(days=rng.randint(2, 20)) if incoming else None,
            due_on=None if status == Status.DRAFT else due,
            answered_on=answered,
            outcome=outcome,
            created_at=as_of - timedelta(days=(today - sent).days + 2),
        )
        if req.received_on and req.received_on > today:
            req.received_on = today
        requests.append(req)
    CooperationRequest.objects.bulk_create(requests)
    for req in requests:
        steps.append(CooperationEvent(request=req, at=req.created_at, to_status=Status.DRAFT))
        if req.sent_on:
            sent_at = datetime.combine(req.sent_on, as_of.timetz())
            steps.append(
                CooperationEvent(request=req, at=sent_at, from_status="draft", to_status="sent")
            )
        if req.answered_on:
            steps.append(
                CooperationEvent(
                    request=req,
                    at=datetime.combine(req.answered_on, as_of.timetz()),
                    from_status="sent",
                    to_status=req.status,
                )
            )
    CooperationEvent.objects.bulk_create(steps)
    added["cooperation_requests"] = len(requests)
    return added
