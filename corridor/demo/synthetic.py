"""A synthetic, deterministic data set of victims of trafficking and smuggled migrants.

Nothing here touches the database: `SyntheticGenerator` yields plain records (persons with
their protection cases and referrals) and `corridor.demo.loader` writes them in batches.
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
from datetime import date, datetime, timedelta

from corridor.core.references import ALPHABET
from corridor.demo.catalogue import AgencySpec, catalogue, demo_agencies

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
DECLINE_REASONS = [
    "No place available: the shelter is full.",
    "Our service is limited to adult women.",
    "Outside our area of operation.",
    "The person did not consent to the service.",
    "No interpreter available for the person's language.",
    "A child: refer to child protection services.",
    "The person could not be reached at the address given.",
]

NATIONAL_ID = "national_id"


# --- Records ------------------------------------------------------------------------------


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
    remembering them (a million victims make four million references), and runs with the
    same seed that start their counters at the number of rows already stored (as the loader
    does) never collide with each other. Another seed may collide by chance with stored rows:
    the loader checks each batch and asks `spare()` for a replacement from the upper half of
    the counter space, which normal numbering never reaches.
    """

    ROUNDS = 6
    SPARE = 1 << 39

    def __init__(self, seed: int, start: dict[str, int] | None = None):
        self.keys = {}
        for prefix in ("P", "C", "R"):
            rng = random.Random(f"corridor-references:{seed}:{prefix}")
            self.keys[prefix] = [rng.getrandbits(32) for _ in range(self.ROUNDS)]
        self.counters = {"P": 0, "C": 0, "R": 0, **(start or {})}
        self.spares = {"P": 0, "C": 0, "R": 0}

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


