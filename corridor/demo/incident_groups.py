"""Incidents of the synthetic data set: the places, routes and networks victims share.

An incident groups the victims found together — a boat landing, a labour inspectors' raid
on a farm, a sexual exploitation ring, children forced to beg for one "teacher" — with the
suspects, the route legs along the real routes, the places and the dated events. The
generator (`corridor.demo.incidents`) decides who belongs to which incident; this module
holds the data and the pure functions that describe an incident.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

# Country of every stop the routes pass through (origins and arrivals are known otherwise).
STOP_COUNTRY = {
    "Agadez": "NE",
    "Zinder": "NE",
    "Niamey": "NE",
    "Assamaka": "NE",
    "Sebha": "LY",
    "Tripoli": "LY",
    "Qatrun": "LY",
    "Bani Walid": "LY",
    "Zuwara": "LY",
    "Sabratha": "LY",
    "Kufra": "LY",
    "Ajdabiya": "LY",
    "Benghazi": "LY",
    "Tobruk": "LY",
    "Kano": "NG",
    "Lagos": "NG",
    "Bamako": "ML",
    "Gao": "ML",
    "Tamanrasset": "DZ",
    "Debdeb": "DZ",
    "Algiers": "DZ",
    "Maghnia": "DZ",
    "Oran": "DZ",
    "Sfax": "TN",
    "Tunis": "TN",
    "Khartoum": "SD",
    "Dongola": "SD",
    "Kassala": "SD",
    "Metema": "ET",
    "Casablanca": "MA",
    "Oujda": "MA",
    "Nador": "MA",
    "Tangier": "MA",
    "Laayoune": "EH",
    "Nouakchott": "MR",
    "Nouadhibou": "MR",
    "Mbour": "SN",
    "Saint-Louis": "SN",
    "Dakar": "SN",
    "Barra": "GM",
    "Lampedusa": "IT",
    "Pozzallo": "IT",
    "Ventimiglia": "IT",
    "Milan": "IT",
    "Almería": "ES",
    "Irun": "ES",
    "Tarifa": "ES",
    "Algeciras": "ES",
    "Madrid": "ES",
    "Canary Islands": "ES",
    "Melilla": "ES",
    "Ceuta": "ES",
}
EUROPE = {"IT", "ES", "MT", "FR", "PT", "GR", "DE", "NL", "BE", "AT", "CH", "GB", "IE"}
BY_LAND_FROM_AFRICA = {"Melilla", "Ceuta"}
# Where a smuggler is always part of the journey: the desert crossings and the sea.
SMUGGLING_HUBS = {"Agadez", "Sebha", "Kufra", "Qatrun", "Bani Walid", "Tamanrasset", "Debdeb"}

# Approximate coordinates (latitude, longitude) of the places incidents mention most.
COORDINATES = {
    "Agadez": (16.97, 7.99),
    "Sebha": (27.04, 14.43),
    "Tripoli": (32.89, 13.19),
    "Lampedusa": (35.51, 12.61),
    "Zuwara": (32.93, 12.08),
    "Sabratha": (32.79, 12.49),
    "Kano": (12.00, 8.52),
    "Zinder": (13.80, 8.99),
    "Qatrun": (24.93, 14.64),
    "Bani Walid": (31.76, 13.99),
    "Bamako": (12.64, -8.00),
    "Gao": (16.27, -0.04),
    "Niamey": (13.51, 2.11),
    "Tamanrasset": (22.79, 5.52),
    "Sfax": (34.74, 10.76),
    "Algiers": (36.75, 3.06),
    "Tunis": (36.81, 10.18),
    "Khartoum": (15.50, 32.56),
    "Dongola": (19.17, 30.48),
    "Kufra": (24.18, 23.29),
    "Benghazi": (32.12, 20.09),
    "Kassala": (15.45, 36.40),
    "Casablanca": (33.57, -7.59),
    "Maghnia": (34.85, -1.73),
    "Oujda": (34.68, -1.91),
    "Nador": (35.17, -2.93),
    "Melilla": (35.29, -2.94),
    "Tangier": (35.76, -5.83),
    "Nouakchott": (18.08, -15.98),
    "Nouadhibou": (20.94, -17.04),
    "Mbour": (14.42, -16.96),
    "Saint-Louis": (16.03, -16.49),
    "Dakar": (14.72, -17.47),
    "Lagos": (6.52, 3.38),
    "Benin City": (6.34, 5.63),
    "Pozzallo": (36.73, 14.85),
    "Palermo": (38.12, 13.36),
    "Catania": (37.50, 15.09),
    "Foggia": (41.46, 15.55),
    "Castel Volturno": (41.03, 13.94),
    "Almería": (36.84, -2.46),
    "La Restinga": (27.64, -17.98),
    "Arguineguín": (27.76, -15.68),
    "Ventimiglia": (43.79, 7.61),
    "Menton": (43.77, 7.50),
    "Accra": (5.60, -0.19),
    "Yeji": (8.22, -0.65),
    "Banjul": (13.45, -16.58),
}

MONTHS = (
    "January February March April May June July August September October November December"
).split()


def locality(stop: str) -> str:
    """'Benghazi (flight via Cairo)' -> 'Benghazi'; 'the port of Almería' stays as it is."""
    return stop.split(" (")[0].strip()[:100]


def coordinates(place: str) -> tuple[Decimal | None, Decimal | None]:
    for name, (lat, lon) in COORDINATES.items():
        if place == name or place.startswith(name + " ") or place.endswith(" " + name):
            return Decimal(f"{lat:.5f}"), Decimal(f"{lon:.5f}")
    return None, None


def mode_between(stop: str, nxt: str, from_country: str, to_country: str) -> str:
    if "flight" in stop or "flight" in nxt or "airport" in nxt.lower() or stop == "Canary Islands":
        return "air"
    if from_country not in EUROPE and to_country in EUROPE:
        return "land" if locality(nxt) in BY_LAND_FROM_AFRICA else "sea"
    return "land"


@dataclass
class PlaceRecord:
    country: str
    locality: str
    kind: str
    latitude: Decimal | None
    longitude: Decimal | None


@dataclass
class LegRecord:
    order: int
    from_country: str
    from_locality: str
    to_country: str
    to_locality: str
    mode: str
    departed_on: date | None
    arrived_on: date | None
    smuggler_involved: bool


@dataclass
class IncidentEventRecord:
    kind: str
    date: date | None
    place: int | None  # index in the incident's places
    description: str


@dataclass
class SuspectRecord:
    reference: str
    owner: str
    names: str
    aliases: str
    sex: str
    nationality: str
    network_role: str


@dataclass
class SuspectLink:
    reference: str
    suspect: SuspectRecord | None  # None: a suspect of an earlier incident, linked again
    notes: str = ""


@dataclass
class IncidentRecord:
    reference: str
    owner: str
    title: str
    summary: str
    start_date: date | None
    end_date: date | None
    forms_of_exploitation: list[str]
    means_of_control: list[str]
    recruiter_relation: str
    created_at: object
    places: list[PlaceRecord] = field(default_factory=list)
    legs: list[LegRecord] = field(default_factory=list)
    events: list[IncidentEventRecord] = field(default_factory=list)
    suspects: list[SuspectLink] = field(default_factory=list)


# What each kind of incident looks like: the form that starts one, its size, who finds it,
# how the network controls the victims and how they were recruited.
@dataclass(frozen=True)
class Kind:
    name: str
    sizes: tuple[int, int]
    finders: tuple[str, ...]
    means: tuple[str, ...]
    relations: tuple[str, ...]
    roles: tuple[str, ...]  # suspects' roles, the first always present


KINDS = {
    "smuggled": Kind(
        "boat",
        (8, 40),
        ("immigration",),
        ("DebtBondage", "PhysicalAbuse", "Threats", "RestrictsMovement", "WithholdsNecessities"),
        ("recruiter_agent", "friend", "recruiter_agent"),
        ("transporter", "organiser", "money_collector", "document_forger"),
    ),
    "forced_labour": Kind(
        "raid",
        (4, 20),
        ("labour_inspection", "labour_inspection", "police"),
        (
            "DebtBondage",
            "WithholdsDocuments",
            "ExcessiveWorkingHours",
            "TakesEarnings",
            "Threats",
            "WithholdsNecessities",
        ),
        ("recruiter_agent", "employer", "friend"),
        ("exploiter", "recruiter", "organiser", "money_collector"),
    ),
    "sexual": Kind(
        "ring",
        (3, 10),
        ("police", "police", "ngo"),
        (
            "DebtBondage",
            "Threats",
            "PsychologicalAbuse",
            "WithholdsDocuments",
            "TakesEarnings",
            "RestrictsMovement",
            "SexualAbuse",
        ),
        ("friend", "family_member", "recruiter_agent", "intimate_partner"),
        ("exploiter", "recruiter", "transporter", "money_collector"),
    ),
    "forced_begging": Kind(
        "begging",
        (3, 10),
        ("social_services", "police"),
        ("TakesEarnings", "PhysicalAbuse", "WithholdsNecessities", "Threats"),
        ("family_member", "other"),
        ("exploiter", "recruiter"),
    ),
    "forced_criminality": Kind(
        "criminality",
        (2, 5),
        ("police",),
        ("DebtBondage", "Threats", "PhysicalAbuse", "PsychoactiveSubstances"),
        ("friend", "recruiter_agent"),
        ("exploiter", "recruiter", "organiser"),
    ),
    "domestic_servitude": Kind(
        "servitude",
        (2, 3),
        ("police", "ngo"),
        ("WithholdsDocuments", "RestrictsMovement", "TakesEarnings", "ExcessiveWorkingHours"),
        ("employer", "family_member"),
        ("exploiter", "recruiter"),
    ),
}
BIG_RAID = 70  # one incident of every data set: the realistic large one

ALIASES = {
    "exploiter": ["Madam {given}", "Mama {given}", "the Boss", "'Capo' {family}", "Auntie"],
    "recruiter": ["the sponsor", "Uncle {given}", "{given} from the village", "Brother {given}"],
    "transporter": ["the Captain", "{given} the driver", "the pilot"],
    "organiser": ["the Chairman", "the Doctor", "Boss {family}", "'Il Libico'"],
    "money_collector": ["{given} Money", "the cashier"],
    "document_forger": ["the Fixer", "Papers {given}"],
}
# Names of suspects who are nationals of countries without a name list in the generator.
LOCAL_NAMES = {
    "IT": (
        "Giuseppe Salvatore Antonio Francesco Vincenzo Rosa Maria Carmela",
        "Russo Esposito Romano Greco Bianchi Colombo Ferrara Lombardo",
    ),
    "ES": (
        "José Antonio Manuel Francisco Carmen Josefa Dolores",
        "García Martínez López Sánchez Pérez",
    ),
    "FR": ("Jean Pierre Michel Philippe Nathalie Sylvie", "Martin Bernard Dubois Moreau Laurent"),
    "MT": ("Joseph Mario Carmel Rita Doris", "Borg Camilleri Vella Farrugia Zammit"),
    "LY": (
        "Mohamed Ali Khaled Abdulsalam Osama Fathi",
        "Al-Fitouri Ben Khalifa Al-Warfalli Abushagur",
    ),
    "TN": ("Mohamed Ahmed Hichem Sami Amel", "Ben Salah Trabelsi Gharbi Jebali"),
    "DZ": ("Karim Mourad Yacine Nabil", "Benali Bouzid Saidi Mansouri"),
    "MR": ("Mohamed Sidi Ahmed Cheikh", "Ould Ahmed Ould Sidi Ould Cheikh"),
}

TITLES = {
    "boat": "Boat landing at {arrival}, {month} {year}",
    "raid": "Labour inspection raid: {spot}, {month} {year}",
    "ring": "Sexual exploitation ring: {spot}, {year}",
    "begging": "Children forced to beg: {spot}, {year}",
    "criminality": "Young people forced to sell drugs: {spot}, {year}",
    "servitude": "Domestic servitude: {spot}, {year}",
}
BIG_TITLE = "Raid on {spot}: {n} workers in forced labour, {month} {year}"
SUMMARIES = {
    "boat": "A boat with about {people} people landed at {arrival}. The passengers had crossed "
    "{transit}; several said they were held and beaten until their families paid. Screened on "
    "arrival by the border police and the outreach team.",
    "raid": "Inspectors and police found {n} workers at {spot}, recruited in {origin} and brought "
    "through {transit}. Wages withheld to repay the journey, documents confiscated, twelve-hour "
    "days, housing in shacks without water.",
    "ring": "Women recruited in {origin} with promises of work in Europe, taken through {transit} "
    "and forced into prostitution at {spot} to repay a debt; an oath and threats to their "
    "families kept them silent.",
    "begging": "Children entrusted by their families to a 'teacher' were forced to beg at {spot} "
    "with a daily quota, beaten when it was not met.",
    "criminality": "Young people were forced to sell drugs at {spot} to repay a travel debt, "
    "under threat of violence.",
    "servitude": "Women worked without pay or days off in a private house ({spot}) and were not "
    "allowed to leave; their documents were kept by the employers.",
}


def month_year(day: date) -> dict:
    return {"month": MONTHS[day.month - 1], "year": day.year}


def spread_dates(rng: random.Random, start: date, end: date, n: int) -> list[date]:
    """n increasing dates from start to end (inclusive)."""
    span = max((end - start).days, n)
    cuts = sorted(rng.sample(range(1, span + 1), min(n, span)))
    return [min(start + timedelta(days=c), end) for c in cuts]
