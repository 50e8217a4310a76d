"""The same person registered again by other agencies: the duplicates record linkage has to
find, with the ground truth of which records are one person.

In the field a victim meets several agencies — the border police at the landing, the shelter
that takes her in, the outreach unit that met her months before, the IOM office of a transit
country, the anti-trafficking agency of her own country once she is back — and each writes
its own record, as it heard and spelt her name: Fatoumata Diallo is Fatimata Djalo to one
and Fatoumata Jallow to another, فاتوماتا ديالو to a Libyan officer, "DIALLO Fatoumata" in
one field to a fourth; a date of birth becomes an age guessed at the door or the 1st of
January of the year she gave; a phone is written +234 803 123 4567, 08031234567 or not at
all. About one victim in eleven (`DUPLICATE_SHARE`) gets one to three such records.

A duplicate is a `VictimRecord` with the person's fields only (no case, no screening: the
registration an agency made before or besides the case that `PersonGenerator` describes),
in `VictimRecord.duplicates`; its `variants` name how it differs from the original, for
benchmarks to measure linkage by kind of difference. The loader writes every record with
its `corridor.demo.models.SeededIdentity`.

The draws come from their own random stream, seeded like the generator's, and nothing in
the victims' own records depends on them: the victims are the same, field for field, with
or without their other records, so a benchmark can add duplicates to a data set without
changing it. Only the person references are drawn from the generator's one stream of them
(each duplicate's right after its victim's), so that they stay unique like every other.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, datetime, timedelta

from corridor.demo.catalogue import AgencySpec
from corridor.demo.directory import OfferSpec
from corridor.demo.duplicates_data import (
    ARABIC_SCRIPT_AGENCIES,
    ARABIC_SPELLINGS,
    FRENCH_WRITING,
    NEIGHBOURS,
    REGISTRAR_SECTORS,
    REGISTRATION_NOTES,
    SPELLINGS,
    TRANSIT_COUNTRY,
    TRUNK_PREFIX,
)
from corridor.demo.people_data import ARABIC, GEEZ, NATIONALITIES, PHONE_LOCAL, Nationality
from corridor.demo.records import VictimRecord, years_between
from corridor.demo.sampling import DAY, HOUR, Weighted, pattern

DUPLICATE_SHARE = 0.09  # victims registered again by at least one other agency
EXTRA_RECORDS = Weighted([(1, 6.0), (2, 3.0), (3, 1.0)])  # how many other records, then
FOREIGN_SHARE = 0.3  # of those records, made by an agency of the origin or a transit country

# How a duplicate differs from the original record (`SeededIdentity.variants`).
SPELLING = "spelling"  # another transcription of a name (Fatimata, Djalo)
ACCENTS = "accents"  # accents dropped (Traore)
TYPO = "typo"  # one letter dropped, doubled or two swapped
ARABIC_SCRIPT = "arabic_script"  # written in Arabic script
GEEZ_SCRIPT = "geez_script"  # written in Geʽez script
LATIN_SCRIPT = "latin_script"  # written in Latin letters where the original is not
ORDER_SWAPPED = "order_swapped"  # given and family name exchanged
ORDER_IN_GIVEN = "order_in_given"  # "DIALLO Fatoumata" in the given name, no family name
DOB_MISSING = "dob_missing"
DOB_ESTIMATE = "dob_estimate"  # an estimated age instead of the date of birth
DOB_1_JANUARY = "dob_1_january"  # 1 January of the year of birth
DOB_OFF_BY_YEAR = "dob_off_by_year"
PHONE_FORMAT = "phone_format"  # the same number written another way
PHONE_MISSING = "phone_missing"
PHONE_NEW = "phone_new"  # another number (a new SIM card)
DOCUMENT_MISSING = "document_missing"
DOCUMENT_NEW = "document_new"  # a document the original record does not have
NATIONALITY_MISSING = "nationality_missing"
NATIONALITY_OTHER = "nationality_other"  # a neighbour's, as claimed or misheard
CROSS_SCRIPT = frozenset({ARABIC_SCRIPT, GEEZ_SCRIPT, LATIN_SCRIPT})


def strip_accents(name: str) -> str:
    """Traoré -> Traore, as a keyboard or a form without accents writes it."""
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def typo(rng: random.Random, name: str) -> str:
    """The name with one letter dropped, doubled, or swapped with the next (never the first
    letter: that one is rarely mistaken); names under four letters are left alone."""
    places = [i for i in range(1, len(name)) if name[i].isalpha()]
    if len(name) < 4 or not places:
        return name
    i = rng.choice(places)
    roll = rng.random()
    if roll < 0.35:
        return name[:i] + name[i + 1 :]
    if roll < 0.7 or i + 1 >= len(name) or name[i] == name[i + 1] or not name[i + 1].isalpha():
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _dials() -> list[str]:
    dials = {n.dial for n in NATIONALITIES.values()} | {d for d, _, _ in PHONE_LOCAL.values()}
    return sorted(dials, key=lambda d: (-len(d), d))  # longest first: +212 before +21


DIALS = _dials()


def _groups(digits: str) -> str:
    """8031234567 -> 803 123 4567; short numbers in pairs (6 12 34 56)."""
    if len(digits) <= 8:
        head = len(digits) % 2
        parts = ([digits[:head]] if head else []) + [
            digits[i : i + 2] for i in range(head, len(digits), 2)
        ]
        return " ".join(parts)
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def reformat_phone(rng: random.Random, phone: str) -> str:
    """The same number written as another agency writes it: +234 803 123 4567, 08031234567
    (at home, with the trunk prefix), 00234-803-1234567, (+234) 8031234567."""
    dial = next((d for d in DIALS if phone.startswith(d)), "")
    if not dial:
        return phone
    digits = phone[len(dial) :]
    roll = rng.random()
    if roll < 0.35:
        return f"{dial} {_groups(digits)}"
    if roll < 0.65:
        national = TRUNK_PREFIX.get(dial, "") + digits
        return national if rng.random() < 0.6 else _groups(national)
    if roll < 0.85:
        return f"00{dial[1:]}-{digits[:3]}-{digits[3:]}"
    return f"({dial}) {digits}"


class DuplicateGenerator:
    """The part of `SyntheticGenerator` that registers some victims again, at other agencies.
    It draws on `self.duplicate_rng` and the agencies `SyntheticGenerator.__init__` sets up."""

    def _index_registrars(self) -> None:
        """The agencies that register persons (not the statistics offices, hotlines, or the
        agencies that only deliver services), by country, and where each town is."""
        registrars = [
            a
            for a in self.agencies
            if a.sector in REGISTRAR_SECTORS.items
            and "service" not in a.demo_roles
            and not ("analyst" in a.demo_roles and "coordinator" not in a.demo_roles)
        ]
        self.registrars: dict[str, list[AgencySpec]] = {}
        for a in registrars:
            self.registrars.setdefault(a.country, []).append(a)
        self.town_country = dict(TRANSIT_COUNTRY) | {a.city: a.country for a in self.agencies}
        self.registrar_weight = dict(
            zip(REGISTRAR_SECTORS.items, REGISTRAR_SECTORS.weights(), strict=True)
        )
        self.places_for: dict[str, list[OfferSpec]] = {}  # the shelters' and children's homes'
        for offer in self.offers:
            if offer.service_type in ("shelter", "child_protection"):
                self.places_for.setdefault(offer.agency, []).append(offer)

    def _takes_in(self, agency: AgencySpec, sex: str, age: int) -> bool:
        """Whether the agency would register this person: a shelter for women no man, a
        children's home no adult."""
        if agency.sector == "social_services" and age >= 18:
            return False
        offers = self.places_for.get(agency.name)
        if not offers:
            return True
        return any(
            (not o.sexes or sex in o.sexes)
            and (o.min_age is None or age >= o.min_age)
            and (o.max_age is None or age <= o.max_age)
            for o in offers
        )

    def _duplicates(
        self,
        victim: VictimRecord,
        nat: Nationality,
        latin: tuple[str, str],
        age: int,
        opened_at: datetime,
        route: list[str],
    ) -> list[VictimRecord]:
        """The other records of this victim: none for most."""
        rng = self.duplicate_rng
        if rng.random() >= DUPLICATE_SHARE:
            return []
        taken = {victim.owner}
        records = []
        for _ in range(EXTRA_RECORDS.pick(rng)):
            registrar = self._registrar(victim, nat, age, route, taken)
            if registrar is None:
                break
            taken.add(registrar.name)
            records.append(self._duplicate(victim, nat, latin, age, opened_at, registrar))
        return records

    def _registrar(
        self, victim: VictimRecord, nat: Nationality, age: int, route: list[str], taken: set[str]
    ) -> AgencySpec | None:
        """Another agency of the instance country, or (`FOREIGN_SHARE`) of the person's
        country or a country she passed through, the one in a town of her route first."""
        rng = self.duplicate_rng
        countries = [self.country]
        if rng.random() < FOREIGN_SHARE:
            abroad = []
            for town in route:
                country = self.town_country.get(town)
                if country and country != self.country and country not in abroad:
                    abroad.append(country)
            if nat.code != self.country and nat.code not in abroad:
                abroad.append(nat.code)
            abroad = [c for c in abroad if self.registrars.get(c)]
            if abroad:
                countries = [rng.choice(abroad), self.country]
        for country in countries:
            candidates = [
                a
                for a in self.registrars.get(country, [])
                if a.name not in taken and self._takes_in(a, victim.sex, age)
            ]
            if candidates:
                return Weighted(
                    [
                        (a, self.registrar_weight[a.sector] * (3 if a.city in route else 1))
                        for a in candidates
                    ]
                ).pick(rng)
        return None

    def _duplicate(
        self,
        victim: VictimRecord,
        nat: Nationality,
        latin: tuple[str, str],
        age: int,
        opened_at: datetime,
        registrar: AgencySpec,
    ) -> VictimRecord:
        """The record `registrar` made of this victim: the same person (sex, mostly the
        nationality, the same documents and phone when it saw them), written its way."""
        rng = self.duplicate_rng
        variants: list[str] = []
        created_at = self._registered_at(victim, nat, registrar)
        given, family = self._spelt(victim, nat, latin, registrar, variants)
        dob, est_min, est_max = self._birth(victim, age, opened_at, created_at, variants)
        doc_type, doc_number = self._document_again(victim, nat, variants)
        nationality = victim.nationality
        roll = rng.random()
        if roll < 0.05:
            nationality = ""
            variants.append(NATIONALITY_MISSING)
        elif roll < 0.09 and nationality in NEIGHBOURS:
            nationality = rng.choice(NEIGHBOURS[nationality])
            variants.append(NATIONALITY_OTHER)
        languages = victim.languages
        if rng.random() < 0.4:
            languages = languages.split(", ")[0]
        return VictimRecord(
            reference=self.refs.new("P"),
            owner=registrar.name,
            given_name=given,
            family_name=family,
            aliases=victim.aliases if victim.aliases and rng.random() < 0.3 else "",
            sex=victim.sex,
            date_of_birth=dob,
            age_estimate_min=est_min,
            age_estimate_max=est_max,
            age_disputed=False,
            nationality=nationality,
            languages=languages,
            phone=self._phone_again(victim, nat, registrar, created_at, variants),
            email=victim.email if victim.email and rng.random() < 0.3 else "",
            address="",
            document_type=doc_type,
            document_number=doc_number,
            narrative=rng.choice(REGISTRATION_NOTES[registrar.sector]),
            created_at=created_at,
            variants=tuple(variants),
        )

    def _registered_at(
        self, victim: VictimRecord, nat: Nationality, registrar: AgencySpec
    ) -> datetime:
        """Transit countries registered her on the way, weeks or months before; her own
        country once she is back; agencies here mostly after the original, some before."""
        rng = self.duplicate_rng
        start = victim.created_at
        room = max(int((self.as_of - start).total_seconds()), 0)
        if registrar.country == self.country:
            before = rng.random() < 0.35
        else:
            before = registrar.country != nat.code or room < 30 * DAY
        if before or room < HOUR:
            return start - timedelta(seconds=rng.randint(7 * DAY, 300 * DAY))
        low = 30 * DAY if registrar.country != self.country else HOUR
        return start + timedelta(seconds=rng.randint(min(low, room), min(room, 400 * DAY)))

    def _spelt(
        self,
        victim: VictimRecord,
        nat: Nationality,
        latin: tuple[str, str],
        registrar: AgencySpec,
        variants: list[str],
    ) -> tuple[str, str]:
        """The names as this agency wrote them: in its script, its spelling, with a typo
        perhaps, and in the order it understood."""
        rng = self.duplicate_rng
        given, family = latin
        in_script = victim.given_name != given or victim.family_name != family
        arabic = [ARABIC_SPELLINGS.get(n) or ARABIC.get(n) for n in latin]
        geez = [GEEZ.get(n) for n in latin]
        arabic_share = max(ARABIC_SCRIPT_AGENCIES.get(registrar.country, 0.0), nat.arabic_script)
        if all(arabic) and rng.random() < arabic_share:
            given, family = arabic
            if (given, family) != (victim.given_name, victim.family_name):
                variants.append(ARABIC_SCRIPT)
        elif all(geez) and registrar.country in ("ER", "ET") and rng.random() < 0.5:
            given, family = geez
            variants.append(GEEZ_SCRIPT)
        else:
            if in_script:
                variants.append(LATIN_SCRIPT)
            spelt = []
            for name in (given, family):
                if name in SPELLINGS and rng.random() < 0.4:
                    name = rng.choice(SPELLINGS[name])
                spelt.append(name)
            if registrar.country not in FRENCH_WRITING and rng.random() < 0.8:
                spelt = [strip_accents(name) for name in spelt]
            if [strip_accents(n) for n in spelt] != [strip_accents(n) for n in (given, family)]:
                variants.append(SPELLING)
            elif spelt != [given, family]:
                variants.append(ACCENTS)
            given, family = spelt
            if rng.random() < 0.15:
                mistyped = (
                    (typo(rng, given), family) if rng.random() < 0.5 else (given, typo(rng, family))
                )
                if mistyped != (given, family):
                    given, family = mistyped
                    variants.append(TYPO)
            if registrar.sector in ("police", "immigration") and rng.random() < 0.4:
                family = family.upper()  # police forms write the surname in capitals
        roll = rng.random()
        if roll < 0.1:
            given, family = family, given
            variants.append(ORDER_SWAPPED)
        elif roll < 0.17:
            given, family = f"{family.upper()} {given}", ""
            variants.append(ORDER_IN_GIVEN)
        return given, family

    def _birth(
        self,
        victim: VictimRecord,
        age: int,
        opened_at: datetime,
        created_at: datetime,
        variants: list[str],
    ) -> tuple[date | None, int | None, int | None]:
        """Date of birth and age estimate on this record: the same date, none, an age guessed
        at the door, 1 January of the year of birth, or a year off."""
        rng = self.duplicate_rng
        born = victim.date_of_birth
        then = created_at.date()
        if born is not None:
            age_then = years_between(born, then)
        else:
            age_then = max(age + (then - opened_at.date()).days // 365, 1)
        low = max(age_then - rng.randint(0, 2), 1)
        estimate = (None, low, low + rng.randint(1, 4))
        roll = rng.random()
        if born is not None:
            if roll < 0.45:
                return born, None, None
            if roll < 0.6:
                variants.append(DOB_ESTIMATE)
                return estimate
            if roll < 0.75 and (born.month, born.day) != (1, 1):
                variants.append(DOB_1_JANUARY)
                return date(born.year, 1, 1), None, None
            if roll < 0.87:
                variants.append(DOB_OFF_BY_YEAR)
                year = born.year + rng.choice((-1, 1))
                try:
                    return born.replace(year=year), None, None
                except ValueError:  # 29 February
                    return born.replace(year=year, day=28), None, None
            variants.append(DOB_MISSING)
            return None, None, None
        if roll < 0.2:  # the year she gave, dated 1 January as many registers do
            variants.append(DOB_1_JANUARY)
            return date(then.year - age_then, 1, 1), None, None
        if victim.age_estimate_min is None:
            return None, None, None  # unknown there too
        if roll < 0.85:
            return estimate  # estimated there too, by other eyes
        variants.append(DOB_MISSING)
        return None, None, None

    def _phone_again(
        self,
        victim: VictimRecord,
        nat: Nationality,
        registrar: AgencySpec,
        created_at: datetime,
        variants: list[str],
    ) -> str:
        """The original's number, written another way or not at all, or another number;
        never a SIM card of this country on a record made abroad before she came."""
        rng = self.duplicate_rng
        roll = rng.random()
        abroad = registrar.country != self.country and created_at < victim.created_at
        local = PHONE_LOCAL[self.country][0] if self.country in PHONE_LOCAL else None
        if not victim.phone or (abroad and local and victim.phone.startswith(local)):
            if roll < 0.15:
                variants.append(PHONE_NEW)
                return self._new_number(nat, local_sim=not abroad)
            if victim.phone:
                variants.append(PHONE_MISSING)
            return ""
        if roll < 0.3:
            variants.append(PHONE_MISSING)
            return ""
        if roll < 0.75:
            variants.append(PHONE_FORMAT)
            return reformat_phone(rng, victim.phone)
        if roll < 0.85:
            variants.append(PHONE_NEW)
            return self._new_number(nat, local_sim=not abroad)
        return victim.phone

    def _new_number(self, nat: Nationality, *, local_sim: bool) -> str:
        rng = self.duplicate_rng
        if local_sim and self.country in PHONE_LOCAL and rng.random() < 0.6:
            dial, prefixes, digits = PHONE_LOCAL[self.country]
        else:
            dial, prefixes, digits = nat.dial, nat.mobile, nat.digits
        return dial + rng.choice(prefixes) + "".join(str(rng.randint(0, 9)) for _ in range(digits))

    def _document_again(
        self, victim: VictimRecord, nat: Nationality, variants: list[str]
    ) -> tuple[str, str]:
        """The document seen by the original's agency, or none; now and then one it did not
        see (a passport handed over at the shelter)."""
        rng = self.duplicate_rng
        if victim.document_number:
            if rng.random() < 0.45:
                return victim.document_type, victim.document_number
            variants.append(DOCUMENT_MISSING)
            return "", ""
        if rng.random() < 0.08:
            variants.append(DOCUMENT_NEW)
            return "passport", pattern(rng, nat.passport)
        return "", ""
