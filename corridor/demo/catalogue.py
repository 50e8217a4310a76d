# ruff: noqa: E501  (the agency table reads best one agency to a line)
"""Agencies of the synthetic data set: the instance country and its partners along the routes.

Public bodies carry their real names (NAPTIP, NAATIP, CNLTP, OCRTEH...); shelters and other
NGOs are invented, so no real organisation appears to hold synthetic victims.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

# Columns: country | sector | kind (g government, n NGO, i international) | name | short name |
# city | tags: the demo roles it hosts when this is the instance country, and "service" for an
# agency that only delivers services (it never identifies anyone nor owns a record).
_TABLE = """
IT|anti_trafficking|g|Dipartimento per le Pari Opportunità – Coordinamento nazionale antitratta|DPO Antitratta|Roma|coordinator,admin
IT|anti_trafficking|g|Osservatorio nazionale sulla tratta – Statistiche SIRIT|SIRIT|Roma|analyst
IT|hotline|g|Numero Verde Antitratta 800 290 290|Numero Verde|Venezia|
IT|immigration|g|Polizia di Stato – Polizia di Frontiera Lampedusa|PdF Lampedusa|Lampedusa|responder
IT|immigration|g|Polizia di Stato – Polizia di Frontiera Pozzallo|PdF Pozzallo|Pozzallo|
IT|immigration|g|Questura di Palermo – Ufficio Immigrazione|Questura Palermo|Palermo|
IT|immigration|g|Questura di Caserta – Ufficio Immigrazione|Questura Caserta|Caserta|
IT|police|g|Polizia di Stato – Squadra Mobile Palermo|SM Palermo|Palermo|investigator
IT|police|g|Polizia di Stato – Squadra Mobile Caserta|SM Caserta|Caserta|
IT|police|g|Polizia di Stato – Squadra Mobile Torino|SM Torino|Torino|
IT|labour_inspection|g|Carabinieri – Nucleo Ispettorato del Lavoro Foggia|NIL Foggia|Foggia|
IT|labour_inspection|g|Ispettorato Territoriale del Lavoro di Latina|ITL Latina|Latina|
IT|prosecution|g|Procura della Repubblica di Palermo – DDA|DDA Palermo|Palermo|prosecutor
IT|prosecution|g|Procura della Repubblica di Catania – DDA|DDA Catania|Catania|
IT|prosecution|g|Procura della Repubblica di Napoli – DDA|DDA Napoli|Napoli|
IT|shelter|n|Casa Rifugio Il Faro – Progetto antitratta Sicilia|Il Faro|Palermo|provider
IT|shelter|n|Casa Rifugio Ponte di Pietra – Progetto antitratta Campania|Ponte di Pietra|Caserta|
IT|shelter|n|Casa Rifugio La Rete – Progetto antitratta Piemonte|La Rete|Torino|
IT|shelter|n|Comunità per minori Arcobaleno – Agrigento|Arcobaleno|Agrigento|
IT|ngo|n|Unità di strada antitratta – Progetto Sicilia|UdS Sicilia|Palermo|
IT|ngo|n|Cooperativa Lingue Ponte – Mediazione culturale|Lingue Ponte|Catania|service
IT|ngo|n|Nuovi Orizzonti – Formazione e inserimento lavorativo|Nuovi Orizzonti|Palermo|service
IT|health|g|ASP Palermo – Ambulatorio salute migranti|ASP Palermo|Palermo|
IT|health|n|Centro psicosociale Approdi – Catania|Approdi|Catania|
IT|legal_aid|n|Sportello legale antitratta – Palermo|Sportello legale|Palermo|
IT|social_services|g|Comune di Palermo – Servizio minori stranieri non accompagnati|Comune PA MSNA|Palermo|
IT|social_services|g|Comune di Castel Volturno – Servizi sociali|Servizi sociali CV|Castel Volturno|
IT|international|i|OIM Italia – Ritorno volontario assistito e reintegrazione|OIM Italia|Roma|
IT|international|n|Croce Rossa Italiana – Ricerca familiari (RFL)|CRI RFL|Roma|service
ES|anti_trafficking|g|Relatoría Nacional contra la Trata de Seres Humanos|Relatoría|Madrid|coordinator,admin
ES|anti_trafficking|g|CITCO – Estadística de trata y explotación|CITCO|Madrid|analyst
ES|immigration|g|Policía Nacional – UCRIF Canarias|UCRIF Canarias|Las Palmas de Gran Canaria|responder
ES|immigration|g|Policía Nacional – UCRIF Almería|UCRIF Almería|Almería|
ES|police|g|Policía Nacional – UCRIF Central, Brigada contra la trata|UCRIF Central|Madrid|investigator
ES|police|g|Guardia Civil – Equipo contra la trata de Huelva|GC Huelva|Huelva|
ES|labour_inspection|g|Inspección de Trabajo y Seguridad Social – Almería|ITSS Almería|Almería|
ES|labour_inspection|g|Inspección de Trabajo y Seguridad Social – Huelva|ITSS Huelva|Huelva|
ES|prosecution|g|Fiscalía Provincial de Las Palmas – Sección de Extranjería|Fiscalía Las Palmas|Las Palmas de Gran Canaria|prosecutor
ES|prosecution|g|Fiscalía Provincial de Almería – Sección de Extranjería|Fiscalía Almería|Almería|
ES|shelter|n|Casa de acogida Puerto Seguro – Gran Canaria|Puerto Seguro|Las Palmas de Gran Canaria|provider
ES|shelter|n|Casa de acogida Alba – Madrid|Alba|Madrid|
ES|social_services|g|Dirección General de Protección a la Infancia y la Familia – Canarias|DGPIF Canarias|Santa Cruz de Tenerife|
ES|health|g|Servicio Canario de la Salud – Atención a migrantes|SCS Migrantes|Las Palmas de Gran Canaria|
ES|ngo|n|Asociación Mediadores del Estrecho – Interpretación y acompañamiento|Mediadores|Algeciras|service
ES|legal_aid|g|Colegio de la Abogacía de Las Palmas – Turno de extranjería|Turno extranjería|Las Palmas de Gran Canaria|
ES|international|i|OIM España – Retorno voluntario|OIM España|Madrid|
MT|anti_trafficking|g|Anti-Human Trafficking Monitoring Committee|AHTMC|Valletta|coordinator,admin
MT|anti_trafficking|g|National Statistics Office – Trafficking data|NSO Malta|Valletta|analyst
MT|immigration|g|Malta Police Force – Immigration Police, Ħal Far|Immigration Police|Ħal Far|responder
MT|police|g|Malta Police Force – Anti-Human Trafficking Unit|AHTU Malta|Floriana|investigator
MT|labour_inspection|g|Department for Industrial and Employment Relations|DIER|Valletta|
MT|prosecution|g|Office of the Attorney General (Malta)|AG Malta|Valletta|prosecutor
MT|social_services|g|Foundation for Social Welfare Services – Appoġġ|FSWS|Santa Venera|
MT|shelter|n|Dar il-Wens Shelter|Dar il-Wens|Birkirkara|provider
MT|health|g|Migrant Health Liaison Office|MHLO|Floriana|
MT|legal_aid|n|Legal Clinic for Migrants – Valletta|Legal Clinic|Valletta|
MT|international|i|IOM Malta|IOM Malta|Valletta|
FR|anti_trafficking|g|MIPROF – Mission interministérielle de lutte contre la traite des êtres humains|MIPROF|Paris|coordinator,admin
FR|anti_trafficking|g|SSMSI – Service statistique ministériel de la sécurité intérieure|SSMSI|Paris|analyst
FR|immigration|g|Police aux frontières – DDPAF Alpes-Maritimes (Menton)|PAF Menton|Menton|responder
FR|police|g|OCRTEH – Office central pour la répression de la traite des êtres humains|OCRTEH|Nanterre|investigator
FR|labour_inspection|g|DREETS Provence-Alpes-Côte d'Azur – Inspection du travail|DREETS PACA|Marseille|
FR|prosecution|g|Parquet de Paris – JUNALCO|JUNALCO|Paris|prosecutor
FR|shelter|n|Maison d'accueil Les Glycines – Nice|Les Glycines|Nice|provider
FR|social_services|g|Aide sociale à l'enfance de Paris|ASE Paris|Paris|
FR|health|g|PASS – Permanence d'accès aux soins de santé, Marseille|PASS Marseille|Marseille|
FR|legal_aid|n|Permanence juridique victimes de la traite – Paris|Permanence juridique|Paris|
FR|international|g|OFII – Aide au retour et à la réinsertion|OFII|Paris|
NG|anti_trafficking|g|NAPTIP – National Agency for the Prohibition of Trafficking in Persons (Headquarters)|NAPTIP|Abuja|coordinator,admin
NG|anti_trafficking|g|NAPTIP – Research and Data Unit|NAPTIP Data|Abuja|analyst
NG|anti_trafficking|g|NAPTIP Benin Zonal Command|NAPTIP Benin|Benin City|investigator
NG|anti_trafficking|g|NAPTIP Lagos Zonal Command|NAPTIP Lagos|Lagos|
NG|anti_trafficking|g|NAPTIP Kano Zonal Command|NAPTIP Kano|Kano|
NG|anti_trafficking|g|NAPTIP Enugu Zonal Command|NAPTIP Enugu|Enugu|
NG|anti_trafficking|g|NAPTIP Uyo Zonal Command|NAPTIP Uyo|Uyo|
NG|anti_trafficking|g|NAPTIP Sokoto Zonal Command|NAPTIP Sokoto|Sokoto|
NG|anti_trafficking|g|NAPTIP Makurdi Zonal Command|NAPTIP Makurdi|Makurdi|
NG|anti_trafficking|g|NAPTIP Maiduguri Zonal Command|NAPTIP Maiduguri|Maiduguri|
NG|anti_trafficking|g|NAPTIP Osogbo Zonal Command|NAPTIP Osogbo|Osogbo|
NG|anti_trafficking|g|Edo State Task Force Against Human Trafficking|ETAHT|Benin City|
NG|immigration|g|Nigeria Immigration Service – Seme Border Command|NIS Seme|Seme|responder
NG|immigration|g|Nigeria Immigration Service – Murtala Muhammed International Airport|NIS Lagos Airport|Lagos|
NG|police|g|Nigeria Police Force – Anti-Human Trafficking Unit, Edo State Command|NPF Edo AHTU|Benin City|
NG|police|g|EFCC – Economic and Financial Crimes Commission|EFCC|Abuja|
NG|prosecution|g|NAPTIP – Legal and Prosecution Department|NAPTIP Prosecution|Abuja|prosecutor
NG|labour_inspection|g|Federal Ministry of Labour and Employment – Inspectorate|FMLE Inspectorate|Abuja|
NG|social_services|g|Federal Ministry of Women Affairs – Child Protection|FMWA|Abuja|
NG|shelter|g|NAPTIP Shelter Benin City|NAPTIP Shelter Benin|Benin City|provider
NG|shelter|n|Survivors' Care Centre – Benin City|Survivors' Care|Benin City|
NG|health|g|University of Benin Teaching Hospital – Psychosocial Unit|UBTH Psychosocial|Benin City|
NG|legal_aid|g|Legal Aid Council of Nigeria – Edo State Office|LACON Edo|Benin City|
NG|international|i|IOM Nigeria – Lagos (return and reintegration)|IOM Lagos|Lagos|
NG|international|i|IOM Nigeria – Benin City Migrant Resource Centre|IOM Benin City|Benin City|
GH|anti_trafficking|g|Human Trafficking Secretariat – Ministry of Gender, Children and Social Protection|HTS Ghana|Accra|coordinator,admin,analyst
GH|police|g|Ghana Police Service – Anti-Human Trafficking Unit|AHTU Ghana|Accra|investigator
GH|immigration|g|Ghana Immigration Service – Anti-Human Smuggling and Trafficking Unit|GIS AHSTU|Accra|responder
GH|labour_inspection|g|Labour Department – Accra|Labour Dept|Accra|
GH|social_services|g|Department of Social Welfare – Accra|DSW Ghana|Accra|
GH|shelter|g|Government Shelter for Victims of Trafficking – Accra|HTS Shelter|Accra|provider
GH|ngo|n|Volta Lake Child Rescue Network|VLCRN|Yeji|
GH|prosecution|g|Office of the Attorney-General – Accra|AG Ghana|Accra|prosecutor
GH|international|i|IOM Ghana – Accra|IOM Ghana|Accra|
ML|anti_trafficking|g|Comité national de coordination de la lutte contre la traite des personnes (Mali)|CNCLTP Mali|Bamako|coordinator,admin,analyst
ML|police|g|Police nationale – Brigade des mœurs et de la protection des mineurs, Bamako|BMPM Bamako|Bamako|investigator
ML|immigration|g|Direction générale de la police des frontières – Poste de Gao|DGPF Gao|Gao|responder
ML|labour_inspection|g|Direction nationale du travail – Inspection de Kayes|Inspection Kayes|Kayes|
ML|social_services|g|Direction nationale de la promotion de l'enfant et de la famille|DNPEF|Bamako|
ML|shelter|n|Maison d'accueil des migrants – Gao|Maison Gao|Gao|provider
ML|prosecution|g|Pôle judiciaire spécialisé de Bamako|PJS Bamako|Bamako|prosecutor
ML|international|i|OIM Mali – Bamako|OIM Mali|Bamako|
NE|anti_trafficking|g|ANLTP/TIM – Agence nationale de lutte contre la traite des personnes et le trafic illicite de migrants|ANLTP/TIM|Niamey|coordinator,admin,analyst
NE|police|g|Direction de la surveillance du territoire – Agadez|DST Agadez|Agadez|investigator
NE|immigration|g|Direction de la surveillance du territoire – Poste frontière d'Assamaka|DST Assamaka|Assamaka|responder
NE|labour_inspection|g|Inspection du travail de Niamey|Inspection Niamey|Niamey|
NE|social_services|g|Direction régionale de la protection de l'enfant – Zinder|DRPE Zinder|Zinder|
NE|shelter|n|Centre d'accueil pour femmes et enfants – Niamey|CAFE Niamey|Niamey|provider
NE|prosecution|g|Pôle judiciaire spécialisé – Niamey|PJS Niamey|Niamey|prosecutor
NE|international|i|OIM Niger – Centre de transit d'Agadez|OIM Agadez|Agadez|
SN|anti_trafficking|g|CNLTP – Cellule nationale de lutte contre la traite des personnes|CNLTP|Dakar|coordinator,admin,analyst
SN|police|g|Division nationale de lutte contre le trafic de migrants|DNLT|Dakar|investigator
SN|immigration|g|Direction de la police de l'air et des frontières – Saint-Louis|DPAF Saint-Louis|Saint-Louis|responder
SN|labour_inspection|g|Inspection régionale du travail de Kédougou|IRT Kédougou|Kédougou|
SN|social_services|g|Direction des droits et de la protection de l'enfance|DDPE|Dakar|
SN|shelter|g|Centre Ginddi – Centre polyvalent pour enfants en difficulté|Centre Ginddi|Dakar|provider
SN|legal_aid|n|Boutique de droit – Juristes solidaires de Pikine|Boutique de droit|Pikine|
SN|prosecution|g|Parquet du tribunal de grande instance de Dakar|Parquet Dakar|Dakar|prosecutor
SN|international|i|OIM Sénégal – Dakar|OIM Sénégal|Dakar|
GM|anti_trafficking|g|NAATIP – National Agency Against Trafficking in Persons|NAATIP|Banjul|coordinator,admin,analyst
GM|police|g|Gambia Police Force – Child Welfare Unit|GPF CWU|Banjul|investigator
GM|immigration|g|Gambia Immigration Department – Barra Post|GID Barra|Barra|responder
GM|labour_inspection|g|Department of Labour – Banjul|Labour Banjul|Banjul|
GM|shelter|g|Department of Social Welfare – Bakoteh Shelter|Bakoteh Shelter|Bakoteh|provider
GM|prosecution|g|Attorney General's Chambers – Banjul|AGC Gambia|Banjul|prosecutor
GM|international|i|IOM The Gambia – Banjul|IOM Gambia|Banjul|
CI|anti_trafficking|g|Comité national de lutte contre la traite des personnes (Côte d'Ivoire)|CNLTP CI|Abidjan|coordinator,admin,analyst
CI|police|g|Sous-direction de la lutte contre la traite des enfants et la délinquance juvénile|SDLTEDJ|Abidjan|investigator
CI|immigration|g|Direction de la surveillance du territoire – Aéroport d'Abidjan|DST Abidjan|Abidjan|responder
CI|labour_inspection|g|Inspection du travail de Soubré|Inspection Soubré|Soubré|
CI|social_services|g|Complexe socio-éducatif de Soubré|CSE Soubré|Soubré|provider
CI|prosecution|g|Parquet du tribunal de première instance d'Abidjan-Plateau|Parquet Abidjan|Abidjan|prosecutor
CI|international|i|OIM Côte d'Ivoire – Daloa|OIM Daloa|Daloa|
GN|anti_trafficking|g|CNLTPPA – Comité national de lutte contre la traite des personnes et pratiques assimilées|CNLTPPA|Conakry|coordinator,admin,analyst
GN|police|g|OPROGEM – Office de protection du genre, de l'enfance et des mœurs|OPROGEM|Conakry|investigator
GN|immigration|g|Police de l'air et des frontières – Aéroport de Conakry|PAF Conakry|Conakry|responder
GN|social_services|g|Direction nationale de l'enfance – Conakry|DNE Guinée|Conakry|provider
GN|prosecution|g|Parquet du tribunal de première instance de Dixinn|Parquet Dixinn|Conakry|prosecutor
GN|international|i|OIM Guinée – Conakry|OIM Guinée|Conakry|
BF|anti_trafficking|g|Comité national de vigilance et de surveillance contre la traite des personnes|CNVS|Ouagadougou|coordinator,admin,analyst
BF|police|g|Police nationale – Brigade de protection des mineurs, Ouagadougou|BPM Ouagadougou|Ouagadougou|investigator
BF|immigration|g|Direction de la police des frontières – Poste de Niangoloko|DPF Niangoloko|Niangoloko|responder
BF|labour_inspection|g|Inspection du travail de Bobo-Dioulasso|Inspection Bobo|Bobo-Dioulasso|
BF|social_services|g|Direction de la protection de l'enfant – Bobo-Dioulasso|DPE Bobo|Bobo-Dioulasso|provider
BF|international|i|OIM Burkina Faso – Ouagadougou|OIM Burkina|Ouagadougou|
ER|police|g|Eritrean Police – Asmara|Police Asmara|Asmara|
ER|social_services|g|Ministry of Labour and Human Welfare – Asmara|MoLHW|Asmara|
ET|anti_trafficking|g|National Partnership Coalition against Trafficking – Secretariat|NPC Secretariat|Addis Ababa|coordinator,admin,analyst
ET|police|g|Federal Police – Human Trafficking and Smuggling Investigation Unit|FPC HTSIU|Addis Ababa|investigator
ET|immigration|g|Immigration and Citizenship Service – Metema Border Post|ICS Metema|Metema|responder
ET|labour_inspection|g|Ministry of Labour and Skills – Overseas Employment Inspection|MoLS|Addis Ababa|
ET|shelter|n|Addis Ababa Shelter for Returnee Women|Returnee Shelter|Addis Ababa|provider
ET|international|i|IOM Ethiopia – Migration Response Centre Metema|IOM MRC Metema|Metema|
SD|anti_trafficking|g|National Committee to Combat Human Trafficking (Sudan)|NCCT|Port Sudan|coordinator,admin,analyst
SD|police|g|Sudan Police – Anti-Human Trafficking Unit, Kassala|AHTU Kassala|Kassala|investigator
SD|immigration|g|Passports and Immigration Directorate – Port Sudan|Immigration Port Sudan|Port Sudan|responder
SD|social_services|g|Ministry of Social Development – Kassala|MSD Kassala|Kassala|provider
SD|international|i|IOM Sudan – Port Sudan|IOM Sudan|Port Sudan|
LY|immigration|g|Directorate for Combating Illegal Migration – Tripoli|DCIM Tripoli|Tripoli|responder
LY|immigration|g|Libyan Coast Guard – Zuwara Sector|LCG Zuwara|Zuwara|
LY|police|g|Criminal Investigation Department – Tripoli|CID Tripoli|Tripoli|investigator
LY|prosecution|g|Office of the Attorney General – Tripoli|AG Libya|Tripoli|prosecutor
LY|international|i|IOM Libya – Voluntary Humanitarian Return, Tripoli|IOM Libya|Tripoli|provider
TN|anti_trafficking|g|INLTP – Instance nationale de lutte contre la traite des personnes|INLTP|Tunis|coordinator,admin,analyst
TN|police|g|Garde nationale – District de Sfax|GN Sfax|Sfax|investigator,responder
TN|labour_inspection|g|Inspection du travail de Sfax|Inspection Sfax|Sfax|
TN|social_services|g|Délégué à la protection de l'enfance – Sfax|DPE Sfax|Sfax|
TN|shelter|n|Centre d'accueil pour femmes migrantes – Sfax|CAFM Sfax|Sfax|provider
TN|prosecution|g|Parquet du tribunal de première instance de Tunis|Parquet Tunis|Tunis|prosecutor
TN|international|i|OIM Tunisie – Tunis|OIM Tunisie|Tunis|
MA|anti_trafficking|g|Commission nationale de lutte contre la traite des êtres humains (Maroc)|CNLTEH|Rabat|coordinator,admin,analyst
MA|police|g|DGSN – Brigade nationale de la police judiciaire|BNPJ|Casablanca|investigator
MA|immigration|g|Direction de la migration et de la surveillance des frontières – Oujda|DMSF Oujda|Oujda|responder
MA|labour_inspection|g|Inspection du travail – Casablanca|Inspection Casablanca|Casablanca|
MA|social_services|g|Entraide nationale – Tanger|Entraide Tanger|Tanger|
MA|shelter|n|Maison d'accueil pour migrants – Oujda|MAM Oujda|Oujda|provider
MA|prosecution|g|Parquet général près la Cour d'appel de Rabat|PG Rabat|Rabat|prosecutor
MA|international|i|OIM Maroc – Rabat|OIM Maroc|Rabat|
DZ|anti_trafficking|g|Comité national de prévention et de lutte contre la traite des personnes (Algérie)|CNPLTP|Alger|coordinator,admin,analyst
DZ|police|g|DGSN – Police judiciaire, Tamanrasset|PJ Tamanrasset|Tamanrasset|investigator
DZ|immigration|g|Gendarmerie nationale – Groupement de Tamanrasset|GN Tamanrasset|Tamanrasset|responder
DZ|health|n|Croissant-Rouge algérien – Tamanrasset|CRA Tamanrasset|Tamanrasset|provider
DZ|international|i|OIM Algérie – Alger|OIM Algérie|Alger|
"""

DEMO_ROLES = (
    "responder",
    "coordinator",
    "provider",
    "investigator",
    "prosecutor",
    "analyst",
    "admin",
)

# The sectors an instance needs for identification and for every service it refers to.
NEEDED_SECTORS = (
    "anti_trafficking",
    "police",
    "immigration",
    "labour_inspection",
    "social_services",
    "shelter",
    "health",
    "legal_aid",
    "ngo",
    "international",
    "prosecution",
)

_GENERIC_NAMES = {
    "anti_trafficking": ("National anti-trafficking coordination office", "NRM office"),
    "police": ("National police – anti-trafficking unit", "Police AHTU"),
    "immigration": ("Border and immigration service", "Border service"),
    "labour_inspection": ("Labour inspectorate", "Labour inspectorate"),
    "social_services": ("Social services and child protection", "Social services"),
    "shelter": ("Shelter for victims of trafficking", "Shelter"),
    "health": ("Health service – migrant care", "Health service"),
    "legal_aid": ("Legal aid service", "Legal aid"),
    "ngo": ("Outreach and interpretation NGO", "Outreach NGO"),
    "international": ("IOM country office", "IOM"),
    "prosecution": ("Public prosecutor's office", "Prosecutor"),
}
_GENERIC_KIND = {
    "shelter": "ngo",
    "ngo": "ngo",
    "legal_aid": "ngo",
    "international": "international",
}
_FALLBACK_ROLE_SECTORS = {
    "responder": ("immigration", "police"),
    "coordinator": ("anti_trafficking",),
    "admin": ("anti_trafficking",),
    "analyst": ("anti_trafficking",),
    "provider": ("shelter", "social_services", "ngo", "international", "health"),
    "investigator": ("police", "anti_trafficking"),
    "prosecutor": ("prosecution", "police"),
}
KINDS = {"g": "government", "n": "ngo", "i": "international"}


@dataclass(frozen=True)
class AgencySpec:
    name: str
    short_name: str
    country: str
    sector: str
    kind: str
    city: str
    demo_roles: tuple[str, ...] = ()


def _parse() -> list[AgencySpec]:
    specs = []
    for line in _TABLE.strip().splitlines():
        country, sector, kind, name, short, city, roles = line.split("|")
        specs.append(
            AgencySpec(
                name,
                short,
                country,
                sector,
                KINDS[kind],
                city,
                tuple(r for r in roles.split(",") if r),
            )
        )
    return specs


AGENCIES: list[AgencySpec] = _parse()
PARTNER_COUNTRIES = (
    "NG",
    "GH",
    "ML",
    "NE",
    "SN",
    "GM",
    "CI",
    "GN",
    "BF",
    "ER",
    "ET",
    "SD",
    "LY",
    "TN",
    "MA",
    "DZ",
    "ES",
    "MT",
    "FR",
    "IT",
)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or country.name


def catalogue(instance_country: str) -> list[AgencySpec]:
    """Every agency of the data set: the partners, and an instance country with all sectors."""
    instance_country = instance_country.upper()
    specs = [a for a in AGENCIES if a.country in PARTNER_COUNTRIES or a.country == instance_country]
    have = {a.sector for a in specs if a.country == instance_country}
    name = country_name(instance_country)
    for sector in NEEDED_SECTORS:
        if sector not in have:
            long, short = _GENERIC_NAMES[sector]
            specs.append(
                AgencySpec(
                    f"{long} ({name})",
                    f"{short} {instance_country}",
                    instance_country,
                    sector,
                    _GENERIC_KIND.get(sector, "government"),
                    "",
                )
            )
    return specs


def demo_agencies(
    instance_country: str, specs: list[AgencySpec] | None = None
) -> dict[str, AgencySpec]:
    """The agency each demo account belongs to on an instance of this country."""
    instance_country = instance_country.upper()
    local = [a for a in (specs or catalogue(instance_country)) if a.country == instance_country]
    chosen = {}
    for role in DEMO_ROLES:
        tagged = [a for a in local if role in a.demo_roles]
        if tagged:
            chosen[role] = tagged[0]
            continue
        for sector in _FALLBACK_ROLE_SECTORS[role]:
            match = [a for a in local if a.sector == sector]
            if match:
                chosen[role] = match[0]
                break
    return chosen
