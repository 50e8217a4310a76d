"""Where the victims of the synthetic data set travel: the places people arrive at or are
found in and exploited in, by country; the transit legs from each region of origin; and
which nationalities each instance country mostly sees.
"""

from __future__ import annotations

from corridor.demo.catalogue import AgencySpec
from corridor.demo.sampling import weighted

# --- Places: where people arrive or are found, and where they are exploited ---------------

_PLACES = {
    "IT": {
        "arrival": "Lampedusa, Pozzallo, Augusta, Porto Empedocle, Reggio Calabria, Crotone, "
        "Roccella Ionica",
        "sexual": "the Domitiana road in Castel Volturno, the Ballarò district of Palermo, flats "
        "in Turin, the ring road of Padua, apartments in Catania",
        "forced_labour": "tomato fields near Foggia, farms in the Agro Pontino near Latina, "
        "greenhouses around Ragusa, citrus groves near Rosarno, vineyards in "
        "the Langhe",
        "domestic_servitude": "a private home in Rome, a family house in Milan, a flat in Naples",
        "forced_begging": "supermarket entrances in Naples, church steps in Rome, traffic "
        "lights in Bari",
        "forced_criminality": "drug dealing in the San Salvario district of Turin, drug dealing "
        "around Roma Termini, shoplifting in Milan",
        "address": "Hotspot of Contrada Imbriacola, Lampedusa; CAS reception centre, Agrigento; "
        "protected shelter (address withheld); Borgo Mezzanone settlement, Foggia; "
        "Via Domitiana, Castel Volturno (CE); SAI reception project, Caltanissetta",
    },
    "ES": {
        "arrival": "La Restinga (El Hierro), Arguineguín (Gran Canaria), Los Cristianos "
        "(Tenerife), Arrecife (Lanzarote), the port of Almería, Motril, Ceuta, Melilla",
        "sexual": "a roadside club near La Jonquera, flats in Usera (Madrid), clubs in Murcia, "
        "flats in Palma",
        "forced_labour": "greenhouses in El Ejido (Almería), strawberry fields near Lepe "
        "(Huelva), orchards in Lleida, the olive harvest in Jaén",
        "domestic_servitude": "a private home in Madrid, a family house in Barcelona",
        "forced_begging": "supermarket entrances in Madrid, the streets of Seville",
        "forced_criminality": "street drug sales in El Raval (Barcelona), pickpocketing in Madrid",
        "address": "CATE reception centre, Arguineguín; Las Raíces camp, Tenerife; protected "
        "shelter (address withheld); Red Cross reception centre, Almería",
    },
    "MT": {
        "arrival": "Ħal Far, Hay Wharf (Floriana), Marsa",
        "sexual": "massage parlours in St Julian's, flats in Paceville",
        "forced_labour": "construction sites in Msida, farms near Żebbuġ, restaurants in Sliema",
        "domestic_servitude": "a private villa in Attard",
        "forced_begging": "the streets of Valletta",
        "forced_criminality": "drug sales in Paceville",
        "address": "Ħal Far open centre; Marsa open centre; protected shelter (address withheld)",
    },
    "FR": {
        "arrival": "Menton (from Ventimiglia), Hendaye (from Irun), Paris-Charles de Gaulle "
        "airport, Briançon, Calais",
        "sexual": "the Bois de Vincennes (Paris), flats in Marseille, Gerland (Lyon), flats in "
        "Nice",
        "forced_labour": "vineyards in Champagne, farms in the Bouches-du-Rhône, construction "
        "sites in Seine-Saint-Denis, restaurant kitchens in Paris",
        "domestic_servitude": "a family house in Neuilly-sur-Seine, a flat in Paris",
        "forced_begging": "the Paris metro, the streets of Lyon",
        "forced_criminality": "forced theft and drug sales in Barbès (Paris), drug sales in "
        "Marseille",
        "address": "CADA reception centre, Nice; protected shelter (address withheld); "
        "emergency accommodation, Paris 18e",
    },
    "NG": {
        "arrival": "Murtala Muhammed International Airport (Lagos), Seme border, Benin City, "
        "Jibia border, Kano",
        "sexual": "hotels in Ikeja (Lagos), Abuja, Port Harcourt",
        "forced_labour": "quarries in Ogun State, cocoa farms in Ondo State",
        "domestic_servitude": "a home in Lekki (Lagos), a home in Abuja",
        "forced_begging": "the streets of Kano, the streets of Sokoto",
        "forced_criminality": "Lagos",
    },
    "LY": {
        "arrival": "Tripoli, Zuwara, Sabratha, Sebha, Benghazi, Kufra",
        "sexual": "a connection house in Sebha, a connection house in Tripoli",
        "forced_labour": "construction sites in Tripoli, farms near Sebha",
        "domestic_servitude": "a home in Tripoli",
        "forced_begging": "the streets of Tripoli",
        "forced_criminality": "Tripoli",
    },
    "TN": {
        "arrival": "Sfax, Tunis-Carthage airport, Ben Guerdane, Zarzis",
        "forced_labour": "olive groves near Sfax, construction sites in Tunis",
        "domestic_servitude": "a family house in La Marsa (Tunis), a home in Sousse",
        "sexual": "flats in Sousse, Tunis",
    },
    "MA": {
        "arrival": "Oujda, Nador, Tangier, Laayoune, Dakhla, Rabat",
        "forced_labour": "farms in the Souss near Agadir, construction sites in Casablanca",
        "domestic_servitude": "a home in Casablanca, a home in Rabat",
        "sexual": "Tangier, Marrakech",
        "forced_begging": "the streets of Casablanca",
    },
    "DZ": {
        "arrival": "Tamanrasset, Maghnia, In Guezzam, Oran, Algiers",
        "forced_labour": "construction sites in Algiers, farms near Adrar",
        "domestic_servitude": "a home in Algiers",
        "forced_begging": "the streets of Algiers",
        "sexual": "Tamanrasset",
    },
    "ML": {
        "arrival": "Gao, Bamako, Kayes",
        "forced_labour": "gold mines near Kéniéba",
        "sexual": "gold mining camps near Kéniéba",
        "forced_begging": "the streets of Bamako",
    },
    "NE": {
        "arrival": "Agadez, Assamaka, Niamey, Zinder",
        "forced_labour": "gold mines of the Djado plateau",
        "sexual": "Agadez",
        "forced_begging": "the streets of Niamey",
    },
    "SN": {
        "arrival": "Dakar, Saint-Louis, Mbour, Kédougou",
        "forced_labour": "gold mines near Kédougou",
        "forced_begging": "the streets of Dakar and Touba",
        "sexual": "gold mining camps near Kédougou",
    },
    "GH": {
        "arrival": "Accra, Kotoka International Airport (Accra), Yeji",
        "forced_labour": "fishing on Lake Volta",
        "forced_begging": "the streets of Accra",
    },
    "GM": {"arrival": "Banjul, Barra, Serekunda", "sexual": "the Senegambia tourist strip"},
}
PLACES = {
    cc: {
        k: [p.strip() for p in v.replace(";", ",").split(", ")]
        if k != "address"
        else [p.strip() for p in v.split(";")]
        for k, v in d.items()
    }
    for cc, d in _PLACES.items()
}

