"""Criminal cases in the synthetic data set, consistent with the incidents a run added.

About one incident in two that has suspects gets a criminal case (at most 20,000 a run),
owned by the incident's agency when it is a police unit, else by the demo investigator's
agency. The case names the incident's forms of exploitation as trafficking offences (or
migrant smuggling where none was recorded), sometimes money laundering; one to four of the
incident's suspects with a role and UNODC's level; and, as far as its stage has gone, the
referral to the demo prosecutor's office, charges, first-instance verdicts with sentences,
assets seized (confiscated once final, with a share for the victims) in EUR, XOF or NGN,
and compensation ordered and partly paid. Each stage reached has its date and history line.

Written as rows in bulk like the rest of the seed (no service call, no audit event per row:
the seed's one audit event counts them). The same seed on the same database gives the same
rows.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from corridor.accounts.models import Agency
from corridor.consent.models import Consent
from corridor.core.references import ALPHABET
from corridor.demo.catalogue import demo_agencies
from corridor.incidents.models import Incident, IncidentSuspect, IncidentVictim
from corridor.investigations.models import (
    STAGE_DATE_FIELDS,
    Asset,
    CaseIncident,
    CaseSuspect,
    Charge,
    CompensationOrder,
    CriminalCase,
    CriminalCaseEvent,
    LegalBasis,
    Offence,
    OffenceKind,
    ProtectiveMeasure,
    Stage,
    Verdict,
    Witness,
)

SHARE = 2  # one incident with suspects in SHARE gets a criminal case
MAX_CASES = 20_000
BATCH = 2_000
LIFECYCLE = [Stage.INVESTIGATION, Stage.PROSECUTION, Stage.TRIAL, Stage.VERDICT, Stage.APPEAL]
# How far cases have gone: most are still being investigated, few are final.
STAGE_WEIGHTS = {
    Stage.INVESTIGATION: 34,
    Stage.PROSECUTION: 20,
    Stage.TRIAL: 12,
    Stage.VERDICT: 10,
    Stage.APPEAL: 5,
    Stage.FINAL: 15,
    Stage.DISCONTINUED: 4,
}
ROLES = {
    CaseSuspect.Role.RECRUITER: 30,
    CaseSuspect.Role.TRANSPORTER: 18,
    CaseSuspect.Role.GUIDE: 8,
    CaseSuspect.Role.DOCUMENT_FORGER: 6,
    CaseSuspect.Role.EXPLOITER: 20,
    CaseSuspect.Role.COORDINATOR: 8,
    CaseSuspect.Role.FINANCIER: 4,
    CaseSuspect.Role.MONEY_COLLECTOR: 6,
}
PROVISIONS = {
    OffenceKind.TRAFFICKING: "Trafficking in persons (Palermo Protocol, art. 3; national law)",
    OffenceKind.MIGRANT_SMUGGLING: "Smuggling of migrants (Protocol against Smuggling, art. 6)",
    OffenceKind.MONEY_LAUNDERING: "Laundering of the proceeds of crime",
}
ASSET_KINDS = {
    Asset.Kind.CASH: 30,
    Asset.Kind.BANK_ACCOUNT: 20,
    Asset.Kind.MOBILE_MONEY: 20,
    Asset.Kind.VEHICLE: 15,
    Asset.Kind.REAL_ESTATE: 10,
    Asset.Kind.VALUABLES: 5,
}
# Typical value of an asset of each kind, in euros.
ASSET_EUR = {
    Asset.Kind.CASH: 8_000,
    Asset.Kind.BANK_ACCOUNT: 25_000,
    Asset.Kind.MOBILE_MONEY: 3_000,
    Asset.Kind.VEHICLE: 12_000,
    Asset.Kind.REAL_ESTATE: 90_000,
    Asset.Kind.VALUABLES: 5_000,
}
EUR_RATE = {"EUR": Decimal(1), "XOF": Decimal("655.957"), "NGN": Decimal(1600)}
XOF_COUNTRIES = {"BJ", "BF", "CI", "GW", "ML", "NE", "SN", "TG"}
POLICE = {Agency.Sector.POLICE, Agency.Sector.IMMIGRATION}


def _local_currency(country: str) -> str:
    if country == "NG":
        return "NGN"
    return "XOF" if country in XOF_COUNTRIES else "EUR"


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = "K-" + "".join(rng.choice(ALPHABET) for _ in range(8))
        if reference not in taken:
            taken.add(reference)
            return reference


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _stages(rng: random.Random, opened: date, today: date, last=None) -> dict[str, date]:
    """The stages a case reached and when, each after the one before and none after today."""
    last = last or _pick(rng, STAGE_WEIGHTS)
    path = LIFECYCLE[: LIFECYCLE.index(last) + 1] if last in LIFECYCLE else None
    if last == Stage.FINAL:
        path = LIFECYCLE[:4] + ([Stage.APPEAL] if rng.random() < 0.3 else []) + [Stage.FINAL]
    elif last == Stage.DISCONTINUED:
        path = [Stage.INVESTIGATION, *([Stage.PROSECUTION] * (rng.random() < 0.5))]
        path.append(Stage.DISCONTINUED)
    reached = {Stage.INVESTIGATION: opened}
    gaps = [rng.randint(20, 240) for _ in path[1:]]
    room = (today - opened).days
    if sum(gaps) > room:  # a recent incident: the same path, faster
        gaps = [gap * room // sum(gaps) for gap in gaps]
    on = opened
    for stage, gap in zip(path[1:], gaps, strict=True):
        on = on + timedelta(days=gap)
        reached[stage] = on
    return reached


def _money(rng: random.Random, eur: int, currency: str) -> Decimal:
    amount = Decimal(max(100, int(rng.lognormvariate(0, 0.6) * eur))) * EUR_RATE[currency]
    return amount.quantize(Decimal(100) if currency != "EUR" else Decimal(1))


def seed_criminal_cases(
    *, after_incident_id: int, country: str, seed: int, as_of: datetime
) -> Counter:
    """Criminal cases for the incidents stored after `after_incident_id`."""
    rng = random.Random(f"corridor-criminal-cases:{seed}:{after_incident_id}")
    added: Counter = Counter()
    country = country.upper()
    demo = demo_agencies(country)
    names = {role: spec.name for role, spec in demo.items()}
    agencies = {
        a.name: a
        for a in Agency.objects.filter(
            name__in=[names.get("investigator"), names.get("prosecutor")]
        )
    }
    investigator = agencies.get(names.get("investigator"))
    prosecutor = agencies.get(names.get("prosecutor"))
    if investigator is None:
        return added
    today = as_of.date()
    countries = dict(Agency.objects.values_list("pk", "country"))
    police = set(Agency.objects.filter(sector__in=POLICE).values_list("pk", flat=True))
    with_suspects = IncidentSuspect.objects.filter(incident_id__gt=after_incident_id)
    incident_ids = sorted(set(with_suspects.values_list("incident_id", flat=True)))
    chosen = [pk for pk in incident_ids if rng.randrange(SHARE) == 0][:MAX_CASES]
    taken = set(
        CriminalCase.objects.filter(reference__startswith="K-").values_list("reference", flat=True)
    )
    for start in range(0, len(chosen), BATCH):
        added.update(
            _write(
                chosen[start : start + BATCH],
                rng=rng,
                taken=taken,
                police=police,
                countries=countries,
                investigator=investigator,
                prosecutor=prosecutor,
                today=today,
                as_of=as_of,
                first_batch=start == 0,
            )
        )
    return added


def _write(
    incident_ids,
    *,
    rng,
    taken,
    police,
    countries,
    investigator,
    prosecutor,
    today,
    as_of,
    first_batch=False,
) -> Counter:
    incidents = {
        pk: (reference, owner, forms, created)
        for pk, reference, owner, forms, created in Incident.objects.filter(
            pk__in=incident_ids
        ).values_list("pk", "reference", "owner_agency_id", "forms_of_exploitation", "created_at")
    }
    suspects_of: dict[int, list[int]] = defaultdict(list)
    for incident_id, suspect_id in IncidentSuspect.objects.filter(
        incident_id__in=incident_ids
    ).values_list("incident_id", "suspect_id"):
        suspects_of[incident_id].append(suspect_id)

    cases, plans = [], []
    for n, pk in enumerate(incident_ids):
        reference, owner, forms, created = incidents[pk]
        opened = min(created.date() + timedelta(days=rng.randint(0, 60)), today)
        # the first cases of a run go through every stage, so that even a small demo shows them
        first = list(STAGE_WEIGHTS)[n] if first_batch and n < len(STAGE_WEIGHTS) else None
        reached = _stages(rng, opened, today, first)
        stage = list(reached)[-1]  # the stages in the order they were reached
        referred = Stage.PROSECUTION in reached and prosecutor is not None
        kcase = CriminalCase(
            reference=_reference(rng, taken),
            owner_agency_id=owner if owner in police else investigator.pk,
            prosecutor_agency=prosecutor if referred else None,
            title=f"Operation {rng.choice(CODE_NAMES)} {rng.randint(1, 99)}",
            stage=stage,
            opened_at=datetime.combine(opened, as_of.timetz()),
            **{STAGE_DATE_FIELDS[s]: on for s, on in reached.items()},
        )
        cases.append(kcase)
        plans.append((pk, reference, forms or [], reached, suspects_of[pk]))
    CriminalCase.objects.bulk_create(cases, batch_size=BATCH)

    links, offences, events, case_suspects = [], [], [], []
    for kcase, (incident_id, reference, forms, reached, suspect_ids) in zip(
        cases, plans, strict=True
    ):
        links.append(CaseIncident(criminal_case=kcase, incident_id=incident_id))
        kinds = [(OffenceKind.TRAFFICKING, f) for f in forms if f not in ("", "unknown")][:2]
        if not kinds:
            kinds = [(OffenceKind.MIGRANT_SMUGGLING, "")]
        if rng.random() < 0.2:
            kinds.append((OffenceKind.MONEY_LAUNDERING, ""))
        kcase._offences = [
            Offence(criminal_case=kcase, kind=kind, form_of_exploitation=form)
            for kind, form in kinds
        ]
        offences += kcase._offences
        at = kcase.opened_at
        events.append(
            CriminalCaseEvent(
                criminal_case=kcase,
                kind=CriminalCaseEvent.Kind.OPENED,
                to_value=Stage.INVESTIGATION,
                on=kcase.investigation_on,
                at=at,
            )
        )
        events.append(
            CriminalCaseEvent(
                criminal_case=kcase,
                kind=CriminalCaseEvent.Kind.INCIDENT,
                to_value=reference,
                at=at,
            )
        )
        previous = Stage.INVESTIGATION
        for stage, on in sorted(reached.items(), key=lambda item: item[1]):
            if stage == Stage.INVESTIGATION:
                continue
            events.append(
                CriminalCaseEvent(
                    criminal_case=kcase,
                    kind=CriminalCaseEvent.Kind.STAGE,
                    from_value=previous,
                    to_value=stage,
                    on=on,
                    at=datetime.combine(on, as_of.timetz()),
                )
            )
            previous = stage
        chosen = rng.sample(suspect_ids, k=min(len(suspect_ids), rng.randint(1, 4)))
        kcase._suspects = []
        for n, suspect_id in enumerate(chosen):
            level = (
                CaseSuspect.Level.ORGANISER
                if n == 0 and rng.random() < 0.35
                else _pick(
                    rng, {CaseSuspect.Level.OPERATOR: 6, CaseSuspect.Level.OCCASIONAL_HELPER: 4}
                )
            )
            role = (
                CaseSuspect.Role.COORDINATOR
                if level == CaseSuspect.Level.ORGANISER and rng.random() < 0.6
                else _pick(rng, ROLES)
            )
            link = CaseSuspect(criminal_case=kcase, suspect_id=suspect_id, role=role, level=level)
            kcase._suspects.append(link)
            case_suspects.append(link)
    CaseIncident.objects.bulk_create(links, batch_size=BATCH)
    Offence.objects.bulk_create(offences, batch_size=BATCH)
    CaseSuspect.objects.bulk_create(case_suspects, batch_size=BATCH)

    charges = []
    for kcase in cases:
        if kcase.prosecution_on is None:
            continue
        for link in kcase._suspects:
            charge = Charge(
                defendant=link,
                offence=kcase._offences[0],
                legal_provision=PROVISIONS.get(kcase._offences[0].kind, ""),
                charged_on=kcase.prosecution_on,
            )
            charge._case = kcase
            charges.append(charge)
    verdicts, assets, orders = [], [], []
    for charge in charges:
        kcase = charge._case
        if kcase.verdict_on is None:
            continue
        outcome = _pick(
            rng,
            {Verdict.Outcome.CONVICTED: 75, Verdict.Outcome.ACQUITTED: 20, "dismissed": 5},
        )
        charge.outcome = outcome
        convicted = outcome == Verdict.Outcome.CONVICTED
        organiser = charge.defendant.level == CaseSuspect.Level.ORGANISER
        currency = _local_currency(countries.get(kcase.owner_agency_id, ""))
        verdicts.append(
            Verdict(
                charge=charge,
                outcome=outcome,
                decided_on=kcase.verdict_on,
                prison_months=rng.randint(60, 240 if organiser else 120) if convicted else None,
                suspended=False,
                fine_amount=_money(rng, 20_000, currency)
                if convicted and rng.random() < 0.4
                else None,
                fine_currency=currency if convicted else "",
            )
        )
        if verdicts[-1].fine_amount is None:
            verdicts[-1].fine_currency = ""
    Charge.objects.bulk_create(charges, batch_size=BATCH)
    Verdict.objects.bulk_create(verdicts, batch_size=BATCH)

    for kcase in cases:
        if kcase.prosecution_on is None or rng.random() > 0.45:
            continue
        country = countries.get(kcase.owner_agency_id, "")
        for _ in range(rng.randint(1, 3)):
            kind = _pick(rng, ASSET_KINDS)
            currency = rng.choice(
                [_local_currency(country), _local_currency(country), "EUR", "NGN"]
            )
            value = _money(rng, ASSET_EUR[kind], currency)
            confiscated = kcase.stage == Stage.FINAL and rng.random() < 0.7
            share = (value * Decimal(rng.choice([0, 25, 50, 100])) / 100).quantize(Decimal(1))
            assets.append(
                Asset(
                    criminal_case=kcase,
                    held_by=rng.choice(kcase._suspects),
                    kind=kind,
                    value=value,
                    currency=currency,
                    status=Asset.Status.CONFISCATED if confiscated else Asset.Status.SEIZED,
                    seized_on=kcase.prosecution_on,
                    confiscated_on=kcase.final_on if confiscated else None,
                    victims_share=share if confiscated and share else None,
                    share_to=_pick(rng, {"compensation": 6, "victims_fund": 4})
                    if confiscated and share
                    else "",
                )
            )
        if kcase.verdict_on is not None and rng.random() < 0.4:
            currency = _local_currency(country)
            ordered = _money(rng, 15_000, currency)
            paid = (ordered * Decimal(rng.choice([0, 0, 30, 60, 100])) / 100).quantize(Decimal(1))
            orders.append(
                CompensationOrder(
                    criminal_case=kcase,
                    payer=kcase._suspects[0],
                    beneficiary=f"Victim {rng.randint(1, 9)}",
                    amount_ordered=ordered,
                    amount_paid=paid,
                    currency=currency,
                    ordered_on=kcase.verdict_on,
                    last_paid_on=min(kcase.verdict_on + timedelta(days=90), today)
                    if paid
                    else None,
                )
            )
    Asset.objects.bulk_create(assets, batch_size=BATCH)
    CompensationOrder.objects.bulk_create(orders, batch_size=BATCH)
    CriminalCaseEvent.objects.bulk_create(events, batch_size=BATCH)
    witnessed = _witnesses(cases, plans, rng=rng, today=today, as_of=as_of)
    return Counter(
        {
            **witnessed,
            "criminal_cases": len(cases),
            "criminal_case_suspects": len(case_suspects),
            "charges": len(charges),
            "verdicts": len(verdicts),
            "assets": len(assets),
            "compensation_orders": len(orders),
        }
    )


def _witnesses(cases, plans, *, rng, today, as_of) -> Counter:
    """One victim of the incident as a witness in about one case in four: two in three
    through her consent for criminal proceedings naming the case's agency (a consent row
    written for it), the others through a court order opening her identity for six months;
    a protective measure or two, some granted."""
    victims_of: dict[int, list[int]] = defaultdict(list)
    incident_ids = [plan[0] for plan in plans]
    for incident_id, person_id in IncidentVictim.objects.filter(
        incident_id__in=incident_ids, role=IncidentVictim.Role.VICTIM
    ).values_list("incident_id", "person_id"):
        victims_of[incident_id].append(person_id)
    consents, bases, witnesses, measures = [], [], [], []
    at = as_of
    for kcase, (incident_id, *_rest) in zip(cases, plans, strict=True):
        if (
            not victims_of[incident_id]
            or rng.randrange(4)
            or kcase.stage
            in (
                Stage.FINAL,
                Stage.DISCONTINUED,
            )
        ):
            continue
        person_id = rng.choice(sorted(victims_of[incident_id]))
        witness = Witness(
            reference="W-" + kcase.reference[2:],  # one witness a case: unique as the case
            criminal_case=kcase,
            person_id=person_id,
            status=rng.choice([Witness.Status.REQUESTED, Witness.Status.ACTIVE]),
            requested_at=at,
        )
        if rng.randrange(3):
            consent = Consent(
                person_id=person_id,
                purposes=[Consent.Purpose.CRIMINAL_PROCEEDINGS.value],
                data_categories=["identity", "story"],
                method=Consent.Method.WRITTEN,
                given_at=at,
            )
            consents.append((consent, kcase.owner_agency_id))
            witness.consent = consent
        else:
            basis = LegalBasis(
                reference="LB-" + kcase.reference[2:],
                criminal_case=kcase,
                person_id=person_id,
                kind=LegalBasis.Kind.COURT_ORDER,
                issued_by="GIP",
                issuer_reference=f"{rng.randint(100, 9999)}/{today.year}",
                valid_until=today + timedelta(days=180),
                data_categories=["identity"],
                recorded_at=at,
            )
            bases.append(basis)
            witness.legal_basis = basis
        witnesses.append(witness)
        for kind in rng.sample(list(ProtectiveMeasure.Kind.values), rng.randint(1, 2)):
            granted = rng.randrange(2) == 0
            measures.append(
                ProtectiveMeasure(
                    witness=witness,
                    kind=kind,
                    status=ProtectiveMeasure.Status.GRANTED
                    if granted
                    else ProtectiveMeasure.Status.REQUESTED,
                    requested_on=today,
                    decided_on=today if granted else None,
                )
            )
    Consent.objects.bulk_create([c for c, _agency in consents], batch_size=BATCH)
    through = Consent.recipient_agencies.through
    through.objects.bulk_create(
        [through(consent_id=c.pk, agency_id=agency) for c, agency in consents], batch_size=BATCH
    )
    LegalBasis.objects.bulk_create(bases, batch_size=BATCH)
    for witness in witnesses:  # the foreign keys now have their primary keys
        witness.consent = witness.consent
        witness.legal_basis = witness.legal_basis
    Witness.objects.bulk_create(witnesses, batch_size=BATCH)
    for measure in measures:
        measure.witness = measure.witness
    ProtectiveMeasure.objects.bulk_create(measures, batch_size=BATCH)
    return Counter(
        {
            "witnesses": len(witnesses),
            "legal_bases": len(bases),
            "protective_measures": len(measures),
        }
    )


CODE_NAMES = (
    "Harbour",
    "Sahel",
    "Meridian",
    "Caravan",
    "Lighthouse",
    "Baobab",
    "Crossing",
    "Delta",
    "Mirage",
    "Palm",
)
