"""The service directory of the synthetic data set: what the instance country's providers offer.

Derived from the agency catalogue alone (no random draw), so the same instance country always
lists the same offers: shelters for women, for men and for children (these take
unaccompanied children), medical care, psychosocial support, legal aid, interpretation,
documentation, family tracing, training, child protection, return and reintegration, and the
police unit's statement taking. A few are full. Contacts are organisational and invented:
phone numbers in the country's numbering plan, e-mail addresses under the reserved
`.example` domain.
"""

from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import phonenumbers

from corridor.demo.catalogue import AgencySpec, demo_agencies

# ISO 3166-2 region of the cities in the agency catalogue; other cities are listed by name.
REGION = {
    "Roma": "IT-62",
    "Latina": "IT-62",
    "Venezia": "IT-34",
    "Lampedusa": "IT-82",
    "Pozzallo": "IT-82",
    "Palermo": "IT-82",
    "Catania": "IT-82",
    "Agrigento": "IT-82",
    "Caserta": "IT-72",
    "Napoli": "IT-72",
    "Castel Volturno": "IT-72",
    "Torino": "IT-21",
    "Foggia": "IT-75",
    "Madrid": "ES-MD",
    "Las Palmas de Gran Canaria": "ES-CN",
    "Santa Cruz de Tenerife": "ES-CN",
    "Almería": "ES-AN",
    "Huelva": "ES-AN",
    "Algeciras": "ES-AN",
    "Paris": "FR-IDF",
    "Nanterre": "FR-IDF",
    "Nice": "FR-PAC",
    "Menton": "FR-PAC",
    "Marseille": "FR-PAC",
    "Abuja": "NG-FC",
    "Benin City": "NG-ED",
    "Lagos": "NG-LA",
    "Kano": "NG-KN",
    "Accra": "GH-AA",
    "Dakar": "SN-DK",
    "Bamako": "ML-BKO",
    "Niamey": "NE-8",
}
# Languages a provider works in besides the local one; interpreters cover the routes.
COMMON_LANGUAGES = ["en", "fr"]
INTERPRETED = ["en", "fr", "ar", "ti", "am", "so", "ha", "yo", "ig", "bm", "ff", "wo", "pt"]
LOCAL = {
    "IT": "it",
    "ES": "es",
    "FR": "fr",
    "MT": "mt",
    "PT": "pt",
    "DE": "de",
    "NL": "nl",
    "BE": "fr",
    "GR": "el",
    "MA": "ar",
    "DZ": "ar",
    "TN": "ar",
    "LY": "ar",
    "SD": "ar",
    "ET": "am",
    "ER": "ti",
}


@dataclass(frozen=True)
class OfferSpec:
    agency: str  # agency name
    service_type: str
    name: str
    description: str
    area_description: str = ""
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    sexes: list[str] = field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None
    accepts_unaccompanied_children: bool = False
    total_places: int | None = None
    free_places: int | None = None
    contact_phone: str = ""
    contact_email: str = ""
    contact_hours: str = ""

    @property
    def counts_places(self) -> bool:
        return self.total_places is not None

    @property
    def is_full(self) -> bool:
        return self.counts_places and not self.free_places

    def takes(self, *, sex: str, age: int | None, child: bool) -> bool:
        """Whether a person is eligible, as `referrals.services.eligibility_problems` sees it
        for a person of this sex and age (None: unknown), an unaccompanied child if `child`."""
        if sex in ("female", "male", "other") and self.sexes and sex not in self.sexes:
            return False
        if child:
            if self.min_age is not None and self.min_age >= 18:
                return False
            if not self.accepts_unaccompanied_children:
                return False
        if age is not None:
            if self.min_age is not None and age < self.min_age:
                return False
            if self.max_age is not None and age > self.max_age:
                return False
        elif not child and self.max_age is not None and self.max_age < 18:
            return False
        return True


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "provider"


def _digits(name: str, n: int) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") % (10**n)


def contact_phone(country: str, name: str) -> str:
    """A landline number valid in the country's numbering plan, the same for the same agency."""
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    if example is None:
        return ""
    national = str(example.national_number)
    suffix = str(_digits(name, 4)).zfill(4)
    candidate = copy.copy(example)  # keeps Italy's leading zero
    candidate.national_number = int(national[:-4] + suffix)
    number = candidate if phonenumbers.is_valid_number(candidate) else example
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _area(agency: AgencySpec, national: bool = False) -> tuple[list[str], str]:
    if national or not agency.city:
        return [], "Whole country"
    region = REGION.get(agency.city)
    if region:
        return [region, agency.city], f"{agency.city} and its region"
    return [agency.city], agency.city