# Transit legs from each region of origin, by the region of the instance's country.
_ROUTES = {
    "central_med": {
        "wa": [
            "Kano > Agadez > Sebha > Tripoli",
            "Kano > Zinder > Agadez > Qatrun > Sebha > Bani Walid > Zuwara",
            "Agadez > Sebha > Sabratha",
        ],
        "sahel": [
            "Bamako > Gao > Agadez > Sebha > Tripoli",
            "Niamey > Agadez > Sebha > Zuwara",
            "Gao > Tamanrasset > Debdeb > Sfax",
        ],
        "senegambia": [
            "Bamako > Gao > Agadez > Sebha > Tripoli",
            "Bamako > Niamey > Agadez > Qatrun > Sabratha",
            "Bamako > Tamanrasset > Algiers > Tunis > Sfax",
        ],
        "horn": [
            "Khartoum > Dongola > Kufra > Ajdabiya > Tripoli",
            "Kassala > Khartoum > Kufra > Benghazi",
            "Khartoum > Kufra > Bani Walid > Zuwara",
        ],
        "maghreb": ["Casablanca > Benghazi (flight via Cairo) > Tobruk", "Tunis > Sfax"],
    },
    "west_med": {
        "wa": [
            "Kano > Agadez > Tamanrasset > Maghnia > Oujda > Nador",
            "Lagos > Casablanca (flight) > Tangier",
        ],
        "sahel": [
            "Bamako > Nouakchott > Nouadhibou",
            "Bamako > Gao > Tamanrasset > Maghnia > Oujda > Nador",
        ],
        "senegambia": [
            "Mbour",
            "Saint-Louis",
            "Dakar > Nouakchott > Nouadhibou",
            "Barra > Saint-Louis",
        ],
        "horn": ["Khartoum > Kufra > Tripoli > Algiers > Oujda > Nador"],
        "maghreb": ["Tangier", "Nador", "Laayoune"],
    },
    "fr": {
        "wa": [
            "Agadez > Sebha > Tripoli > Lampedusa > Ventimiglia",
            "Agadez > Tamanrasset > Oujda > Nador > Almería > Irun",
        ],
        "sahel": [
            "Gao > Tamanrasset > Oujda > Tangier > Tarifa > Irun",
            "Agadez > Sebha > Tripoli > Lampedusa > Ventimiglia",
        ],
        "senegambia": [
            "Nouadhibou > Canary Islands > Madrid > Irun",
            "Bamako > Agadez > Sebha > Tripoli > Lampedusa > Ventimiglia",
        ],
        "horn": [
            "Khartoum > Kufra > Tripoli > Lampedusa > Ventimiglia",
            "Khartoum > Kufra > Benghazi > Pozzallo > Milan > Ventimiglia",
        ],
        "maghreb": ["Tangier > Algeciras > Irun", "Algiers > Oran > Almería > Irun"],
    },
    "north_africa": {
        "wa": ["Kano > Agadez", "Kano > Zinder > Agadez > Qatrun"],
        "sahel": ["Gao", "Agadez"],
        "senegambia": ["Bamako > Gao", "Bamako > Niamey > Agadez"],
        "horn": ["Khartoum > Kufra", "Kassala > Khartoum > Dongola"],
        "maghreb": [""],
    },
    "west_africa": {
        "wa": ["", "Kano"],
        "sahel": ["", "Niamey"],
        "senegambia": ["", "Dakar"],
        "horn": ["Khartoum > Kufra > Tripoli"],
        "maghreb": [""],
    },
    "horn": {
        "wa": ["Agadez > Sebha"],
        "sahel": ["Agadez"],
        "senegambia": ["Bamako > Agadez"],
        "horn": ["", "Kassala", "Metema"],
        "maghreb": [""],
    },
}
ROUTES = {
    k: {
        r: [[leg.strip() for leg in p.split(">") if leg.strip()] for p in paths]
        for r, paths in v.items()
    }
    for k, v in _ROUTES.items()
}

