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
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from corridor.cases.models import reflection_days
from corridor.core.references import ALPHABET
from corridor.demo.answers import (
    NOTHING,
    POSSIBLE,
    PRESUMED,
    SMUGGLED,
    CatalogueSpec,
    answers_for,
    list_for,
    score,
    shipped_catalogues,
)
from corridor.demo.catalogue import AgencySpec, catalogue, demo_agencies
from corridor.demo.directory import OfferSpec, offers_for
from corridor.demo.incident_groups import (
    ALIASES,
    BIG_RAID,
    BIG_TITLE,
    KINDS,
    LOCAL_NAMES,
    SMUGGLING_HUBS,
    STOP_COUNTRY,
    SUMMARIES,
    TITLES,
    IncidentEventRecord,
    IncidentRecord,
    Kind,
    LegRecord,
    PlaceRecord,
    SuspectLink,
    SuspectRecord,
    coordinates,
    locality,
    mode_between,
    month_year,
    spread_dates,
)

CASE_STATUSES = (
    "identified",
    "presumed_victim",
    "referred",
    "assisted",
    "long_term_support",
    "return_reintegration",
    "local_integration",
    "closed",
)
REFERRAL_STATUSES = ("sent", "accepted", "declined", "in_progress", "completed", "withdrawn")
HOUR = 3600
DAY = 24 * HOUR


class Weighted:
    """A weighted choice drawn with one `rng.random()` call (cumulative weights, bisect)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.items = [item for item, _ in pairs]
        self.cum, total = [], 0.0
        for _, weight in pairs:
            total += weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[
            min(bisect.bisect_right(self.cum, rng.random() * self.total), len(self.items) - 1)
        ]


def _w(spec: str) -> Weighted:
    """'a:3 b:1' -> Weighted([('a', 3), ('b', 1)])."""
    return Weighted([(k, float(v)) for k, v in (part.split(":") for part in spec.split())])


def _words(text: str) -> list[str]:
    return text.split()


# --- Nationalities: names, places of origin, languages, phones, documents ------------------


@dataclass(frozen=True)
class NameGroup:
    weight: float
    male: list[str]
    female: list[str]
    family: list[str]
    cities: list[str]
    languages: list[str]  # ISO 639-1, most spoken first


@dataclass(frozen=True)
class Nationality:
    code: str
    region: str  # wa (Gulf of Guinea), sahel, senegambia, horn, maghreb
    groups: list[NameGroup]
    dial: str
    mobile: list[str]  # national mobile prefixes
    digits: int  # subscriber digits after the prefix
    passport: str  # pattern: @ a letter, # a digit, other characters literal
    national_id: str
    profiles: Weighted
    arabic_script: float = 0.0  # share whose names are recorded in Arabic script


def _g(weight, male, female, family, cities, languages) -> NameGroup:
    return NameGroup(
        weight, _words(male), _words(female), _words(family), cities.split(", "), _words(languages)
    )


_NG_WOMEN = "Blessing Joy Precious Favour Mercy Gift Faith Patience Princess Success Peace Glory"
NATIONALITIES: dict[str, Nationality] = {
    n.code: n
    for n in [
        Nationality(
            "NG",
            "wa",
            [
                _g(
                    55,
                    "Osagie Osaro Osas Efosa Eghosa Omoruyi Nosa Osahon Ehis Idemudia Godwin Friday",
                    "Osarugue Efe Ese Osasere Eki Ivie Adesuwa Itohan Omosede Ewere Isoken "
                    + _NG_WOMEN,
                    "Igbinedion Omoruyi Aigbe Obasogie Ehigiator Iyamu Osagie Ogbebor Uwaifo Edobor "
                    "Ekhator Osayande Idahosa Aghedo Erhabor Okungbowa",
                    "Benin City, Uromi, Ekpoma, Auchi, Irrua, Sabongida-Ora",
                    "en",
                ),
                _g(
                    20,
                    "Chidi Emeka Chukwuemeka Obinna Ikenna Uchenna Nnamdi Kelechi",
                    "Ngozi Chinwe Nkechi Chioma Adaeze Ifeoma Amarachi Chiamaka " + _NG_WOMEN,
                    "Okafor Eze Okonkwo Nwosu Okeke Obi Nwachukwu Onyeka Chukwu Anozie",
                    "Enugu, Onitsha, Owerri, Aba, Nsukka",
                    "en ig",
                ),
                _g(
                    15,
                    "Adebayo Oluwaseun Adewale Tunde Femi Segun Kayode Olumide",
                    "Folake Bukola Funmilayo Yetunde Adeola Kemi Titilayo Omolara Abosede "
                    + _NG_WOMEN,
                    "Adeyemi Ogunleye Oyelaran Adeleke Afolabi Olawale Balogun Akinola Ogundipe",
                    "Lagos, Ibadan, Abeokuta, Osogbo, Ogbomosho",
                    "en yo",
                ),
                _g(
                    10,
                    "Musa Abubakar Usman Sani Ibrahim Aliyu Yakubu Bashir",
                    "Hauwa Zainab Aisha Fatima Hadiza Maryam Amina Rabi",
                    "Bello Abdullahi Musa Yusuf Garba Lawal Danjuma Sule",
                    "Kano, Katsina, Sokoto, Kaduna, Zaria",
                    "ha en",
                ),
            ],
            "+234",
            ["803", "806", "813", "816", "703", "706", "810", "814", "902", "905", "708"],
            7,
            "A########",
            "###########",
            _w(
                "sexual:55 forced_labour:10 domestic_servitude:8 forced_begging:5 "
                "forced_criminality:4 smuggled:8 forced_marriage:3"
            ),
        ),
        Nationality(
            "GH",
            "wa",
            [
                _g(
                    1,
                    "Kwame Kofi Kwabena Yaw Kwaku Kojo Kwesi Kobby Ebo Emmanuel Isaac Abdul-Rashid",
                    "Ama Akosua Abena Adwoa Efua Akua Yaa Afua Esi Gifty Comfort Mercy",
                    "Mensah Owusu Asante Boateng Osei Appiah Addo Agyeman Darko Amoah Quaye Tetteh Adjei",
                    "Techiman, Sunyani, Nkoranza, Kumasi, Accra, Tamale, Yeji",
                    "en ak",
                ),
            ],
            "+233",
            ["24", "54", "55", "20", "50", "27", "57"],
            7,
            "G#######",
            "GHA-#########-#",
            _w(
                "forced_labour:35 sexual:15 domestic_servitude:10 smuggled:15 forced_begging:5 "
                "forced_criminality:5"
            ),
        ),
        Nationality(
            "CI",
            "wa",
            [
                _g(
                    1,
                    "Kouassi Koffi Yao Konan Aboubacar Souleymane Drissa Bakary Seydou Adama",
                    "Aya Affoué Adjoua Amenan Mariam Awa Fatoumata Salimata Aminata Ange",
                    "Kouamé Konan Koné Ouattara Traoré Coulibaly Bamba Diabaté N'Guessan Kouadio Touré "
                    "Doumbia",
                    "Daloa, Abidjan, Bouaké, Soubré, San-Pédro, Man, Korhogo",
                    "fr bm",
                ),
            ],
            "+225",
            ["07", "05", "01"],
            8,
            "##@@#####",
            "CI#########",
            _w("sexual:25 domestic_servitude:20 forced_labour:20 smuggled:15 forced_begging:5"),
        ),
        Nationality(
            "GN",
            "senegambia",
            [
                _g(
                    1,
                    "Mamadou Alpha Ibrahima Amadou Ousmane Thierno Sekou Abdoulaye Lansana Mohamed",
                    "Mariama Fatoumata Kadiatou Aissatou Hawa Aminata Djenabou Mabinty Fanta Binta",
                    "Diallo Bah Barry Sow Camara Condé Keita Soumah Sylla Touré Balde Kourouma",
                    "Conakry, Labé, Kankan, Mamou, Kindia, Siguiri",
                    "fr ff",
                ),
            ],
            "+224",
            ["62", "66", "65", "61"],
            7,
            "R#######",
            "############",
            _w(
                "forced_labour:25 sexual:15 domestic_servitude:10 smuggled:18 forced_begging:10 "
                "forced_marriage:5"
            ),
        ),
        Nationality(
            "ML",
            "sahel",
            [
                _g(
                    1,
                    "Moussa Boubacar Mamadou Seydou Bakary Oumar Amadou Modibo Drissa Souleymane Adama "
                    "Lassana",
                    "Aminata Fatoumata Kadiatou Oumou Mariam Awa Rokia Assitan Djeneba Salimata",
                    "Traoré Keïta Coulibaly Diarra Konaté Sissoko Dembélé Touré Camara Sangaré Diakité "
                    "Doumbia Kanté Maïga Cissé",
                    "Kayes, Bamako, Ségou, Sikasso, Mopti, Gao, Nioro du Sahel, Kita",
                    "bm fr ff",
                ),
            ],
            "+223",
            ["7", "6"],
            7,
            "B@#######",
            "#########",
            _w("forced_labour:45 forced_begging:10 smuggled:18 domestic_servitude:5 sexual:5"),
        ),
        Nationality(
            "SN",
            "senegambia",
            [
                _g(
                    1,
                    "Mamadou Cheikh Moustapha Ousmane Ibrahima Modou Abdoulaye Pape Serigne Babacar "
                    "Alioune Lamine",
                    "Fatou Aminata Awa Ndeye Khady Mariama Aissatou Coumba Astou Binta Sokhna",
                    "Diop Ndiaye Fall Sow Ba Gueye Faye Sarr Mbaye Diallo Seck Niang Cisse "
                    "Thiam Sy",
                    "Mbour, Dakar, Thiès, Saint-Louis, Kaolack, Ziguinchor, Touba, Kolda, "
                    "Tambacounda, Kédougou",
                    "wo fr ff",
                ),
            ],
            "+221",
            ["77", "78", "76", "70"],
            7,
            "A########",
            "1###1########",
            _w("forced_begging:20 forced_labour:25 smuggled:22 sexual:5 domestic_servitude:5"),
        ),
        Nationality(
            "GM",
            "senegambia",
            [
                _g(
                    1,
                    "Lamin Ebrima Modou Alieu Omar Ousman Musa Bakary Sulayman Momodou Abdoulie",
                    "Fatou Isatou Mariama Awa Haddy Ndey Binta Kaddy Jainaba Oumie",
                    "Jallow Ceesay Touray Sanneh Bah Jobe Njie Darboe Manneh Sowe Camara Drammeh Sillah "
                    "Bojang",
                    "Serekunda, Brikama, Banjul, Bakau, Basse Santa Su, Farafenni, Soma, Barra",
                    "en wo ff",
                ),
            ],
            "+220",
            ["7", "3", "2", "5"],
            6,
            "PC######",
            "#########",
            _w(
                "forced_labour:25 smuggled:25 sexual:10 forced_begging:5 domestic_servitude:5 "
                "forced_criminality:5"
            ),
        ),
        Nationality(
            "CM",
            "wa",
            [
                _g(
                    1,
                    "Jean Paul Emmanuel Franck Hervé Christian Boris Junior Ibrahim Aboubakar",
                    "Marie Brenda Sandrine Christelle Ange Nadège Linda Mireille Aïcha Joséphine",
                    "Mbarga Ngono Essomba Nkoulou Tchoumi Fotso Kamga Ndongo Atangana Ewane Njoya Tchinda",
                    "Douala, Yaoundé, Bamenda, Bafoussam, Garoua",
                    "fr en",
                ),
            ],
            "+237",
            ["67", "69", "65", "68"],
            7,
            "@@#######",
            "#########",
            _w("sexual:30 forced_labour:20 domestic_servitude:15 smuggled:18"),
        ),
        Nationality(
            "BF",
            "sahel",
            [
                _g(
                    1,
                    "Issouf Boukary Salif Ousmane Adama Hamidou Souleymane Yacouba Idrissa Karim Rasmané "
                    "Harouna",
                    "Mariam Salamata Aminata Awa Rasmata Zénabo Kadidiatou Alimata Habibou "
                    "Fatimata",
                    "Ouédraogo Sawadogo Compaoré Kaboré Zongo Traoré Ouattara Kiemdé "
                    "Zoungrana Tapsoba Nikiéma Bamogo Ilboudo",
                    "Ouagadougou, Bobo-Dioulasso, Koudougou, Ouahigouya, Tenkodogo, Kaya",
                    "fr ff bm",
                ),
            ],
            "+226",
            ["70", "76", "78", "65", "66"],
            6,
            "B########",
            "B#########",
            _w("forced_labour:45 forced_begging:15 smuggled:15 domestic_servitude:10"),
        ),
        Nationality(
            "NE",
            "sahel",
            [
                _g(
                    1,
                    "Moussa Issoufou Abdoulaye Hamani Ousmane Mahamadou Ibrahim Ali Souleymane Boubacar "
                    "Idrissa",
                    "Hadiza Aïchatou Mariama Rabi Zeinabou Fati Hawa Halima Balki Salamatou",
                    "Issoufou Moussa Abdou Hamani Maïga Garba Idrissa Mahamane Oumarou Saidou Yacouba "
                    "Harouna",
                    "Zinder, Kantché, Maradi, Niamey, Tahoua, Agadez",
                    "ha fr ff",
                ),
            ],
            "+227",
            ["96", "97", "90", "91", "88", "89"],
            6,
            "##PC#####",
            "#########",
            _w(
                "forced_begging:35 domestic_servitude:20 forced_labour:20 smuggled:8 "
                "forced_marriage:10"
            ),
        ),
        Nationality(
            "ER",
            "horn",
            [
                _g(
                    1,
                    "Yonas Dawit Tesfay Kidane Haile Mehari Semere Filmon Robel Samuel Habtom Tekle "
                    "Biniam Yemane",
                    "Senait Helen Selam Tsega Saba Meron Lidya Hiwet Yordanos Rahwa "
                    "Feven Winta Luwam",
                    "Tesfamariam Ghebremedhin Haile Berhane Tekle Woldemichael "
                    "Gebreyesus Kahsay Abraha Tesfay Ghebreab Andemariam Mebrahtu Negash Okbay",
                    "Asmara, Keren, Mendefera, Massawa, Dekemhare, Barentu",
                    "ti ar",
                ),
            ],
            "+291",
            ["7"],
            6,
            "P########",
            "#######",
            _w("smuggled:28 forced_labour:15 sexual:20 domestic_servitude:10"),
        ),
        Nationality(
            "ET",
            "horn",
            [
                _g(
                    1,
                    "Dawit Bekele Girma Tadesse Abebe Mulugeta Yohannes Solomon Tesfaye Biruk Henok "
                    "Getachew Abdi Gemechu",
                    "Tigist Almaz Hiwot Meseret Bethlehem Selamawit Marta Tsion "
                    "Eden Hana Genet Mekdes Aster Chaltu",
                    "Bekele Tadesse Girma Alemu Haile Kebede "
                    "Tesfaye Mekonnen Wolde Assefa Desta Ayele Abera Hailu Tolosa",
                    "Hosaena, Addis Ababa, Jimma, Dessie, Gondar, Mekelle, Adama, Bahir Dar",
                    "am om ti",
                ),
            ],
            "+251",
            ["91", "92", "93", "94", "98"],
            7,
            "EP#######",
            "############",
            _w("domestic_servitude:30 smuggled:20 forced_labour:15 sexual:15"),
        ),
        Nationality(
            "SO",
            "horn",
            [
                _g(
                    1,
                    "Abdi Mohamed Ahmed Hassan Abdirahman Abdullahi Ali Mohamud Yusuf Farah Omar Ismail "
                    "Liban Khadar Mahad",
                    "Hodan Faadumo Khadija Sahra Hibaaq Ayaan Ubah Nimco Ifrah "
                    "Sagal Ladan Maryan Asha Deeqa",
                    "Warsame Farah Abdi Jama Hassan Ali Mohamud Omar "
                    "Yusuf Ahmed Guled Nur Dahir Egal Samatar Abdullahi",
                    "Mogadishu, Hargeisa, Kismayo, Baidoa, Beledweyne, Bosaso, Galkayo",
                    "so ar en",
                ),
            ],
            "+252",
            ["61", "62", "63", "90"],
            7,
            "P########",
            "#########",
            _w("smuggled:30 forced_labour:15 sexual:15 domestic_servitude:10"),
            arabic_script=0.08,
        ),
        Nationality(
            "SD",
            "horn",
            [
                _g(
                    1,
                    "Mohamed Ahmed Osman Abdelrahman Hamid Adam Ibrahim Musa Yousif Babiker Mustafa "
                    "Haroun Abakar Hassan Omer",
                    "Fatima Amna Hawa Mariam Khadija Salma Rahma Sara "
                    "Tasneem Nafisa Halima Zainab Asia",
                    "Osman Ibrahim Mohamed Adam Abdallah "
                    "Abdelrahman Yousif Babiker Hamid Elamin Eltayeb Suleiman Ishag Abakar Haroun Musa",
                    "Khartoum, Omdurman, El Fasher, Nyala, Geneina, Kassala, El Obeid, Zalingei",
                    "ar en",
                ),
            ],
            "+249",
            ["91", "92", "90", "99", "12"],
            7,
            "P########",
            "###-####-####",
            _w("smuggled:28 forced_labour:25 sexual:10 domestic_servitude:5 forced_criminality:5"),
            arabic_script=0.3,
        ),
        Nationality(
            "MA",
            "maghreb",
            [
                _g(
                    1,
                    "Mohamed Youssef Hamza Amine Ayoub Anas Mehdi Rachid Karim Said Bilal Zakaria Ismail "
                    "Othmane Yassine Ilyas",
                    "Fatima Khadija Salma Imane Nadia Samira Latifa Hafsa Siham "
                    "Meryem Zineb Hanane Sanae",
                    "Bennani El-Idrissi Alaoui Amrani Benali Tazi Chakir "
                    "El-Fassi Berrada Naciri Ouazzani Haddad Moussaoui Lahlou Boukhari Tahiri",
                    "Beni Mellal, Khouribga, Fquih Ben Salah, Casablanca, Tangier, Nador, Oujda, Marrakech",
                    "ar fr es",
                ),
            ],
            "+212",
            ["6", "7"],
            8,
            "@@#######",
            "@@######",
            _w("forced_criminality:25 smuggled:20 forced_labour:20 sexual:10 forced_begging:5"),
            arabic_script=0.2,
        ),
    ]
}

# Arabic-script spellings of common names; a person recorded in Arabic script keeps the Latin
# spelling as an alias, as a transliterating border officer would have written it.
ARABIC = dict(
    pair.split("=")
    for pair in """