def _languages(country: str, *extra: str) -> list[str]:
    langs = []
    for code in (LOCAL.get(country, ""), *COMMON_LANGUAGES, *extra):
        if code and code not in langs:
            langs.append(code)
    return langs


def _offer(agency: AgencySpec, service_type: str, name: str, description: str, **kw) -> OfferSpec:
    national = kw.pop("national", False)
    areas, area_description = _area(agency, national)
    slug = _slug(agency.short_name or agency.name)
    kw.setdefault("languages", _languages(agency.country))
    kw.setdefault("contact_hours", "Mon–Fri 9:00–17:00")
    return OfferSpec(
        agency=agency.name,
        service_type=service_type,
        name=name,
        description=description,
        area_description=area_description,
        areas=areas,
        contact_phone=contact_phone(agency.country, agency.name),
        contact_email=f"referrals@{slug}.example",
        **kw,
    )


def _shelter(agency: AgencySpec, kind: str, places: int, free: int, label: str = "") -> OfferSpec:
    short = agency.short_name or agency.name
    if kind == "women":
        return _offer(
            agency,
            "shelter",
            label or f"{short} – protected shelter for women",
            "Protected accommodation at a confidential address for women victims of "
            "trafficking, with their children; meals, case management, accompaniment.",
            sexes=["female"],
            min_age=18,
            total_places=places,
            free_places=free,
            contact_hours="Admissions 24/7",
        )
    if kind == "men":
        return _offer(
            agency,
            "shelter",
            label or f"{short} – shelter for men",
            "Accommodation for men victims of trafficking and labour exploitation; "
            "case management and accompaniment to services.",
            sexes=["male"],
            min_age=18,
            total_places=places,
            free_places=free,
            contact_hours="Admissions 24/7",
        )
    return _offer(
        agency,
        "shelter",
        label or f"{short} – residential care for children",
        "Residential care for unaccompanied and separated children, girls and boys, with a "
        "guardian appointed by the court; schooling and psychosocial support.",
        min_age=6,
        max_age=17,
        accepts_unaccompanied_children=True,
        total_places=places,
        free_places=free,
        contact_hours="Admissions 24/7",
    )