INSTANCE_REGION = {
    "IT": "central_med",
    "MT": "central_med",
    "ES": "west_med",
    "FR": "fr",
    "LY": "north_africa",
    "TN": "north_africa",
    "MA": "north_africa",
    "DZ": "north_africa",
    "NG": "west_africa",
    "GH": "west_africa",
    "ML": "west_africa",
    "NE": "west_africa",
    "SN": "west_africa",
    "GM": "west_africa",
    "CI": "west_africa",
    "GN": "west_africa",
    "BF": "west_africa",
    "ER": "horn",
    "ET": "horn",
    "SD": "horn",
}

NATIONALITY_MIX = {
    "central_med": weighted(
        "NG:24 CI:8 GN:9 ML:6 GH:4 SN:4 GM:5 CM:4 BF:4 NE:2 ER:8 ET:3 SO:4 SD:7 MA:8"
    ),
    "west_med": weighted("SN:18 GM:10 ML:16 GN:10 CI:8 MA:18 NG:10 CM:4 BF:3 GH:2 NE:1"),
    "fr": weighted("NG:18 CI:12 GN:12 CM:8 ML:8 SN:6 MA:10 ER:6 SD:8 ET:3 SO:3 GM:3 BF:3"),
    "north_africa": weighted(
        "NG:14 NE:12 ML:10 CI:10 GN:10 SD:14 ER:6 ET:4 SO:4 BF:6 SN:4 GH:3 CM:3"
    ),
    "west_africa": weighted("NG:20 GH:10 ML:12 NE:12 SN:10 GM:8 CI:10 GN:8 BF:10"),
    "horn": weighted("ER:30 ET:30 SO:15 SD:25"),
}


def capital(agencies: list[AgencySpec], country: str) -> str:
    """Where to place someone when the country lists no place: its first agency's city."""
    for a in agencies:
        if a.country == country and a.city:
            return a.city
    return "the capital"