Mohamed=محمد Ahmed=أحمد Osman=عثمان Abdelrahman=عبد_الرحمن Hamid=حامد Adam=آدم Ibrahim=إبراهيم
Musa=موسى Yousif=يوسف Babiker=بابكر Mustafa=مصطفى Haroun=هارون Abakar=أبكر Hassan=حسن Omer=عمر
Fatima=فاطمة Amna=آمنة Hawa=حواء Mariam=مريم Khadija=خديجة Salma=سلمى Rahma=رحمة Sara=سارة
Tasneem=تسنيم Nafisa=نفيسة Halima=حليمة Zainab=زينب Asia=آسيا Abdallah=عبد_الله Elamin=الأمين
Eltayeb=الطيب Suleiman=سليمان Ishag=إسحاق Youssef=يوسف Hamza=حمزة Amine=أمين Ayoub=أيوب Anas=أنس
Mehdi=مهدي Rachid=رشيد Karim=كريم Said=سعيد Bilal=بلال Zakaria=زكريا Ismail=إسماعيل
Othmane=عثمان Yassine=ياسين Ilyas=إلياس Imane=إيمان Nadia=نادية Samira=سميرة Latifa=لطيفة
Hafsa=حفصة Siham=سهام Meryem=مريم Zineb=زينب Hanane=حنان Sanae=سناء Bennani=بناني
El-Idrissi=الإدريسي Alaoui=العلوي Amrani=العمراني Benali=بن_علي Tazi=التازي Chakir=شاكر
El-Fassi=الفاسي Berrada=برادة Naciri=الناصري Ouazzani=الوزاني Haddad=حداد Moussaoui=الموساوي
Lahlou=لحلو Boukhari=البخاري Tahiri=الطاهري Abdi=عبدي Abdirahman=عبد_الرحمن Abdullahi=عبد_الله
Ali=علي Mohamud=محمود Yusuf=يوسف Farah=فارح Omar=عمر Warsame=ورسمي Jama=جامع Nur=نور
""".split()
)
ARABIC = {k: v.replace("_", " ") for k, v in ARABIC.items()}

# Spellings of one name as different agencies write it: the linkage problem in miniature.
VARIANTS = {
    "Mohamed": ["Mohammed", "Muhammad", "Mamadou"],
    "Mamadou": ["Mohamed", "Mamadu"],
    "Ousmane": ["Usman", "Osman", "Ousman"],
    "Osman": ["Othman", "Ousmane"],
    "Ibrahima": ["Ibrahim", "Brahim"],
    "Ibrahim": ["Ibrahima", "Ebrahim"],
    "Fatoumata": ["Fatima", "Fatou", "Fatimata"],
    "Fatima": ["Fatma", "Fatouma"],
    "Aminata": ["Amina", "Aminatou"],
    "Abdoulaye": ["Abdullahi", "Abdallah"],
    "Mariama": ["Mariam", "Maryam"],
    "Aissatou": ["Aisha", "Aïssata"],
    "Yousif": ["Youssef", "Yusuf"],
    "Yusuf": ["Yousef", "Youssouf"],
    "Moussa": ["Musa", "Mousa"],
    "Musa": ["Moussa"],
    "Osagie": ["Osaghae"],
    "Osarugue": ["Osaruwa"],
    "Ngozi": ["Ngozie"],
    "Chinwe": ["Chinwendu"],
    "Kwame": ["Kwamena"],
    "Yonas": ["Yohannes", "Jonas"],
    "Dawit": ["David", "Dawitt"],
    "Tesfay": ["Tesfaye", "Tesfai"],
    "Senait": ["Sennait", "Senayt"],
    "Abdirahman": ["Abdulrahman", "Abdelrahman"],
    "Hawa": ["Haoua", "Awa"],
}
# "Working names" imposed in sexual exploitation, recorded as aliases.
WORK_NAMES = _words(
    "Vanessa Jennifer Sandra Stella Cynthia Pamela Tina Jessica Bella Sharon "
    "Linda Becky Queen Lucky Angel Sweet"
)

# Geʽez spellings of common Tigrinya/Amharic names, kept as aliases.
GEEZ = {
    "Yonas": "ዮናስ",
    "Dawit": "ዳዊት",
    "Selam": "ሰላም",
    "Saba": "ሳባ",
    "Meron": "ሜሮን",
    "Almaz": "አልማዝ",
    "Tesfay": "ተስፋይ",
    "Haile": "ሃይለ",
    "Bekele": "በቀለ",
    "Girma": "ግርማ",
    "Tadesse": "ታደሰ",
    "Berhane": "ብርሃነ",
    "Tigist": "ትዕግስት",
    "Kidane": "ኪዳነ",
}

LOCAL_LANGUAGE = {
    "IT": "it",
    "ES": "es",
    "FR": "fr",
    "MT": "en",
    "MA": "ar",
    "TN": "ar",
    "DZ": "ar",
    "LY": "ar",
}

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
    "central_med": _w(
        "NG:24 CI:8 GN:9 ML:6 GH:4 SN:4 GM:5 CM:4 BF:4 NE:2 ER:8 ET:3 SO:4 SD:7 MA:8"
    ),
    "west_med": _w("SN:18 GM:10 ML:16 GN:10 CI:8 MA:18 NG:10 CM:4 BF:3 GH:2 NE:1"),
    "fr": _w("NG:18 CI:12 GN:12 CM:8 ML:8 SN:6 MA:10 ER:6 SD:8 ET:3 SO:3 GM:3 BF:3"),
    "north_africa": _w("NG:14 NE:12 ML:10 CI:10 GN:10 SD:14 ER:6 ET:4 SO:4 BF:6 SN:4 GH:3 CM:3"),
    "west_africa": _w("NG:20 GH:10 ML:12 NE:12 SN:10 GM:8 CI:10 GN:8 BF:10"),
    "horn": _w("ER:30 ET:30 SO:15 SD:25"),
}

# --- Profiles: who is exploited how -------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    form: str  # an Exploitation code, or "smuggled"
    female: float  # share of women and girls
    minor: float  # share of children
    child_ages: tuple[int, int]
    adult_ages: tuple[int, int, int]  # low, high, mode
    finders: Weighted  # sector of the agency that identifies them
    recruiters: list[str]
    promises: list[str]


PROFILES = {
    "sexual": Profile(
        "sexual",
        0.95,
        0.26,
        (14, 17),
        (18, 34, 21),
        _w("police:30 ngo:25 immigration:25 hotline:10 social_services:10"),
        [
            "a woman known as 'Madam'",
            "a family friend",
            "a 'sponsor' met through church",
            "a man met on Facebook",
            "a neighbour's aunt living in Europe",
        ],
        [
            "work in a hair salon in Europe",
            "a job as a shop assistant",
            "work as a nanny",
            "school and a job in Europe",
            "work in a restaurant",
        ],
    ),
    "forced_labour": Profile(
        "forced_labour",
        0.1,
        0.1,
        (15, 17),
        (18, 45, 26),
        _w("labour_inspection:45 police:20 ngo:15 immigration:20"),
        [
            "a 'coxeur' at the bus station",
            "a labour intermediary",
            "a man from the same village",
            "a cousin already abroad",
            "a returnee who had worked in Italy",
        ],
        [
            "farm work paid 50 euros a day",
            "a construction job",
            "passage to Europe, to be repaid by work",
            "a job in a factory",
        ],
    ),
    "domestic_servitude": Profile(
        "domestic_servitude",
        0.9,
        0.35,
        (11, 17),
        (18, 38, 23),
        _w("police:30 ngo:30 hotline:20 social_services:20"),
        ["an aunt", "a placement agent", "a family acquaintance", "a woman from the church"],
        ["work as a housemaid with a good salary", "schooling in the city", "work as a nanny"],
    ),
    "forced_begging": Profile(
        "forced_begging",
        0.2,
        0.9,
        (6, 15),
        (18, 30, 19),
        _w("social_services:40 police:40 ngo:20"),
        ["a Quranic teacher (marabout)", "an uncle", "a woman from the same town"],
        ["Quranic education", "a better life in the city", "schooling"],
    ),
    "forced_criminality": Profile(
        "forced_criminality",
        0.15,
        0.6,
        (13, 17),
        (18, 24, 19),
        _w("police:50 social_services:30 ngo:20"),
        ["an older boy from the neighbourhood", "a man at the port", "a cousin"],
        ["a job in Europe", "money to send home", "passage across the sea"],
    ),
    "forced_marriage": Profile(
        "forced_marriage",
        0.97,
        0.7,
        (13, 17),
        (18, 22, 18),
        _w("social_services:45 ngo:35 police:20"),
        ["her father", "an uncle", "a marriage broker"],
        ["marriage to a wealthy man abroad", "a husband in Europe"],
    ),
    "smuggled": Profile(
        "smuggled",
        0.2,
        0.15,
        (14, 17),
        (18, 40, 24),
        _w("immigration:80 ngo:10 police:10"),
        ["a 'connection man'", "a smuggler in Agadez", "a friend who had already left"],
        ["passage to Europe", "a boat to the Canary Islands", "a crossing to Italy"],
    ),
}

CONTROL = {
    "sexual": [
        "A juju oath was administered in a shrine before departure and a debt of {debt} "
        "euros was imposed.",
        "Her documents were taken by the 'Madam' on arrival.",
        "Threats were made against her family in {city}.",
    ],
    "forced_labour": [
        "Wages were withheld to repay a debt of {debt} euros for the journey.",
        "Worked twelve hours a day for three euros an hour, paid in cash by a 'caporale'.",
        "Passport confiscated by the employer.",
    ],
    "domestic_servitude": [
        "Worked without pay or days off and was not allowed to leave the house.",
        "Documents were kept by the employer.",
    ],
    "forced_begging": ["Had to hand over a daily quota of money; beaten when it was not met."],
    "forced_criminality": [
        "Had to repay a debt of {debt} euros by selling drugs; threatened with violence."
    ],
    "forced_marriage": ["Married without consent to an older man and kept in his house."],
    "smuggled": [
        "Paid {debt} euros to smugglers for the journey.",
        "Family paid a ransom of {ransom} dollars after kidnapping in Libya.",
    ],
}
ROUTE_EVENTS = {
    "Sebha": "Held for {weeks} weeks in a connection house in Sebha.",
    "Bani Walid": "Detained and sold in Bani Walid; the family paid a ransom of {ransom} dollars.",
    "Kufra": "Held in a warehouse in Kufra until the family paid {ransom} dollars.",
    "Agadez": "Waited {weeks} weeks in a 'ghetto' in Agadez before crossing the desert.",
    "Nouadhibou": "Left Nouadhibou by pirogue; {days} days at sea.",
    "Mbour": "Left Mbour by pirogue with about {people} people; {days} days at sea.",
    "Saint-Louis": "Left Saint-Louis by pirogue with about {people} people; {days} days at sea.",
    "Zuwara": "Crossed from Zuwara in an overcrowded rubber boat.",
    "Sabratha": "Crossed from Sabratha in an overcrowded rubber boat.",
    "Sfax": "Crossed from Sfax in an iron boat with about {people} people.",
    "Tamanrasset": "Worked on building sites in Tamanrasset to pay for the next leg.",
    "Nador": "Lived for months in the forest near Nador before the crossing.",
}
IDENTIFIED = {
    "immigration": "Identified during screening on arrival ({place}).",
    "police": "Identified during a police operation ({place}).",
    "labour_inspection": "Found during a labour inspection ({place}).",
    "ngo": "Met by a street outreach team ({place}).",
    "hotline": "Called the anti-trafficking hotline ({place}).",
    "social_services": "Referred by social services ({place}).",
    "anti_trafficking": "Identified by the anti-trafficking office ({place}).",
}

# --- Cases and referrals ------------------------------------------------------------------

# (maximum age of the case in days, status weights): older cases are further along.
STAGE_BY_AGE = [
    (14, _w("identified:35 presumed_victim:35 referred:25 assisted:5")),
    (
        90,
        _w(
            "identified:6 presumed_victim:14 referred:30 assisted:35 long_term_support:5 "
            "return_reintegration:5 closed:5"
        ),
    ),
    (
        365,
        _w(
            "identified:2 presumed_victim:4 referred:8 assisted:30 long_term_support:20 "
            "return_reintegration:12 local_integration:8 closed:16"
        ),
    ),
    (
        10**6,
        _w(
            "identified:1 presumed_victim:1 referred:3 assisted:10 long_term_support:20 "
            "return_reintegration:12 local_integration:13 closed:40"
        ),
    ),
]
CASE_AGE = _w("0:8 14:17 90:30 365:45")  # share of cases opened in each window (days ago)
CASE_AGE_BOUNDS = {"0": (0, 14), "14": (14, 90), "90": (90, 365), "365": (365, 1095)}

REFERRAL_MIX = {
    "presumed_victim": _w("sent:70 declined:30"),
    "referred": _w("sent:40 accepted:30 declined:15 in_progress:15"),
    "assisted": _w("in_progress:40 accepted:15 completed:30 declined:10 withdrawn:5"),
    "long_term_support": _w("completed:55 in_progress:35 declined:5 withdrawn:5"),
    "return_reintegration": _w("completed:55 in_progress:25 accepted:10 declined:5 withdrawn:5"),
    "local_integration": _w("completed:75 in_progress:15 declined:5 withdrawn:5"),
    "closed": _w("completed:75 withdrawn:15 declined:10"),
}
REFERRAL_COUNT = {
    "identified": (0, 0),
    "presumed_victim": (0, 1),
    "referred": (1, 3),
    "assisted": (2, 4),
    "long_term_support": (2, 5),
    "return_reintegration": (1, 3),
    "local_integration": (1, 3),
    "closed": (1, 4),
}
SERVICE_SECTORS = {
    "shelter": ("shelter",),
    "medical": ("health",),
    "mhpss": ("health", "ngo"),
    "legal_aid": ("legal_aid", "ngo"),
    "interpretation": ("ngo",),
    "documentation": ("immigration",),
    "family_tracing": ("international", "ngo"),
    "education_livelihood": ("ngo", "social_services"),
    "return_reintegration": ("international",),
    "child_protection": ("social_services", "shelter"),
    "investigation": ("police", "prosecution"),
}
NOTES = {
    "shelter": "Needs a safe place as soon as possible.",
    "medical": "Needs a medical check-up.",
    "mhpss": "Signs of trauma; psychosocial support.",
    "legal_aid": "Needs advice on a residence permit and on reporting.",
    "interpretation": "Needs an interpreter for interviews.",
    "documentation": "Application for a residence permit for victims of trafficking.",
    "family_tracing": "Wishes to contact family.",
    "education_livelihood": "Language course and vocational training.",
    "return_reintegration": "Wishes to return home; reintegration support requested.",
    "child_protection": "Unaccompanied child: guardian and child protection measures.",
    "investigation": "Wishes to report the exploiters; statement to be taken.",
}
GENERAL_DECLINES = [
    "Outside our area of operation.",
    "The person did not consent to the service.",
    "No interpreter available for the person's language.",
    "The person could not be reached at the address given.",
]
DECLINE_REASONS = {
    "shelter": [
        "No place available: the shelter is full.",
        "Our shelter cannot take the person's children as well.",
        "A security risk: the exploiters know the shelter's address.",
    ],
    "child_protection": ["A guardian is already appointed in another region."],
    "education_livelihood": ["The course is full until the next intake."],
    "return_reintegration": ["The person has not decided to return yet."],
    "investigation": ["The person does not wish to make a statement now."],
}
CHILD_DECLINE = "A child: refer to child protection services."
FULL_DECLINE = "No place available: the shelter is full."
WITHDRAW_REASONS = [
    "The person moved to another region.",
    "Referred to another provider with a free place.",
    "The person no longer wishes this service.",
    "Sent twice by mistake.",
]
CLOSED_WITHDRAWAL = "The case was closed."
REVOKED_WITHDRAWAL = "The person revoked the consent this referral relied on."
REVOCATION_REASONS = [
    "The person no longer wishes the shelter and the health service to exchange information.",
    "The person fears the data could reach the exploiters and withdrew consent.",
    "The person's guardian withdrew consent to sharing.",
]
# What a referral for each service shares of the person (Consent.DataCategory codes).
SHARED = {
    "shelter": ["identity", "case", "contact", "health"],
    "medical": ["identity", "case", "health"],
    "mhpss": ["identity", "case", "health", "story"],
    "legal_aid": ["identity", "case", "story", "documents"],
    "interpretation": ["identity", "case"],
    "documentation": ["identity", "case", "documents"],
    "family_tracing": ["identity", "case", "contact"],
    "education_livelihood": ["identity", "case"],
    "return_reintegration": ["identity", "case", "documents", "contact"],
    "child_protection": ["identity", "case", "contact", "health", "story"],
    "investigation": ["identity", "case", "story", "contact"],
}
CATEGORY_ORDER = ("identity", "contact", "documents", "story", "health", "case")
PURPOSE_ORDER = (
    "assistance",
    "return_reintegration",
    "family_tracing",
    "continued_assistance",
    "information_for_protection",
    "criminal_proceedings",
)
DELIVERY_NOTES = {
    "shelter": [
        "Admitted; bed, meals and clothes provided.",
        "Key-worker session; safety plan reviewed.",
        "Accompanied to the health centre.",
    ],
    "medical": ["Medical check-up done.", "Follow-up visit; treatment continued."],
    "mhpss": ["Individual psychosocial session.", "Group session with other survivors."],
    "legal_aid": ["First legal consultation.", "Residence permit application filed."],
    "interpretation": ["Interpreter at the interview.", "Interpreter at the medical visit."],
    "documentation": ["Residence permit application registered.", "Permit issued."],
    "family_tracing": ["Tracing request opened.", "Phone call with family arranged."],
    "education_livelihood": ["Enrolled in a language course.", "Vocational training started."],
    "return_reintegration": [
        "Return counselling.",
        "Travel documents obtained.",
        "Returned; reintegration plan agreed with the partner office.",
    ],
    "child_protection": ["Guardian appointed.", "Placed in a children's care home."],
    "investigation": ["Statement taken with an interpreter.", "Support person present."],
}
# (shortest, longest) time in each stage before the next one, in days.
STAGE_GAPS = {
    "presumed_victim": (0.1, 6),
    "referred": (0.1, 10),
    "assisted": (0.5, 14),
    "long_term_support": (20, 120),
    "return_reintegration": (30, 240),
    "local_integration": (30, 240),
    "closed": (10, 200),
}
STAGE_NOTES = {
    "presumed_victim": "Presumed-victim status confirmed after the interview.",
    "referred": "Referred to services.",
    "assisted": "Assistance started.",
    "long_term_support": "Long-term support plan agreed.",
    "return_reintegration": "The person chose to return home; reintegration plan prepared.",
    "local_integration": "Residence permit granted; local integration plan agreed.",
}
CLOSED_FROM = _w(
    "identified:6 presumed_victim:6 referred:4 assisted:22 long_term_support:12 "
    "return_reintegration:28 local_integration:22"
)
CLOSURE = {
    "identified": _w("not_a_victim:35 lost_contact:35 declined_assistance:20 transferred:10"),
    "presumed_victim": _w("not_a_victim:25 lost_contact:40 declined_assistance:25 transferred:10"),
    "referred": _w("lost_contact:40 declined_assistance:30 transferred:20 other:10"),
    "assisted": _w(
        "assisted_reintegrated:35 lost_contact:25 declined_assistance:20 transferred:15 "
        "deceased:1 other:4"
    ),
    "long_term_support": _w(
        "assisted_reintegrated:60 lost_contact:15 declined_assistance:10 transferred:10 other:5"
    ),
    "return_reintegration": _w("returned:85 lost_contact:10 other:5"),
    "local_integration": _w("assisted_reintegrated:90 lost_contact:5 other:5"),
}
CLOSURE_OTHER_NOTES = [
    "Moved to another EU country; the file was handed to the NRM there.",
    "Married and settled; no longer wishes contact with services.",
    "Reached adulthood and left the care system.",
]
COOPERATION_AFTER = _w("cooperating:45 declined:18 unable:10 reflecting:7 not_discussed:20")
EXTENSION_REASONS = [
    "Still recovering from trauma; needs more time to decide.",
    "Medical treatment under way; the person cannot decide yet.",
    "The person asked for more time to talk to a lawyer.",
]
RISK_REASONS = {
    "high": "Threats from the exploiters' network reported.",
    "medium": "The person moved to a protected address.",
    "low": "Stable situation; no contact with the exploiters for months.",
}
NEEDS_NOTES = [
    "Tired and afraid; wants to stay somewhere safe first.",
    "Persistent headaches and sleep problems.",
    "Worried about the debt and the family at home.",
    "Wants to learn the language and work.",
    "",
    "",
]
REVIEW_TOPICS = [
    "Safety plan and housing",
    "End of the reflection period: residence and cooperation",
    "Progress of the support plan",
    "Return and reintegration options",
    "Health and psychosocial support",
]
REVIEW_OUTCOMES = [
    "Safe in the shelter; support plan continues.",
    "Residence permit application filed; next review in three months.",
    "Attends the language course; looking for an apprenticeship.",
    "Wishes to return home; referral to the return programme.",
    "Improving; psychosocial support continues weekly.",
]
OFFENCES = {
    "forced_criminality": [
        ("drugs", "Arrested for selling drugs; the exploiters kept the proceeds."),
        ("property", "Arrested for pickpocketing on the exploiters' orders."),
    ],
    "sexual": [
        ("immigration", "Used a false passport provided by the traffickers."),
        ("prostitution", "Fined for soliciting on the street."),
    ],
    "forced_begging": [("begging", "Cited for begging at a traffic light.")],
    "forced_labour": [
        ("unlawful_work", "Found working without a permit during an inspection."),
        ("immigration", "Entered with forged documents supplied by the recruiter."),
    ],
    "domestic_servitude": [("immigration", "Overstayed the visa the employer applied for.")],
    "smuggled": [("immigration", "Irregular entry by sea.")],
}
OFFENCE_SHARE = {
    "forced_criminality": 0.6,
    "forced_begging": 0.12,
    "sexual": 0.06,
    "forced_labour": 0.05,
    "domestic_servitude": 0.03,
    "smuggled": 0.03,
}
OFFENCE_DECISION = _w(
    "not_prosecuted:35 proceedings_dropped:25 penalty_waived:15 pending:15 penalised:10"
)
ASSESSMENT_METHOD = _w("multidisciplinary:40 interview:30 medical:15 document:15")
ASSESSMENT_NOTES = [
    "Holistic assessment with a social worker and an interpreter.",
    "Birth certificate obtained through the embassy.",
    "",
]
GROUP_START = 0.055  # chance that a victim starts a new incident (the next ones join it)

NATIONAL_ID = "national_id"
SERVING = ("in_progress", "completed")
OPEN = ("sent", "accepted", "in_progress")
HOUR_S = timedelta(hours=1)


# --- Records ------------------------------------------------------------------------------


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
class _Subject:
    """What the case generator needs to know of the person behind a victim record."""

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
            return _years(dob, when.date()) < 18
        if estimate_min is not None:
            return estimate_min < 18
        return True

    def age_at(self, when: datetime) -> int | None:
        dob, estimate_min, _ = self._values(when)
        if dob is not None:
            return _years(dob, when.date())
        return estimate_min


def _years(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class _Group:
    """An incident being filled: the next victims share its route, place and dates."""

    reference: str
    kind: Kind
    form: str
    size: int
    nationality: str
    origin: str
    route: list[str]
    place: str
    finder: str
    owner: str
    found_at: datetime
    big: bool = False
    members: int = 0
    forms: set = field(default_factory=set)
    means: set = field(default_factory=set)
    nationalities: list[str] = field(default_factory=list)
    leader_pending: bool = True


class SyntheticGenerator:
    """Yields `VictimRecord`s: a person with one protection case (a few have an earlier,
    closed one: re-trafficking), its screenings, consent and referrals, the case's history,
    and the incidents the person was found in."""

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
        self.group: _Group | None = None
        self.boat: _Group | None = None  # the landing some workers of the large raid came by
        self.landed = False  # whether last week's boat landing has started
        self.boats: list[tuple[str, date]] = []  # completed boat incidents: (reference, landed)
        self.suspect_pool: dict[str, list[SuspectRecord]] = {}
        self._index_agencies()
        self._index_offers()

    # -- set-up --

    def _nationality_mix(self) -> Weighted:
        mix = NATIONALITY_MIX[self.region]
        pairs = list(zip(mix.items, _weights(mix), strict=True))
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
        self.coordination_city = coordination_spec.city or _capital(self.agencies, self.country)
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

    def victim(self) -> VictimRecord:
        rng = self.rng
        index, self.count = self.count, self.count + 1
        covering = index < len(CASE_STATUSES)
        if self.group is None and not covering:
            self._maybe_start_group(big=index == len(CASE_STATUSES), landing=not self.landed)
        group = self.group
        if group is not None:
            nat, form = self._member(group)
        else:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = nat.profiles.pick(rng)
        profile = PROFILES[form]
        name_group = _pick_group(rng, nat)

        female = rng.random() < profile.female
        sex = "female" if female else "male"
        roll = rng.random()
        if roll < 0.01:
            sex = "unknown"
        elif roll < 0.013:
            sex = "other"
        minor = rng.random() < profile.minor
        if minor:
            age = rng.randint(*profile.child_ages)
        else:
            low, high, mode = profile.adult_ages
            age = int(rng.triangular(low, high + 1, mode))

        # The first victims of every run cover every stage, so small data sets show them all.
        if group is not None:
            jitter = rng.randint(0, 48 * HOUR)
            opened_at = min(group.found_at + timedelta(seconds=jitter), self.as_of - HOUR_S)
            case_days = (self.as_of - opened_at).days
            status = self._stage(case_days)
        else:
            case_days = self._case_age_days()
            status = CASE_STATUSES[index] if covering else self._stage(case_days)
            arrival = covering and status in ("identified", "presumed_victim")
            if arrival:  # recent arrivals the demo responder screened: her work of the week
                case_days = rng.randint(0, 9)
            elif covering:
                case_days = max(case_days, 120 + rng.randint(0, 400))
            opened_at = self.as_of - timedelta(seconds=case_days * DAY + rng.randint(0, DAY - 1))

        given, family, aliases = self._names(nat, name_group, female, form)
        dob, est_min, est_max, disputed = self._age_record(age, minor, opened_at)
        doc_type, doc_number = self._document(nat, minor)

        if group is not None:
            finder = group.finder
            origin = rng.choice(name_group.cities)
            place = group.place
            route = [origin] + [stop for stop in group.route[1:] if stop != origin]
            if nat.code == self.country:
                route = [origin, group.route[-1]] if group.route[-1] != origin else [origin]
            owner = group.owner
        else:
            finder = profile.finders.pick(rng)
            place, route = self._route(nat, name_group, form, finder)
            owner = self._owner(nat, finder, route[0])
            if covering and status in ("identified", "presumed_victim") and self.responder:
                owner = self.responder
        narrative = self._narrative(nat, name_group, profile, form, route, finder, place)
        languages = self._languages(name_group)

        victim = VictimRecord(
            reference=self.refs.new("P"),
            owner=owner,
            given_name=given,
            family_name=family,
            aliases=aliases,
            sex=sex,
            date_of_birth=dob,
            age_estimate_min=est_min,
            age_estimate_max=est_max,
            age_disputed=disputed,
            nationality=nat.code,
            languages=languages,
            phone=self._phone(nat),
            email=self._email(given, family),
            address=self._address(place),
            document_type=doc_type,
            document_number=doc_number,
            narrative=narrative,
            created_at=opened_at,
        )
        subject = _Subject(
            victim=victim,
            nationality=nat.code,
            form=form,
            age=age,
            place=place,
            owner=owner,
            languages=[code.strip() for code in languages.split(",")],
            before=(dob, est_min, disputed),
            after=(dob, est_min, disputed),
            assessed_at=None,
        )
        self._age_assessment(subject, opened_at, minor)
        kind = "smuggling" if form == "smuggled" else "trafficking"
        earliest = opened_at
        if rng.random() < 0.02 and 60 < case_days < 900:
            # Re-trafficked: an earlier case, closed before this one opened.
            earlier_days = rng.randint(case_days + 150, 1094)
            earliest = self.as_of - timedelta(seconds=earlier_days * DAY)
            self._case(subject, kind, "closed", earliest, until=opened_at, force=False)
        self._case(subject, kind, status, opened_at, until=self.as_of, force=covering)
        first = min(s.screened_at for s in victim.screenings) if victim.screenings else earliest
        victim.created_at = min(first, earliest) - timedelta(seconds=rng.randint(60, 6 * HOUR))
        if group is not None:
            self._join(group, subject, victim)
        return victim

    def _case_age_days(self) -> int:
        low, high = CASE_AGE_BOUNDS[CASE_AGE.pick(self.rng)]
        return self.rng.randint(low, high - 1)

    def _stage(self, days: int) -> str:
        for limit, weights in STAGE_BY_AGE:
            if days < limit:
                return weights.pick(self.rng)
        return "closed"

    def _names(self, nat: Nationality, group: NameGroup, female: bool, form: str):
        rng = self.rng
        given = rng.choice(group.female if female else group.male)
        family = rng.choice(group.family)
        aliases = []
        if given in VARIANTS and rng.random() < 0.35:
            aliases.append(f"{rng.choice(VARIANTS[given])} {family}")
        if form == "sexual" and female and rng.random() < 0.4:
            aliases.append(rng.choice(WORK_NAMES))
        if given in GEEZ and rng.random() < 0.3:
            aliases.append(GEEZ[given])
        if rng.random() < 0.05:  # order of names swapped on a document
            aliases.append(f"{family} {given}")
        if rng.random() < nat.arabic_script and given in ARABIC and family in ARABIC:
            aliases.insert(0, f"{given} {family}")
            given, family = ARABIC[given], ARABIC[family]
        elif given in ARABIC and rng.random() < 0.1:
            aliases.append(f"{ARABIC[given]} {ARABIC.get(family, family)}")
        return given, family, "; ".join(aliases)

    def _age_record(self, age: int, minor: bool, when: datetime):
        rng = self.rng
        roll = rng.random()
        born = when.date() - timedelta(days=age * 365 + rng.randint(0, 364))
        if minor and roll < 0.08:  # claims to be a child, looks older: age disputed
            return None, max(age - 1, 14), age + 3, True
        if not minor and roll < 0.03:  # documents say adult, the person looks younger
            return born, max(age - 3, 13), age, True
        if 0.08 <= roll < 0.14:
            return None, None, None, False  # unknown: presumed a child until established
        if roll < 0.55:
            return born, None, None, False
        width = rng.randint(1, 4)
        low = max(age - rng.randint(0, width), 5)
        return None, low, low + width, False

    def _age_assessment(self, subject: _Subject, opened_at: datetime, minor: bool) -> None:
        """Some persons of unknown or disputed age have their age assessed; the record then
        carries the assessed range, as `record_age_assessment` leaves it."""
        rng = self.rng
        victim = subject.victim
        dob, est_min, disputed = subject.before
        if not (disputed or (dob is None and est_min is None)):
            return
        room = (self.as_of - opened_at).total_seconds()
        if room < 7 * DAY or rng.random() > 0.55:
            return
        assessed_at = opened_at + timedelta(
            seconds=int(rng.uniform(2 * DAY, min(45 * DAY, room * 0.8)))
        )
        age = subject.age
        if minor:
            low = max(age - 1, 10)
            high = age + rng.choice([0, 1, 1, 2])
        else:
            low = max(age - 2, 18) if rng.random() < 0.85 else 17
            high = age + 2
        conclusion = (
            "child" if high < 18 else "adult" if low >= 18 else "undetermined"
        )  # AgeAssessment.conclude
        if dob is not None and conclusion != "undetermined":
            if (_years(dob, assessed_at.date()) < 18) != (conclusion == "child"):
                return  # record_age_assessment refuses what the date of birth contradicts
        method = ASSESSMENT_METHOD.pick(rng)
        victim.age_assessments.append(
            AgeAssessmentRecord(
                method=method,
                assessed_age_min=low,
                assessed_age_max=high,
                conclusion=conclusion,
                agency=self.coordination if rng.random() < 0.5 else subject.owner,
                assessed_at=assessed_at,
                notes=rng.choice(ASSESSMENT_NOTES),
            )
        )
        victim.age_estimate_min, victim.age_estimate_max = low, high
        if conclusion != "undetermined":
            victim.age_disputed = False
        subject.after = (dob, low, victim.age_disputed)
        subject.assessed_at = assessed_at

    def _document(self, nat: Nationality, minor: bool) -> tuple[str, str]:
        rng = self.rng
        roll = rng.random()
        if minor and roll < 0.15:
            return "birth_certificate", _pattern(rng, "####/##/######")
        if roll < 0.35:
            return "passport", _pattern(rng, nat.passport)
        if roll < 0.47:
            return NATIONAL_ID, _pattern(rng, nat.national_id)
        if roll < 0.50:
            return "residence_permit", _pattern(rng, "I########")
        if roll < 0.52:
            return "travel_document", _pattern(rng, "TD#######")
        return "", ""

    def _phone(self, nat: Nationality) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return ""
        if roll < 0.5 and self.country in PHONE_LOCAL:
            dial, prefixes, digits = PHONE_LOCAL[self.country]
        else:
            dial, prefixes, digits = nat.dial, nat.mobile, nat.digits
        return dial + rng.choice(prefixes) + "".join(str(rng.randint(0, 9)) for _ in range(digits))

    def _email(self, given: str, family: str) -> str:
        rng = self.rng
        if rng.random() > 0.12 or not given.isascii() or not family.isascii():
            return ""
        local = f"{given}.{family}".lower().replace("'", "").replace(" ", "")
        return f"{local}{rng.randint(1, 999)}@{rng.choice(MAIL_DOMAINS)}"

    def _languages(self, group: NameGroup) -> str:
        rng = self.rng
        langs = [group.languages[0]]
        for extra in group.languages[1:]:
            if rng.random() < 0.5:
                langs.append(extra)
        if self.local_language and self.local_language not in langs and rng.random() < 0.15:
            langs.append(self.local_language)
        return ", ".join(langs)

    def _address(self, place: str) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return ""
        addresses = self.places.get("address")
        return rng.choice(addresses) if addresses else f"Reception centre, {place}"

    def _owner(self, nat: Nationality, finder: str, origin: str) -> str:
        if self.rng.random() < 0.05:  # recorded by a partner agency along the route
            foreign = self._foreign(nat.code, origin, "anti_trafficking", "police", "immigration")
            if foreign and nat.code != self.country:
                return foreign
        return self._identifier(finder, "police", "immigration", "anti_trafficking")

    def _route(self, nat, group, form, finder) -> tuple[str, list[str]]:
        rng = self.rng
        origin = rng.choice(group.cities)
        if finder == "immigration" or form == "smuggled":
            where = self.places.get("arrival") or [_capital(self.agencies, self.country)]
        else:
            where = (
                self.places.get(form)
                or self.places.get("arrival")
                or [_capital(self.agencies, self.country)]
            )
        place = rng.choice(where)
        paths = ROUTES[self.region].get(nat.region) or [[]]
        transit = [leg for leg in rng.choice(paths) if leg != origin]
        if nat.code == self.country:
            transit = []
        arrival = rng.choice(self.places.get("arrival") or [place])
        legs = [origin, *transit]
        if arrival not in legs:
            legs.append(arrival)
        return place, legs

    def _narrative(self, nat, group, profile: Profile, form, route, finder, place) -> str:
        rng = self.rng
        values = {
            "debt": f"{rng.randrange(3000, 60001, 500):,}",
            "city": route[0],
            "ransom": f"{rng.randrange(500, 8001, 250):,}",
            "weeks": rng.randint(1, 12),
            "days": rng.randint(4, 14),
            "people": rng.randrange(40, 231, 10),
        }
        sentences = [
            f"Approached in {route[0]} by {rng.choice(profile.recruiters)} who "
            f"promised {rng.choice(profile.promises)}."
        ]
        if len(route) > 1:
            sentences.append("Route: " + " → ".join(route) + ".")
            for leg in route[1:]:
                if leg in ROUTE_EVENTS and rng.random() < 0.5:
                    sentences.append(ROUTE_EVENTS[leg].format(**values))
        sentences.append(rng.choice(CONTROL[form]).format(**values))
        if form != "smuggled":
            where = self.places.get(form)
            if where:
                spot = place if place in where else rng.choice(where)
                sentences.append(f"Exploited: {EXPLOITATION_VERB[form]}, {spot}.")
        sentences.append(IDENTIFIED.get(finder, IDENTIFIED["police"]).format(place=place))
        return " ".join(sentences)

    # -- the protection case ---------------------------------------------------------------

    def _case(
        self,
        subject: _Subject,
        kind: str,
        status: str,
        opened_at: datetime,
        *,
        until: datetime,
        force: bool,
    ) -> None:
        rng = self.rng
        victim = subject.victim
        form = subject.form
        minor = subject.child_at(opened_at)
        roll = rng.random()
        if subject.owner not in self.local_names:
            owner = self.coordination  # received from a partner country: the NRM opens it
        elif roll < 0.55 or (force and subject.owner == self.responder):
            owner = subject.owner
        elif roll < 0.85:
            owner = self.coordination
        else:
            owner = self._local("shelter", "ngo")
        if kind == "smuggling":
            forms = []
        elif status == "identified" and rng.random() < 0.3:
            forms = ["unknown"]
        else:
            forms = [form]
            if rng.random() < 0.12:
                extra = rng.choice(["sexual", "forced_labour", "domestic_servitude"])
                if extra != form:
                    forms.append(extra)
        risk = (
            "high"
            if minor or form == "sexual" and rng.random() < 0.6
            else rng.choice(["low", "medium", "medium"])
        )
        closed_from = ""
        if status == "closed":
            closed_from = "return_reintegration" if force else CLOSED_FROM.pick(rng)
        stages = _PATHS_TO[closed_from or status](rng) + (["closed"] if closed_from else [])
        plan = self._plan(kind, stages, owner)
        immediate = plan[-1] == "moved" and plan[0] != "possible"
        times = self._stage_times(stages, opened_at, until, moved=immediate)
        at = dict(zip(stages, times, strict=True))
        closed_at = at.get("closed")
        case_index = len(victim.cases)
        case = CaseRecord(
            self.refs.new("C"),
            owner,
            kind,
            status,
            forms,
            risk,
            opened_at,
            closed_at,
            closed_from=closed_from,
        )
        victim.cases.append(case)
        end = closed_at or until
        self._screenings(subject, case, case_index, plan, at)
        referrals = self._referrals(subject, case, case_index, stages, at, end, force=force)
        self._consent(subject, case, referrals, at)
        self._history(subject, case, case_index, stages, at, plan, referrals, end)

    def _plan(self, kind: str, stages: list[str], owner: str) -> tuple[str, ...]:
        """What the screenings found and how the case reached presumed-victim status.

        The last word says how: "moved" (a coordinator's screening confirmed it at once),
        "proposed" (a responder proposed it; a coordinator confirmed later), "confirmed"
        (confirmed after an interview), "" (not reached)."""
        rng = self.rng
        coordinator = owner == self.coordination
        if kind == "smuggling":
            return ("smuggled", "confirmed" if "presumed_victim" in stages else "")
        if "presumed_victim" not in stages:
            if coordinator or rng.random() < 0.6:
                return ("possible", "")
            return ("presumed", "proposed")
        roll = rng.random()
        how = "moved" if coordinator else "proposed"
        if roll < 0.65:
            return ("presumed", how)
        if roll < 0.87:
            return ("possible", "presumed", "moved")
        return ("nothing", "presumed", how)

    def _stage_times(self, stages, opened_at: datetime, until: datetime, *, moved: bool):
        rng = self.rng
        offsets, total = [0.0], 0.0
        for stage in stages[1:]:
            if stage == "presumed_victim" and moved:
                gap = 1.0
            else:
                low, high = STAGE_GAPS[stage]
                gap = rng.uniform(low, high) * DAY
            total += gap
            offsets.append(total)
        span = max((until - opened_at).total_seconds() - 60, 0)
        if total > span * 0.95:
            factor = span * rng.uniform(0.6, 0.95) / total if total else 0
            offsets = [o * factor for o in offsets]
        times, previous = [], None
        for o in offsets:
            moment = opened_at + timedelta(seconds=int(o))
            if previous is not None and moment <= previous:
                moment = previous + timedelta(seconds=1)
            times.append(moment)
            previous = moment
        return times

    def _catalogue(self, subject: _Subject, when: datetime) -> tuple[CatalogueSpec, bool]:
        child = subject.child_at(when)
        kind = f"{'child' if child else 'adult'}_{list_for(subject.form)}"
        return self.catalogues[kind], child

    def _screen(
        self,
        subject: _Subject,
        target: str,
        *,
        agency: str,
        when: datetime,
        case_index: int | None,
        opened: bool,
        effect: str,
        location: str,
    ) -> ScreeningRecord:
        catalogue_spec, child = self._catalogue(subject, when)
        smuggling = target == SMUGGLED or (subject.form == "smuggled" and target != NOTHING)
        answers = answers_for(self.rng, catalogue_spec, target, child=child, form=subject.form)
        scored = score(
            catalogue_spec, answers, child=child, smuggling=smuggling, agency=self.by_name[agency]
        )
        record = ScreeningRecord(
            reference=self.refs.new("S"),
            agency=agency,
            list_kind=catalogue_spec.list_kind,
            screened_at=when,
            location=location,
            answers=answers,
            smuggling=smuggling,
            result=scored.result,
            rule=scored.rule,
            explanation=scored.explanation,
            treated_as_child=child,
            guardian_required=child,
            next_step=scored.next_step,
            suggested_service=scored.suggested_service,
            case=case_index if scored.result != NOTHING else None,
            case_opened=opened,
            case_effect=effect if scored.result != NOTHING else "none",
            htcds=scored.htcds,
        )
        subject.victim.screenings.append(record)
        return record

    def _screenings(self, subject: _Subject, case: CaseRecord, case_index: int, plan, at) -> None:
        rng = self.rng
        opened = case.opened_at
        location = subject.place
        first = plan[0]
        how = plan[-1]
        if first == "nothing":
            when = opened - timedelta(seconds=rng.randint(DAY, 20 * DAY))
            self._screen(
                subject,
                NOTHING,
                agency=subject.owner,
                when=when,
                case_index=None,
                opened=False,
                effect="none",
                location=location,
            )
            first = plan[1]
        target = {"presumed": PRESUMED, "possible": POSSIBLE, "smuggled": SMUGGLED}[first]
        if target == PRESUMED:
            effect = "moved" if how == "moved" else "proposed"
        else:
            effect = "opened"
        self._screen(
            subject,
            target,
            agency=case.owner,
            when=opened,
            case_index=case_index,
            opened=True,
            effect=effect,
            location=location,
        )
        if plan[0] == "possible" and len(plan) == 3:  # further assessment by the NRM office
            self._screen(
                subject,
                PRESUMED,
                agency=self.coordination,
                when=at["presumed_victim"],
                case_index=case_index,
                opened=False,
                effect="moved",
                location=f"NRM office, {self.coordination_city}",
            )
        elif target == PRESUMED and rng.random() < 0.04 and "assisted" in at:
            self._screen(  # screened again later: a new screening, the first one kept
                subject,
                PRESUMED,
                agency=case.owner,
                when=at["assisted"],
                case_index=case_index,
                opened=False,
                effect="existing",
                location=location,
            )

    # -- referrals, consent --

    def _referrals(self, subject, case, case_index, stages, at, end, *, force):
        rng = self.rng
        victim = subject.victim
        effective = case.closed_from or case.status
        if effective == "identified" or "presumed_victim" not in at:
            return []
        low, high = REFERRAL_COUNT[case.status]
        n = rng.randint(low, high)
        statuses = None
        if force:  # the covering victims show every referral status
            statuses = {
                "presumed_victim": ["sent"],
                "referred": ["sent", "declined"],
                "assisted": ["in_progress", "accepted", "completed"],
                "closed": ["completed", "withdrawn"],
            }.get(case.status)
        if statuses is None:
            statuses = [REFERRAL_MIX[effective].pick(rng) for _ in range(n)] if n else []
        closing = {}
        if case.status == "closed" and not force:
            for i, s in enumerate(statuses):
                if s == "in_progress":
                    statuses[i] = "completed"
                elif s in ("sent", "accepted"):
                    statuses[i] = "withdrawn"
                    closing[i] = s
        if "assisted" in at and statuses and statuses[0] not in SERVING:
            swap = next((i for i, s in enumerate(statuses) if s in SERVING), None)
            if swap is None:
                statuses[0] = "completed" if case.status == "closed" else "in_progress"
                closing.pop(0, None)
            else:
                statuses[0], statuses[swap] = statuses[swap], statuses[0]
                closing[0], closing[swap] = closing.get(swap), closing.get(0)
        minor = subject.child_at(at["presumed_victim"])
        services = self._services(effective, minor, case.kind, len(statuses))
        if "assisted" in at and services[:1] == ["investigation"] and len(services) > 1:
            # assistance starts with a service to the person, not with a statement
            services[0], services[1] = services[1], services[0]
        start = at.get("referred", at["presumed_victim"])
        assisted = at.get("assisted")
        overdue_first = force and case.status == "referred"
        made = []
        for i, (service, ref_status) in enumerate(zip(services, statuses, strict=False)):
            if i == 0:
                created = start
            elif ref_status == "sent":
                # Unanswered: most for longer than the 48 hours a provider has to reply.
                overdue = overdue_first or rng.random() < 0.65
                ago = rng.randint(49 * HOUR, 12 * DAY) if overdue else rng.randint(HOUR, 40 * HOUR)
                created = max(self.as_of - timedelta(seconds=ago), start)
            else:
                created = start + timedelta(
                    seconds=int((end - start).total_seconds() * 0.6 * rng.random())
                )
            if ref_status == "sent" and i == 0 and overdue_first:
                created = min(created, self.as_of - timedelta(seconds=50 * HOUR))
                created = max(created, case.opened_at)
            overdue_first = overdue_first and ref_status != "sent"
            child = subject.child_at(created)
            to_agency, offer = self._provider(service, subject, case.owner, created, child)
            referral = ReferralRecord(
                self.refs.new("R"),
                case_index,
                case.owner,
                to_agency,
                service,
                ref_status,
                NOTES[service],
                "",
                created,
                None,
                None,
                offer=offer.name if offer else None,
                shared_categories=list(SHARED[service]),
            )
            self._referral_times(referral, end, assisted if i == 0 else None, closing.get(i), case)
            if ref_status == "declined":
                referral.decline_reason = self._decline_reason(service, offer, child)
            if (
                ref_status == "sent"
                and created <= self.as_of - timedelta(hours=48)
                and created + timedelta(hours=49) <= self.as_of
            ):
                referral.overdue_notified_at = created + timedelta(
                    seconds=48 * HOUR + rng.randint(60, HOUR)
                )
            self._deliveries(referral, end)
            victim.referrals.append(referral)
            made.append(referral)
        return made

    def _referral_times(self, referral, end, assisted, closing, case) -> None:
        rng = self.rng
        status = referral.status
        created = referral.created_at
        room = max((end - created).total_seconds(), 60)
        if status in ("accepted", "declined", "in_progress", "completed") or closing == "accepted":
            if assisted is not None:
                wait = min(
                    rng.uniform(2 * HOUR, 72 * HOUR), (assisted - created).total_seconds() * 0.5
                )
            else:
                wait = min(rng.uniform(2 * HOUR, 72 * HOUR), room * 0.3)
            referral.responded_at = created + timedelta(seconds=int(wait))
        if status in SERVING:
            if assisted is not None:
                referral.started_at = assisted
            else:
                after = max((end - referral.responded_at).total_seconds(), 60)
                referral.started_at = referral.responded_at + timedelta(
                    seconds=int(min(rng.uniform(HOUR, 10 * DAY), after * 0.3))
                )
        if status == "completed":
            after = max((end - referral.started_at).total_seconds(), 60)
            referral.completed_at = referral.started_at + timedelta(
                seconds=int(after * rng.uniform(0.1, 0.9))
            )
        if status == "withdrawn":
            if closing:
                referral.withdrawn_at = case.closed_at
                referral.withdraw_reason = CLOSED_WITHDRAWAL
            else:
                referral.withdrawn_at = created + timedelta(
                    seconds=int(room * rng.uniform(0.05, 0.5))
                )
                referral.withdraw_reason = rng.choice(WITHDRAW_REASONS)

    def _deliveries(self, referral: ReferralRecord, end: datetime) -> None:
        if referral.started_at is None:
            return
        rng = self.rng
        last = referral.completed_at or referral.withdrawn_at or end
        notes = DELIVERY_NOTES[referral.service_type]
        count = rng.randint(1, 3 if referral.status == "completed" else 2)
        moments = [referral.started_at]
        span = max((last - referral.started_at).total_seconds(), 0)
        for _ in range(count - 1):
            moments.append(referral.started_at + timedelta(seconds=int(span * rng.random())))
        moments.sort()
        for i, moment in enumerate(moments):
            referral.deliveries.append(
                DeliveryRecord(
                    referral.service_type,
                    moment.date(),
                    notes[i] if i < len(notes) else rng.choice(notes),
                    moment,
                )
            )

    def _decline_reason(self, service: str, offer: OfferSpec | None, child: bool) -> str:
        rng = self.rng
        if offer is not None and offer.is_full:
            return FULL_DECLINE
        if (
            child
            and service not in ("child_protection", "medical", "shelter")
            and rng.random() < 0.3
        ):
            return CHILD_DECLINE
        return rng.choice(DECLINE_REASONS.get(service, []) + GENERAL_DECLINES)

    def _consent(self, subject: _Subject, case: CaseRecord, referrals, at) -> None:
        """The consent the case's referrals rely on, given before the first one was sent;
        a few are revoked later, and the referrals still open are then withdrawn."""
        if not referrals:
            return
        rng = self.rng
        first = min(r.created_at for r in referrals)
        presumed = at["presumed_victim"]
        lead = min(rng.uniform(600, 12 * HOUR), max((first - presumed).total_seconds(), 0))
        given = first - timedelta(seconds=int(lead))
        purposes = {"assistance"}
        categories = set()
        sectors: list[str] = []
        agencies: list[str] = []
        countries: list[str] = []
        for r in referrals:
            categories.update(r.shared_categories)
            agency = self.by_name[r.to_agency]
            if r.service_type == "investigation":
                purposes.add("criminal_proceedings")
                if agency.name not in agencies:
                    agencies.append(agency.name)
            elif agency.country != self.country:
                if agency.name not in agencies:
                    agencies.append(agency.name)
                if agency.country not in countries:
                    countries.append(agency.country)
            elif agency.sector not in sectors:
                sectors.append(agency.sector)
            if r.service_type == "return_reintegration":
                purposes.add("return_reintegration")
            if r.service_type == "family_tracing":
                purposes.add("family_tracing")
        if rng.random() < 0.3:
            categories.add(rng.choice(CATEGORY_ORDER))
        if rng.random() < 0.2:
            purposes.add("information_for_protection")
        language = subject.languages[0] if subject.languages else ""
        consent = ConsentRecord(
            purposes=[p for p in PURPOSE_ORDER if p in purposes],
            data_categories=[c for c in CATEGORY_ORDER if c in categories],
            recipient_agencies=agencies,
            recipient_sectors=sectors,
            recipient_countries=countries,
            method="guardian"
            if subject.child_at(given)
            else ("written" if rng.random() < 0.7 else "verbal"),
            interpreter_language=language
            if language and language != self.local_language and rng.random() < 0.7
            else "",
            given_at=given,
        )
        case.consent = consent
        end = case.closed_at or self.as_of
        if rng.random() < 0.03:
            last = max(
                moment
                for r in referrals
                for moment in (
                    r.created_at,
                    r.responded_at,
                    r.started_at,
                    r.completed_at,
                    r.withdrawn_at,
                )
                if moment is not None
            )
            last = max([last] + [d.recorded_at for r in referrals for d in r.deliveries])
            room = (end - last).total_seconds()
            if room > 2 * HOUR:
                revoked = last + timedelta(seconds=int(room * rng.uniform(0.1, 0.9)))
                consent.revoked_at = revoked
                consent.revocation_reason = rng.choice(REVOCATION_REASONS)
                for r in referrals:
                    if r.status in OPEN:  # withdraw_referrals_for_revoked_consent
                        r.status = "withdrawn"
                        r.withdrawn_at = revoked
                        r.withdraw_reason = REVOKED_WITHDRAWAL

    def _services(self, status: str, minor: bool, kind: str, n: int) -> list[str]:
        rng = self.rng
        first = []
        if status == "return_reintegration":
            first.append("return_reintegration")
        if status == "local_integration":
            first.append("education_livelihood")
        if minor:
            first.append("child_protection")
        pool = (
            [
                "shelter",
                "medical",
                "mhpss",
                "legal_aid",
                "interpretation",
                "documentation",
                "investigation",
            ]
            if kind == "trafficking"
            else ["medical", "legal_aid", "interpretation", "shelter", "documentation"]
        )
        if minor:
            pool.append("family_tracing")
        if status in ("long_term_support", "local_integration"):
            pool.append("education_livelihood")
        rest = [s for s in pool if s not in first]
        rng.shuffle(rest)
        return (first + rest)[:n]

    def _provider(
        self, service: str, subject: _Subject, sender: str, when: datetime, child: bool
    ) -> tuple[str, OfferSpec | None]:
        """The agency to refer to and, where it lists one the person is eligible for, the
        offer. Shelters are chosen by their offers: women, men and children each have theirs."""
        rng = self.rng
        if service == "return_reintegration" and rng.random() < 0.5:
            origin = subject.victim.narrative.removeprefix("Approached in ").split(" by ", 1)[0]
            foreign = self._foreign(
                subject.nationality, origin, "international", "anti_trafficking"
            )
            if foreign and subject.nationality != self.country:
                return foreign, None
        sex, age = subject.victim.sex, subject.age_at(when)
        if service == "investigation" and rng.random() < 0.3:
            # some go straight to the prosecutors, who list no offer
            return self._local("prosecution", "police"), None
        eligible = [
            o
            for o in self.offers_by_service.get(service, [])
            if o.agency != sender and o.takes(sex=sex, age=age, child=child)
        ]
        if eligible and (service == "shelter" or rng.random() < 0.85):
            # mostly a provider listed in the directory for this service and this person
            weights = [self.provider_weight(self.by_name[o.agency]) for o in eligible]
            offer = rng.choices(eligible, weights)[0]
            return offer.agency, offer
        provider = sender
        for _ in range(3):  # an agency does not refer to itself
            provider = self._local(*SERVICE_SECTORS[service])
            if provider != sender:
                break
        listed = [
            o
            for o in self.offers_by_agency.get((provider, service), [])
            if o.takes(sex=sex, age=age, child=child)
        ]
        return provider, (listed[0] if listed else None)

    # -- the case's history --

    def _history(self, subject, case: CaseRecord, case_index, stages, at, plan, referrals, end):
        """Events, reflection period, principles, risk, needs, reviews and offences, in the
        order and with the rules of corridor.cases.services."""
        rng = self.rng
        events = case.events
        opened = case.opened_at
        events.append(EventRecord("opened", opened, to_value="identified"))
        screenings = [s for s in subject.victim.screenings if s.case == case_index]
        first_screening = next((s for s in screenings if s.case_opened), None)
        if plan[-1] == "proposed" and first_screening is not None:
            events.append(
                EventRecord(
                    "proposal",
                    opened + timedelta(seconds=1),
                    from_value="identified",
                    to_value="presumed_victim",
                    note=f"Screening {first_screening.reference}: presumed victim of trafficking.",
                )
            )
        serving = referrals[0] if referrals and referrals[0].started_at else None
        previous = "identified"
        for stage in stages[1:]:
            moment = at[stage]
            note, reason = STAGE_NOTES.get(stage, ""), ""
            if stage == "presumed_victim" and plan[-1] == "moved":
                screening = next((s for s in screenings if s.case_effect == "moved"), None)
                if screening is not None:
                    note = f"Screening {screening.reference}: presumed victim of trafficking."
            if stage == "presumed_victim" and case.kind == "smuggling":
                note = (
                    "Vulnerability confirmed: assistance through the national referral mechanism."
                )
            if stage == "assisted" and serving is not None and serving.started_at == moment:
                note = f"First service delivered under referral {serving.reference}."
            if stage == "closed":
                reason = CLOSURE[case.closed_from].pick(rng)
                note = rng.choice(CLOSURE_OTHER_NOTES) if reason == "other" else ""
                case.closure_reason = reason
            events.append(
                EventRecord(
                    "status", moment, from_value=previous, to_value=stage, reason=reason, note=note
                )
            )
            previous = stage
        presumed = at.get("presumed_victim")
        if presumed is not None:
            self._reflection(case, presumed, end)
            self._principles(case, presumed, end)
            self._needs(subject, case, presumed, at, referrals, end)
            self._offences(subject, case, presumed, end)
        self._risk(case, presumed, end)
        self._reviews(case, at, end)
        events.sort(key=lambda e: e.at)

    def _reflection(self, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        starts = presumed.date()
        ends = starts + timedelta(days=self.reflection_days - 1)
        case.reflection_starts_on, case.reflection_ends_on = starts, ends
        case.events.append(
            EventRecord(
                "reflection", presumed + timedelta(seconds=1), starts.isoformat(), ends.isoformat()
            )
        )
        latest = min(end, datetime.combine(ends, time(12), tzinfo=presumed.tzinfo))
        earliest = presumed + timedelta(days=15)
        if rng.random() < 0.12 and earliest < latest:
            extended_at = earliest + timedelta(
                seconds=int((latest - earliest).total_seconds() * rng.random())
            )
            new_end = ends + timedelta(days=rng.choice([30, 30, 60]))
            reason = rng.choice(EXTENSION_REASONS)
            case.extensions.append(ExtensionRecord(ends, new_end, reason, extended_at))
            case.events.append(
                EventRecord(
                    "extension", extended_at, ends.isoformat(), new_end.isoformat(), note=reason
                )
            )
            case.reflection_ends_on = new_end

    def _principles(self, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        room = max((end - presumed).total_seconds(), 2)
        if rng.random() < 0.88:
            attested = presumed + timedelta(
                seconds=int(min(rng.uniform(HOUR, 3 * DAY), room * 0.5)) + 2
            )
            case.assistance_unconditional = True
            case.unconditional_attested_at = attested
            case.events.append(EventRecord("principles", attested, to_value="unconditional"))
        ends = case.reflection_ends_on
        running = self.as_of.date() <= ends and case.status != "closed"
        status = (
            ("reflecting" if rng.random() < 0.6 else "not_discussed")
            if running
            else COOPERATION_AFTER.pick(rng)
        )
        if status == "not_discussed":
            return
        if status == "reflecting" and running:
            moment = presumed + timedelta(
                seconds=int(min(rng.uniform(DAY, 5 * DAY), room * 0.6)) + 3
            )
        else:
            target = datetime.combine(ends, time(10), tzinfo=presumed.tzinfo) + timedelta(
                days=rng.randint(0, 20)
            )
            moment = target if target < end else presumed + timedelta(seconds=int(room * 0.7) + 3)
        case.cooperation_status = status
        case.events.append(EventRecord("principles", moment, "not_discussed", status))

    def _risk(self, case: CaseRecord, presumed: datetime | None, end: datetime) -> None:
        rng = self.rng
        if presumed is None or rng.random() > 0.1:
            return
        final = case.risk_level
        before = {"high": "medium", "low": "medium"}.get(final) or rng.choice(["low", "high"])
        moment = presumed + timedelta(
            seconds=int(max((end - presumed).total_seconds(), 4) * rng.uniform(0.1, 0.9))
        )
        case.events.append(EventRecord("risk", moment, before, final, note=RISK_REASONS[final]))

    def _needs(self, subject, case: CaseRecord, presumed: datetime, at, referrals, end) -> None:
        rng = self.rng
        room = max((end - presumed).total_seconds(), 60)
        moment = presumed + timedelta(seconds=int(min(rng.uniform(HOUR, 5 * DAY), room * 0.4)))
        needs = [r.service_type for r in referrals if r.service_type != "investigation"]
        if not needs:
            needs = self._services("presumed_victim", subject.child_at(presumed), case.kind, 3)
            needs = [n for n in needs if n != "investigation"] or ["medical"]
        if subject.languages and subject.languages[0] != self.local_language and rng.random() < 0.5:
            needs.append("interpretation")
        case.needs.append(
            NeedsRecord(moment.date(), list(dict.fromkeys(needs)), rng.choice(NEEDS_NOTES), moment)
        )
        later = (
            at.get("long_term_support")
            or at.get("return_reintegration")
            or at.get("local_integration")
        )
        if later is not None and rng.random() < 0.6:
            moment = later + timedelta(
                seconds=int(
                    min(rng.uniform(HOUR, 10 * DAY), max((end - later).total_seconds(), 60) * 0.5)
                )
            )
            options = [
                "education_livelihood",
                "legal_aid",
                "mhpss",
                "return_reintegration",
                "family_tracing",
            ]
            case.needs.append(
                NeedsRecord(moment.date(), rng.sample(options, 2), rng.choice(NEEDS_NOTES), moment)
            )

    def _reviews(self, case: CaseRecord, at, end: datetime) -> None:
        rng = self.rng
        start = at.get("referred") or at.get("presumed_victim")
        if start is None or (case.status == "presumed_victim" and rng.random() < 0.5):
            return
        today = self.as_of.date()
        last = min(end, self.as_of)
        scheduled = start + timedelta(hours=2)
        due = start + timedelta(days=90)
        while due + timedelta(days=10) < last and len(case.reviews) < 2:
            done = min(due.date() + timedelta(days=rng.randint(-2, 10)), last.date())
            case.reviews.append(
                ReviewRecord(
                    due.date(),
                    rng.choice(REVIEW_TOPICS),
                    scheduled,
                    done,
                    rng.choice(REVIEW_OUTCOMES),
                )
            )
            scheduled = datetime.combine(done, time(15), tzinfo=start.tzinfo)
            due += timedelta(days=90)
        if case.status == "closed":
            return
        roll = rng.random()
        if roll < 0.3:
            due_on = today - timedelta(days=rng.randint(1, 20))
        elif roll < 0.65:
            due_on = today + timedelta(days=rng.randint(0, 14))
        else:
            due_on = today + timedelta(days=rng.randint(15, 90))
        earliest = max(scheduled, start + timedelta(hours=2))
        latest = min(self.as_of, datetime.combine(due_on, time(8), tzinfo=start.tzinfo))
        if latest <= earliest:
            due_on = max(due_on, earliest.date() + timedelta(days=7))
            latest = earliest
        moment = earliest + timedelta(
            seconds=int((latest - earliest).total_seconds() * rng.random())
        )
        case.reviews.append(ReviewRecord(due_on, rng.choice(REVIEW_TOPICS), moment))

    def _offences(self, subject, case: CaseRecord, presumed: datetime, end: datetime) -> None:
        rng = self.rng
        if rng.random() > OFFENCE_SHARE.get(subject.form, 0):
            return
        category, text = rng.choice(OFFENCES[subject.form])
        room = max((end - presumed).total_seconds(), 60)
        recorded = presumed + timedelta(seconds=int(min(rng.uniform(DAY, 20 * DAY), room * 0.5)))
        decision, authority, decided = "pending", "", None
        if (self.as_of - recorded).days > 30 or rng.random() < 0.3:
            decision = OFFENCE_DECISION.pick(rng)
        if decision != "pending":
            authority = rng.choice(self.prosecutors)
            latest = (self.as_of - recorded).days
            decided = recorded.date() + timedelta(days=rng.randint(0, max(min(200, latest), 0)))
        case.offences.append(OffenceRecord(text, category, decision, authority, decided, recorded))

    # -- incidents --

    def _maybe_start_group(self, *, big: bool, landing: bool = False) -> None:
        """Perhaps start an incident: the large raid first, then last week's boat landing
        (the demo responder's arrivals), then now and then one of any kind."""
        rng = self.rng
        recent = landing and not big
        if recent:
            self.landed = True
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = "smuggled"
        elif big:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            for _ in range(30):
                if _weight_of(nat.profiles, "forced_labour") >= 20:
                    break
                nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = "forced_labour"
        elif rng.random() < GROUP_START:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
            form = nat.profiles.pick(rng)
            if form not in KINDS:
                return
        else:
            return
        kind = KINDS[form]
        size = BIG_RAID if big else 24 if recent else rng.randint(*kind.sizes)
        finder = rng.choice(kind.finders)
        if big and "labour_inspection" in self.identifiers:
            finder = "labour_inspection"
        name_group = _pick_group(rng, nat)
        place, route = self._route(nat, name_group, form, finder)
        if kind.name == "boat":
            place = route[-1]
        days = rng.randint(150, 400) if big else rng.randint(1, 5) if recent else None
        if days is None:
            days = self._case_age_days()
        found_at = self.as_of - timedelta(seconds=days * DAY + rng.randint(0, DAY - 1))
        self.group = _Group(
            reference=self.refs.new("I"),
            kind=kind,
            form=form,
            size=size,
            nationality=nat.code,
            origin=route[0],
            route=route,
            place=place,
            finder=finder,
            owner=(self.responder if recent and self.responder else None)
            or self._identifier(finder, "police", "immigration"),
            found_at=found_at,
            big=big,
        )
        if big:
            # Some of the workers had landed together months before: the same persons in two
            # incidents, first smuggled on a boat, then exploited on the farms.
            landed = found_at - timedelta(days=rng.randint(90, 300))
            self.boat = _Group(
                reference=self.refs.new("I"),
                kind=KINDS["smuggled"],
                form="smuggled",
                size=BIG_RAID // 7,
                nationality=nat.code,
                origin=route[0],
                route=route,
                place=route[-1],
                finder="immigration",
                owner=self._identifier("immigration", "police"),
                found_at=landed,
            )

    def _member(self, group: _Group) -> tuple[Nationality, str]:
        rng = self.rng
        if group.leader_pending:
            group.leader_pending = False
            return NATIONALITIES[group.nationality], group.form
        nat = NATIONALITIES[group.nationality]
        if rng.random() > 0.6:
            nat = NATIONALITIES[self.nationalities.pick(rng)]
        if group.kind.name == "boat":
            form = nat.profiles.pick(rng) if rng.random() < 0.3 else "smuggled"
            if form not in ("smuggled", "sexual", "forced_labour"):
                form = "smuggled"
        else:
            form = group.form
        return nat, form

    def _join(self, group: _Group, subject: _Subject, victim: VictimRecord) -> None:
        rng = self.rng
        role = "smuggled_migrant" if subject.form == "smuggled" else "victim"
        victim.incident_links.append((group.reference, role))
        group.members += 1
        group.nationalities.append(subject.nationality)
        if subject.form != "smuggled":
            group.forms.add(subject.form)
        for screening in victim.screenings:
            group.means.update(
                m.removeprefix("MethodsOfControl") for m in screening.htcds["vic_MethodsOfControl"]
            )
        if group.kind.name in ("raid", "ring") and rng.random() < 0.2:
            before = group.found_at.date() - timedelta(days=60)
            boats = [reference for reference, landed in self.boats if landed < before]
            if boats:
                # The same person in two incidents: first on a boat, then exploited.
                victim.incident_links.append((rng.choice(boats), "smuggled_migrant"))
        boat = self.boat
        if group.big and boat is not None and subject.nationality != self.country:
            victim.incident_links.append((boat.reference, "smuggled_migrant"))
            boat.members += 1
            boat.nationalities.append(subject.nationality)
            if boat.members >= boat.size:
                self.boat = None
                victim.incidents.append(self._incident(boat))
        if group.members >= group.size:
            self.group = None
            victim.incidents.append(self._incident(group))

    def _incident(self, group: _Group) -> IncidentRecord:
        rng = self.rng
        kind = group.kind
        found = group.found_at.date()
        journey = rng.randint(30, 400) if kind.name == "boat" else rng.randint(90, 700)
        start = found - timedelta(days=journey)
        arrival_on = (
            found
            if kind.name == "boat"
            else found - timedelta(days=rng.randint(20, max(journey - 30, 21)))
        )
        stops = group.route
        countries = []
        for i, stop in enumerate(stops):
            if i == 0:
                countries.append(group.nationality)
            elif i == len(stops) - 1:
                countries.append(self.country)
            else:
                countries.append(STOP_COUNTRY.get(locality(stop), self.country))
        places: list[PlaceRecord] = []

        def add_place(country: str, where: str, place_kind: str) -> int:
            lat, lon = coordinates(locality(where))
            places.append(PlaceRecord(country, locality(where), place_kind, lat, lon))
            return len(places) - 1

        recruitment = add_place(countries[0], stops[0], "recruitment")
        hubs = [i for i in range(1, len(stops) - 1) if locality(stops[i]) in SMUGGLING_HUBS]
        transit = None
        for i in (hubs or list(range(1, len(stops) - 1)))[:2]:
            index = add_place(countries[i], stops[i], "transit")
            transit = index if transit is None else transit
        exploitation = None
        if kind.name != "boat":
            exploitation = add_place(self.country, group.place, "exploitation")
        destination = add_place(self.country, stops[-1], "destination") if len(stops) > 1 else None
        legs = []
        if len(stops) > 1:
            dates = spread_dates(rng, start + timedelta(days=3), arrival_on, 2 * (len(stops) - 1))
            while len(dates) < 2 * (len(stops) - 1):
                dates.append(arrival_on)
            for i in range(len(stops) - 1):
                mode = mode_between(stops[i], stops[i + 1], countries[i], countries[i + 1])
                legs.append(
                    LegRecord(
                        i + 1,
                        countries[i],
                        locality(stops[i]),
                        countries[i + 1],
                        locality(stops[i + 1]),
                        mode,
                        dates[2 * i],
                        dates[2 * i + 1],
                        mode == "sea"
                        or locality(stops[i]) in SMUGGLING_HUBS
                        or locality(stops[i + 1]) in SMUGGLING_HUBS,
                    )
                )
        people = group.members if kind.name != "boat" else group.members + rng.randint(10, 60)
        values = {
            "arrival": locality(stops[-1]),
            "spot": group.place,
            "origin": locality(stops[0]),
            "transit": ", ".join(locality(s) for s in stops[1:-1]) or "the border",
            "people": people,
            "n": group.members,
            **month_year(found),
        }
        events = [
            IncidentEventRecord(
                "recruitment", start, recruitment, f"Recruitment in {values['origin']}."
            ),
        ]
        if legs:
            leg = legs[0]
            events.append(
                IncidentEventRecord(
                    "transport",
                    leg.departed_on,
                    transit,
                    f"Departure towards {leg.to_locality} by {leg.mode}.",
                )
            )
        if kind.name == "boat":
            events.append(
                IncidentEventRecord(
                    "transport", found, destination, f"Landing with about {people} people on board."
                )
            )
        else:
            events.append(
                IncidentEventRecord(
                    "exploitation",
                    arrival_on,
                    exploitation,
                    f"Exploitation at {group.place} until found on {found.isoformat()}.",
                )
            )
        means = sorted(group.means | set(rng.sample(kind.means, min(2, len(kind.means)))))
        if kind.name == "boat" and not group.forms:
            means = sorted(group.means)
        title = (BIG_TITLE if group.big else TITLES[kind.name]).format(**values)[:200]
        created = min(self.as_of, group.found_at + timedelta(seconds=rng.randint(HOUR, 5 * DAY)))
        record = IncidentRecord(
            reference=group.reference,
            owner=group.owner,
            title=title,
            summary=SUMMARIES[kind.name].format(**values),
            start_date=start,
            end_date=found,
            forms_of_exploitation=sorted(group.forms),
            means_of_control=means,
            recruiter_relation=rng.choice(kind.relations),
            created_at=created,
            places=places,
            legs=legs,
            events=events,
            suspects=self._suspects(group),
        )
        if kind.name == "boat":
            self.boats.append((group.reference, found))
            del self.boats[:-20]
        return record

    def _suspects(self, group: _Group) -> list[SuspectLink]:
        rng = self.rng
        kind = group.kind
        roles = [kind.roles[0]] + rng.sample(kind.roles[1:], rng.randint(0, len(kind.roles) - 1))
        links = []
        for role in roles:
            pool = self.suspect_pool.setdefault(f"{kind.name}:{role}", [])
            if pool and rng.random() < 0.2:
                links.append(
                    SuspectLink(
                        rng.choice(pool).reference, None, "Same person as in an earlier incident."
                    )
                )
                continue
            if role == "organiser" and kind.name == "boat":
                nationality = (
                    STOP_COUNTRY.get(locality(group.route[-2]), group.nationality)
                    if len(group.route) > 2
                    else group.nationality
                )
            elif (
                role in ("exploiter", "organiser")
                and kind.name in ("raid", "servitude")
                and rng.random() < 0.5
            ):
                nationality = self.country
            else:
                nationality = group.nationality
            female = (
                role == "exploiter" and kind.name in ("ring", "servitude") or rng.random() < 0.1
            )
            given, family = self._suspect_name(nationality, group.nationality, female)
            alias = rng.choice(ALIASES[role]).format(given=given, family=family)
            suspect = SuspectRecord(
                reference=self.refs.new("SU"),
                owner=group.owner,
                names=f"{given} {family}",
                aliases=alias,
                sex="female" if female else "male",
                nationality=nationality if len(nationality) == 2 else "",
                network_role=role,
            )
            pool.append(suspect)
            del pool[:-10]
            links.append(SuspectLink(suspect.reference, suspect))
        return links

    def _suspect_name(self, nationality: str, fallback: str, female: bool) -> tuple[str, str]:
        rng = self.rng
        if nationality in NATIONALITIES:
            name_group = _pick_group(rng, NATIONALITIES[nationality])
            return rng.choice(name_group.female if female else name_group.male), rng.choice(
                name_group.family
            )
        if nationality in LOCAL_NAMES:
            given, family = LOCAL_NAMES[nationality]
            return rng.choice(given.split()), rng.choice(family.split())
        return (
            self._suspect_name(fallback, "NG", female)
            if fallback != nationality
            else ("Unknown", "")
        )


def _path(*stages: str):
    return lambda rng: list(stages)


def _maybe(rng: random.Random, stage: str, chance: float) -> list[str]:
    return [stage] if rng.random() < chance else []


# The stages a case went through to reach each stage (TRANSITIONS allows each step).
_PATHS_TO = {
    "identified": _path("identified"),
    "presumed_victim": _path("identified", "presumed_victim"),
    "referred": _path("identified", "presumed_victim", "referred"),
    "assisted": lambda rng: (
        ["identified", "presumed_victim"] + _maybe(rng, "referred", 0.85) + ["assisted"]
    ),
    "long_term_support": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted", "long_term_support"]
    ),
    "return_reintegration": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted"]
        + _maybe(rng, "long_term_support", 0.4)
        + ["return_reintegration"]
    ),
    "local_integration": lambda rng: (
        ["identified", "presumed_victim"]
        + _maybe(rng, "referred", 0.85)
        + ["assisted"]
        + _maybe(rng, "long_term_support", 0.5)
        + ["local_integration"]
    ),
}


