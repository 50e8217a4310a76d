"""A synthetic, deterministic data set of victims of trafficking and smuggled migrants.

Nothing here touches the database: `SyntheticGenerator` yields plain records — persons with
their screenings and age assessments, protection cases with their history (stage changes,
reflection period, non-conditionality, cooperation, risk, needs, reviews, offences the
person was compelled to commit), consents, referrals with their service deliveries, and the
incidents that group victims — and `corridor.demo.loader` writes them in batches. Every
record follows the rules of the service functions it stands for (`screen_person`,
`change_case_status`'s TRANSITIONS, `refer_case`'s consent, `record_service_delivery`...),
without calling them.
Every draw comes from one `random.Random` seeded from the seed and the number of persons
already stored, and every date is an offset from one `as_of` moment, so the same seed on the
same starting database and the same `as_of` gives the same data set, field for field.

The distributions follow the source documents and the public picture of the routes: sexual
exploitation mostly of women and girls from Nigeria (Edo State) through Agadez and Libya;
forced labour of men from Mali, Burkina Faso and Ghana in agriculture in Italy and Spain;
domestic servitude; forced begging of children (talibé); forced criminality; smuggled
migrants on the Central Mediterranean, Atlantic and Western Mediterranean routes. About a
fifth of the victims are children, some with an unknown or disputed age.

The generator is put together from one part per domain, each with its vocabulary beside it:
`corridor.demo.people` (+ `people_data`, `routes_data`, `exploitation_data`),
`corridor.demo.cases` (+ `cases_data`), `corridor.demo.screenings`,
`corridor.demo.referrals` (+ `referrals_data`), `corridor.demo.incidents` and
`corridor.demo.duplicates` (+ `duplicates_data`: the other agencies' records of a victim);
the records it yields are in `corridor.demo.records`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime

from corridor.cases.models import reflection_days
from corridor.demo.answers import CatalogueSpec, shipped_catalogues
from corridor.demo.cases import CaseGenerator
from corridor.demo.catalogue import AgencySpec, catalogue, demo_agencies
from corridor.demo.directory import OfferSpec, offers_for
from corridor.demo.duplicates import DuplicateGenerator
from corridor.demo.incident_groups import IncidentRecord, SuspectRecord
from corridor.demo.incidents import Group, IncidentGenerator
from corridor.demo.people import PersonGenerator
from corridor.demo.people_data import LOCAL_LANGUAGE, NATIONALITIES
from corridor.demo.records import References, VictimRecord
from corridor.demo.referrals import ReferralGenerator
from corridor.demo.routes_data import INSTANCE_REGION, NATIONALITY_MIX, PLACES, capital
from corridor.demo.sampling import Weighted
from corridor.demo.screenings import ScreeningGenerator


class SyntheticGenerator(
    PersonGenerator,
    CaseGenerator,
    ScreeningGenerator,
    ReferralGenerator,
    IncidentGenerator,
    DuplicateGenerator,
):
    """Yields `VictimRecord`s: a person with one protection case (a few have an earlier,
    closed one: re-trafficking), its screenings, consent and referrals, the case's history,
    the incidents the person was found in, and the records other agencies made of the same
    person (`VictimRecord.duplicates`)."""

    def __init__(
        self,
        *,
        seed: int,
        country: str,
        as_of: datetime,
        offset: int = 0,
        reference_start: dict[str, int] | None = None,
        agencies: list[AgencySpec] | None = None,
        offers: list[OfferSpec] | None = None,
        catalogues: dict[str, CatalogueSpec] | None = None,
    ):
        """`offset`: persons already stored (a new stream per starting point, so appending
        with the same seed adds new people); `reference_start`: rows already stored per
        reference prefix (see `References.PREFIXES`); `offers`: the service directory
        (default: `directory.offers_for`); `catalogues`: the indicator lists by list kind
        (default: the shipped ILO/EC lists)."""
        self.country = country.upper()
        self.as_of = as_of
        self.rng = random.Random(f"corridor-synthetic:{seed}:{offset}")
        # Its own stream: the victims are the same whatever duplicates are drawn beside them.
        self.duplicate_rng = random.Random(f"corridor-duplicates:{seed}:{offset}")
        self.refs = References(seed, reference_start)
        self.agencies = agencies or catalogue(self.country)
        self.demo = demo_agencies(self.country, self.agencies)
        self.region = INSTANCE_REGION.get(self.country, "fr")
        self.places = PLACES.get(self.country, {})
        self.local_language = LOCAL_LANGUAGE.get(self.country, "")
        self.nationalities = self._nationality_mix()
        self.offers = offers if offers is not None else offers_for(self.country, self.agencies)
        self.catalogues = catalogues or shipped_catalogues()
        self.reflection_days = max(reflection_days(), 1)
        self.count = 0
        self.group: Group | None = None
        self.boat: Group | None = None  # the landing some workers of the large raid came by
        self.landed = False  # whether last week's boat landing has started
        self.boats: list[tuple[str, date]] = []  # completed boat incidents: (reference, landed)
        self.suspect_pool: dict[str, list[SuspectRecord]] = {}
        self._index_agencies()
        self._index_offers()
        self._index_registrars()

    # -- set-up --

    def _nationality_mix(self) -> Weighted:
        mix = NATIONALITY_MIX[self.region]
        pairs = list(zip(mix.items, mix.weights(), strict=True))
        if self.country in NATIONALITIES:  # origin countries mostly see their own nationals
            others = sum(w for c, w in pairs if c != self.country)
            pairs = [(c, w) for c, w in pairs if c != self.country] + [(self.country, others * 1.5)]
        return Weighted(pairs)

    def _index_agencies(self) -> None:
        demo_names = {a.name for a in self.demo.values()}
        local = [a for a in self.agencies if a.country == self.country]
        self.by_name = {a.name: a for a in self.agencies}
        # Providers: the demo's shelter, police unit and prosecutors receive a good share of the
        # referrals, so that their users have work to see; border police rarely receive any.
        receiving = {
            a.name
            for role, a in self.demo.items()
            if role in ("provider", "investigator", "prosecutor")
        }
        self.receiving = receiving

        def provider_weight(a: AgencySpec) -> float:
            if a.name in receiving:
                return 4.0
            return 0.1 if "responder" in a.demo_roles else 1.0

        self.provider_weight = provider_weight
        self.local_by_sector: dict[str, Weighted] = {}
        for sector in sorted({a.sector for a in local}):
            pairs = [(a.name, provider_weight(a)) for a in local if a.sector == sector]
            self.local_by_sector[sector] = Weighted(pairs)
        self.local_any = Weighted([(a.name, 1.0) for a in local])
        self.local_names = {a.name for a in local}
        # Agencies that identify people and own their records (not the service-only ones).
        self.identifiers: dict[str, Weighted] = {}
        for sector in sorted({a.sector for a in local}):
            pairs = [
                (a.name, 4.0 if a.name in demo_names else 1.0)
                for a in local
                if a.sector == sector and "service" not in a.demo_roles
            ]
            if pairs:
                self.identifiers[sector] = Weighted(pairs)
        self.foreign_by_country: dict[str, list[AgencySpec]] = {}
        for a in self.agencies:
            if a.country != self.country:
                self.foreign_by_country.setdefault(a.country, []).append(a)
        coordination = self.demo.get("coordinator")
        self.coordination = coordination.name if coordination else self.local_any.items[0]
        coordination_spec = self.by_name[self.coordination]
        self.coordination_city = coordination_spec.city or capital(self.agencies, self.country)
        responder = self.demo.get("responder")
        self.responder = responder.name if responder and responder.name in self.local_names else ""
        self.prosecutors = [a.name for a in local if a.sector == "prosecution"] or [
            "Public prosecutor"
        ]

    def _index_offers(self) -> None:
        self.offers_by_agency: dict[tuple[str, str], list[OfferSpec]] = {}
        self.offers_by_service: dict[str, list[OfferSpec]] = {}
        for offer in self.offers:
            self.offers_by_agency.setdefault((offer.agency, offer.service_type), []).append(offer)
            self.offers_by_service.setdefault(offer.service_type, []).append(offer)

    def _local(self, *sectors: str) -> str:
        for sector in sectors:
            if sector in self.local_by_sector:
                return self.local_by_sector[sector].pick(self.rng)
        return self.local_any.pick(self.rng)

    def _identifier(self, *sectors: str) -> str:
        for sector in sectors:
            if sector in self.identifiers:
                return self.identifiers[sector].pick(self.rng)
        return self.local_any.pick(self.rng)

    def _foreign(self, country: str, city: str, *sectors: str) -> str | None:
        """A partner agency of `country`: the office in `city` if there is one, else the first
        (the headquarters) of the first sector that has any."""
        candidates = self.foreign_by_country.get(country, [])
        for sector in sectors:
            match = [a for a in candidates if a.sector == sector]
            if match:
                return next((a.name for a in match if a.city == city), match[0].name)
        return None

    # -- generation --

    def victims(self, n: int) -> Iterator[VictimRecord]:
        for _ in range(n):
            yield self.victim()

    def close(self) -> list[IncidentRecord]:
        """The incident still being filled when the run ends, with the victims it has."""
        groups = [self.boat, self.group]
        self.boat = self.group = None
        return [self._incident(g) for g in groups if g is not None and g.members]