class SyntheticGenerator:
    """Yields `VictimRecord`s: a person with one protection case (a few have an earlier,
    closed one: re-trafficking) and the referrals of those cases."""

    def __init__(
        self,
        *,
        seed: int,
        country: str,
        as_of: datetime,
        offset: int = 0,
        reference_start: dict[str, int] | None = None,
        agencies: list[AgencySpec] | None = None,
    ):
        """`offset`: persons already stored (a new stream per starting point, so appending
        with the same seed adds new people); `reference_start`: rows already stored per
        reference prefix ("P", "C", "R")."""
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
        self.count = 0
        self._index_agencies()

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
        # Providers: the demo's shelter, police unit and prosecutors receive a good share of the
        # referrals, so that their users have work to see; border police rarely receive any.
        receiving = {
            a.name
            for role, a in self.demo.items()
            if role in ("provider", "investigator", "prosecutor")
        }

        def provider_weight(a: AgencySpec) -> float:
            if a.name in receiving:
                return 4.0
            return 0.1 if "responder" in a.demo_roles else 1.0

        self.local_by_sector: dict[str, Weighted] = {}
        for sector in sorted({a.sector for a in local}):
            pairs = [(a.name, provider_weight(a)) for a in local if a.sector == sector]
            self.local_by_sector[sector] = Weighted(pairs)
        self.local_any = Weighted([(a.name, 1.0) for a in local])
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

    def _local(self, *sectors: str) -> str:
        for sector in sectors:
            if sector in self.local_by_sector:
                return self.local_by_sector[sector].pick(self.rng)
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

    def victim(self) -> VictimRecord:
        rng = self.rng
        index, self.count = self.count, self.count + 1
        nat: Nationality = NATIONALITIES[self.nationalities.pick(rng)]
        form = nat.profiles.pick(rng)
        profile = PROFILES[form]
        group = _pick_group(rng, nat)

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
        case_days = self._case_age_days()
        status = CASE_STATUSES[index] if index < len(CASE_STATUSES) else self._stage(case_days)
        if index < len(CASE_STATUSES) and status != "identified":
            case_days = max(case_days, 120 + rng.randint(0, 400))
        opened_at = self.as_of - timedelta(seconds=case_days * DAY + rng.randint(0, DAY - 1))
        created_at = opened_at - timedelta(seconds=rng.randint(0, 6 * HOUR))

        given, family, aliases = self._names(nat, group, female, form)
        dob, est_min, est_max, disputed = self._age_record(age, minor, created_at)
        doc_type, doc_number = self._document(nat, minor)

        finder = profile.finders.pick(rng)
        place, route = self._route(nat, group, form, finder)
        owner = self._owner(nat, finder, route[0])
        narrative = self._narrative(nat, group, profile, form, route, finder, place)

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
            languages=self._languages(group),
            phone=self._phone(nat),
            email=self._email(given, family),
            address=self._address(place),
            document_type=doc_type,
            document_number=doc_number,
            narrative=narrative,
            created_at=created_at,
        )
        is_minor = minor or disputed or (dob is None and est_min is None)
        kind = "smuggling" if form == "smuggled" else "trafficking"
        if rng.random() < 0.02 and 60 < case_days < 900:
            # Re-trafficked: an earlier case, closed before this one opened.
            earlier_days = rng.randint(case_days + 150, 1094)
            self._case(
                victim,
                owner,
                kind,
                form,
                is_minor,
                "closed",
                self.as_of - timedelta(seconds=earlier_days * DAY),
                until=opened_at,
                force=False,
            )
        self._case(
            victim,
            owner,
            kind,
            form,
            is_minor,
            status,
            opened_at,
            until=self.as_of,
            force=index < len(CASE_STATUSES),
        )
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
        for sector in (finder, "police", "immigration", "anti_trafficking"):
            if sector in self.identifiers:
                return self.identifiers[sector].pick(self.rng)
        return self.local_any.pick(self.rng)

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

    def _case(
        self,
        victim: VictimRecord,
        person_owner: str,
        kind: str,
        form: str,
        minor: bool,
        status: str,
        opened_at: datetime,
        *,
        until: datetime,
        force: bool,
    ) -> None:
        rng = self.rng
        roll = rng.random()
        if person_owner not in self.local_any.items:
            owner = self.coordination  # received from a partner country: the NRM opens it
        elif roll < 0.55:
            owner = person_owner
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
        span = (until - opened_at).total_seconds()
        closed_at = None
        if status == "closed":
            closed_at = opened_at + timedelta(seconds=int(span * rng.uniform(0.2, 0.95)))
        case_index = len(victim.cases)
        victim.cases.append(
            CaseRecord(self.refs.new("C"), owner, kind, status, forms, risk, opened_at, closed_at)
        )
        self._referrals(
            victim,
            case_index,
            owner,
            status,
            minor,
            kind,
            opened_at,
            closed_at or self.as_of,
            force=force,
        )

    def _referrals(self, victim, case_index, owner, status, minor, kind, start, end, *, force):
        rng = self.rng
        low, high = REFERRAL_COUNT[status]
        n = rng.randint(low, high)
        if force:  # the covering victims show every referral status
            statuses = {
                "presumed_victim": ["sent"],
                "referred": ["sent", "declined"],
                "assisted": ["accepted", "in_progress", "completed"],
                "closed": ["completed", "withdrawn"],
            }.get(status)
        else:
            statuses = None
        if statuses is None:
            statuses = [REFERRAL_MIX[status].pick(rng) for _ in range(n)] if n else []
        services = self._services(status, minor, kind, len(statuses))
        overdue_first = force and status == "referred"
        for service, ref_status in zip(services, statuses, strict=False):
            to_agency = self._provider(service, victim.nationality, owner, victim.narrative)
            span = max((end - start).total_seconds(), HOUR)
            if ref_status == "sent":
                # Unanswered: most for longer than the 48 hours a provider has to reply.
                overdue = overdue_first or rng.random() < 0.65
                ago = rng.randint(49 * HOUR, 12 * DAY) if overdue else rng.randint(HOUR, 40 * HOUR)
                created = max(self.as_of - timedelta(seconds=ago), start)
                overdue_first = False
            else:
                created = start + timedelta(seconds=int(span * rng.uniform(0.0, 0.6)))
            responded = completed = None
            decline = ""
            if ref_status in ("accepted", "declined", "in_progress", "completed"):
                room = max((end - created).total_seconds(), 60)
                responded = created + timedelta(
                    seconds=int(min(rng.uniform(2 * HOUR, 72 * HOUR), room * 0.3))
                )
            if ref_status == "completed":
                room = max((end - responded).total_seconds(), 60)
                completed = responded + timedelta(seconds=int(room * rng.uniform(0.1, 0.9)))
            if ref_status == "declined":
                decline = rng.choice(DECLINE_REASONS)
            victim.referrals.append(
                ReferralRecord(
                    self.refs.new("R"),
                    case_index,
                    owner,
                    to_agency,
                    service,
                    ref_status,
                    NOTES[service],
                    decline,
                    created,
                    responded,
                    completed,
                )
            )

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

    def _provider(self, service: str, nationality: str, sender: str, narrative: str) -> str:
        if service == "return_reintegration" and self.rng.random() < 0.5:
            origin = narrative.removeprefix("Approached in ").split(" by ", 1)[0]
            foreign = self._foreign(nationality, origin, "international", "anti_trafficking")
            if foreign and nationality != self.country:
                return foreign
        for _ in range(3):  # an agency does not refer to itself
            provider = self._local(*SERVICE_SECTORS[service])
            if provider != sender:
                break
        return provider


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