def offers_for(country: str, agencies: list[AgencySpec]) -> list[OfferSpec]:
    """Every offer of the instance country's providers, in a fixed order."""
    country = country.upper()
    local = [a for a in agencies if a.country == country]
    demo = demo_agencies(country, agencies)
    provider = demo.get("provider")
    investigator = demo.get("investigator")
    offers: list[OfferSpec] = []

    shelters = [a for a in local if a.sector == "shelter"]
    children = [a for a in shelters if _slug(a.name).count("minori") or "child" in _slug(a.name)]
    adults = [a for a in shelters if a not in children]
    if provider is not None and provider in adults:  # the demo shelter comes first
        adults.remove(provider)
        adults.insert(0, provider)
    kinds: list[tuple[AgencySpec, str]] = []
    for i, agency in enumerate(adults):
        kinds.append((agency, ("women", "women", "men")[i % 3]))
    kinds += [(a, "children") for a in children]
    have = {kind for _, kind in kinds}
    host = adults[0] if adults else (shelters[0] if shelters else provider)
    for kind in ("women", "men", "children"):
        if kind not in have and host is not None:
            kinds.append((host, kind))
    for n, (agency, kind) in enumerate(kinds):
        places = {"women": 12, "men": 10, "children": 8}[kind] + 2 * (n % 3)
        free = (2, 0, 3, 1, 4)[n % 5]  # the second shelter is full
        offers.append(_shelter(agency, kind, places, min(free, places)))
    if host is not None:
        offers.append(
            _offer(
                host,
                "education_livelihood",
                f"{host.short_name or host.name} – semi-autonomy flats and job coaching",
                "Second-stage flats for survivors leaving the shelter; language courses, "
                "vocational training and job coaching.",
                min_age=18,
                total_places=6,
                free_places=0,
            )
        )

    ngos = [a for a in local if a.sector == "ngo"]
    for n, agency in enumerate([a for a in ngos if "service" in a.demo_roles] or ngos[:1]):
        short = agency.short_name or agency.name
        if n % 2 == 0:
            offers.append(
                _offer(
                    agency,
                    "interpretation",
                    f"{short} – interpretation and cultural mediation",
                    "Interpreters and cultural mediators for interviews, medical visits "
                    "and hearings, in person or by phone.",
                    national=True,
                    languages=_languages(country, *INTERPRETED),
                    accepts_unaccompanied_children=True,
                    contact_hours="Mon–Sat 8:00–20:00",
                )
            )
        else:
            offers.append(
                _offer(
                    agency,
                    "education_livelihood",
                    f"{short} – vocational training and job placement",
                    "Language courses, vocational training, internships and job "
                    "placement for survivors with a residence permit.",
                    min_age=16,
                )
            )
    for agency in local:
        short = agency.short_name or agency.name
        sector = agency.sector
        if sector == "health":
            if agency.kind == "ngo":
                offers.append(
                    _offer(
                        agency,
                        "mhpss",
                        f"{short} – psychosocial support and trauma care",
                        "Individual and group psychosocial support, trauma-focused therapy, "
                        "psychiatric referral; interpreters available.",
                        accepts_unaccompanied_children=True,
                        languages=_languages(country, "ar", "ti"),
                    )
                )
            else:
                offers.append(
                    _offer(
                        agency,
                        "medical",
                        f"{short} – medical check-up and care",
                        "Free medical check-up, sexual and reproductive health, treatment and "
                        "specialist referral, whatever the person's residence status.",
                        accepts_unaccompanied_children=True,
                    )
                )
                offers.append(
                    _offer(
                        agency,
                        "mhpss",
                        f"{short} – psychological first aid",
                        "Psychological first aid and assessment by the migrant health team.",
                        accepts_unaccompanied_children=True,
                    )
                )
        elif sector == "legal_aid":
            offers.append(
                _offer(
                    agency,
                    "legal_aid",
                    f"{short} – legal advice and representation",
                    "Advice on residence permits for victims, asylum, compensation and "
                    "reporting; representation in criminal proceedings.",
                    accepts_unaccompanied_children=True,
                )
            )
        elif sector == "social_services":
            offers.append(
                _offer(
                    agency,
                    "child_protection",
                    f"{short} – guardianship and care of unaccompanied children",
                    "Appointment of a guardian, placement in care and a best-interests "
                    "assessment for unaccompanied and separated children.",
                    max_age=17,
                    accepts_unaccompanied_children=True,
                    contact_hours="On call 24/7",
                )
            )
        elif sector == "international":
            if "famil" in agency.name.lower() or "rfl" in (agency.short_name or "").lower():
                offers.append(
                    _offer(
                        agency,
                        "family_tracing",
                        f"{short} – restoring family links",
                        "Tracing of family members along the routes and in the countries of "
                        "origin; safe messages and phone calls.",
                        national=True,
                        accepts_unaccompanied_children=True,
                    )
                )
            else:
                offers.append(
                    _offer(
                        agency,
                        "return_reintegration",
                        f"{short} – assisted voluntary return and reintegration",
                        "Counselling, travel documents and travel home, and a reintegration "
                        "plan with the partner office in the country of origin.",
                        national=True,
                        languages=_languages(country, "ar", "pt"),
                        accepts_unaccompanied_children=True,
                    )
                )
        elif sector == "immigration" and "responder" not in agency.demo_roles:
            if any(o.service_type == "documentation" for o in offers):
                continue
            offers.append(
                _offer(
                    agency,
                    "documentation",
                    f"{short} – residence permits for victims of trafficking",
                    "Residence permits on grounds of protection for victims of trafficking, "
                    "and the documents they need.",
                    accepts_unaccompanied_children=True,
                )
            )
        elif investigator is not None and agency.name == investigator.name:
            offers.append(
                _offer(
                    agency,
                    "investigation",
                    f"{short} – reporting and victim-witness statements",
                    "Statements by victims who wish to report, with an interpreter and a "
                    "support person; protection measures for witnesses.",
                    contact_hours="24/7",
                )
            )
    if provider is not None and not any(o.agency == provider.name for o in offers):
        offers.append(
            _offer(
                provider,
                "shelter",
                f"{provider.short_name or provider.name} – emergency accommodation",
                "Emergency accommodation for victims of trafficking and migrants in need, "
                "women, men and families.",
                total_places=10,
                free_places=2,
                contact_hours="Admissions 24/7",
            )
        )
    if not any(o.service_type == "return_reintegration" for o in offers):
        international = next((a for a in local if a.sector == "international"), None)
        if international is not None:
            offers.append(
                _offer(
                    international,
                    "return_reintegration",
                    f"{international.short_name} – assisted voluntary return",
                    "Counselling and assisted voluntary return with reintegration support.",
                    national=True,
                    accepts_unaccompanied_children=True,
                )
            )
    names = [(o.agency, o.name) for o in offers]
    assert len(names) == len(set(names)), names  # noqa: S101 - a catalogue mistake
    return offers