EXPLOITATION_VERB = {
    "sexual": "sexual exploitation",
    "forced_labour": "forced labour",
    "domestic_servitude": "domestic servitude",
    "forced_begging": "forced begging",
    "forced_criminality": "forced criminal activity",
    "forced_marriage": "forced marriage",
}
PHONE_LOCAL = {
    "IT": ("+39", ["320", "327", "331", "345", "351", "388"], 7),
    "ES": ("+34", ["6", "7"], 8),
    "FR": ("+33", ["6", "7"], 8),
    "MT": ("+356", ["79", "99", "77"], 6),
    "LY": ("+218", ["91", "92", "94"], 7),
    "TN": ("+216", ["2", "5", "9"], 7),
    "MA": ("+212", ["6", "7"], 8),
    "DZ": ("+213", ["5", "6", "7"], 8),
}
MAIL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "yahoo.fr"]


def _weights(w: Weighted) -> list[float]:
    previous, out = 0.0, []
    for c in w.cum:
        out.append(c - previous)
        previous = c
    return out


_GROUP_PICKERS = {
    code: Weighted([(g, g.weight) for g in nat.groups]) for code, nat in NATIONALITIES.items()
}


def _weight_of(weighted: Weighted, item) -> float:
    weights = dict(zip(weighted.items, _weights(weighted), strict=True))
    return weights.get(item, 0.0)


def _pick_group(rng: random.Random, nat: Nationality) -> NameGroup:
    if len(nat.groups) == 1:
        return nat.groups[0]
    return _GROUP_PICKERS[nat.code].pick(rng)


def _pattern(rng: random.Random, pattern: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return "".join(
        str(rng.randint(0, 9)) if ch == "#" else rng.choice(letters) if ch == "@" else ch
        for ch in pattern
    )


def _capital(agencies: list[AgencySpec], country: str) -> str:
    for a in agencies:
        if a.country == country and a.city:
            return a.city
    return "the capital"
