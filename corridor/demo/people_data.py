"""Who the victims of the synthetic data set are: nationalities and their names, places of
origin, languages, phone numbers and documents; the spellings of one name that different
agencies write (the linkage problem in miniature).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from corridor.demo.sampling import Weighted, weighted


def _words(text: str) -> list[str]:
    return text.split()


# --- Nationalities: names, places of origin, languages, phones, documents ------------------


@dataclass(frozen=True)
class NameGroup:
    """The names of one people of a nationality. A few names are given far more often than
    the others (`COMMON_NAMES`): many different persons share one name, as in the field, so
    a name alone never tells two persons apart."""

    weight: float
    male: list[str]
    female: list[str]
    family: list[str]
    cities: list[str]
    languages: list[str]  # ISO 639-1, most spoken first
    pick_male: Weighted = field(init=False, repr=False, compare=False)
    pick_female: Weighted = field(init=False, repr=False, compare=False)
    pick_family: Weighted = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        for pool in ("male", "female", "family"):
            names = getattr(self, pool)
            picker = Weighted([(name, COMMON_NAMES.get(name, 1.0)) for name in names])
            object.__setattr__(self, f"pick_{pool}", picker)


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


# How many times more often than the other names of its pool a name is given or carried
# (1 for the names not listed). Fula, Mande and Wolof pools are dominated by a handful of
# names (Diallo, Traoré, Mamadou, Fatoumata...), Edo women by Blessing and Precious.
COMMON_NAMES = {
    **dict.fromkeys(_words("Mohamed Mamadou Fatoumata Blessing Diallo Traoré"), 5.0),
    **dict.fromkeys(_words("Aminata Fatou Fatima Camara Coulibaly Diop Ndiaye Jallow"), 4.0),
    **dict.fromkeys(
        _words(
            "Ibrahima Moussa Ousmane Abdoulaye Ibrahim Ahmed Abdi Mariama Mariam Aissatou "
            "Precious Aisha Khadija Bah Barry Keïta Keita Touré Okafor Eze Mensah Ouédraogo "
            "Koné Ceesay Osman"
        ),
        3.0,
    ),
    **dict.fromkeys(
        _words(
            "Amadou Seydou Boubacar Adama Souleymane Musa Osagie Kwame Kofi Yonas Dawit Awa "
            "Hawa Kadiatou Joy Favour Senait Sow Diarra Igbinedion Owusu Sawadogo Haile Tesfay "
            "Bekele Ali Yusuf Bello Fall"
        ),
        2.0,
    ),
}


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
            weighted(
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
            weighted(
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
            weighted(
                "sexual:25 domestic_servitude:20 forced_labour:20 smuggled:15 forced_begging:5"
            ),
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
            weighted(
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
            weighted(
                "forced_labour:45 forced_begging:10 smuggled:18 domestic_servitude:5 sexual:5"
            ),
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
            weighted(
                "forced_begging:20 forced_labour:25 smuggled:22 sexual:5 domestic_servitude:5"
            ),
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
            weighted(
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
            weighted("sexual:30 forced_labour:20 domestic_servitude:15 smuggled:18"),
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
            weighted("forced_labour:45 forced_begging:15 smuggled:15 domestic_servitude:10"),
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
            weighted(
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
            weighted("smuggled:28 forced_labour:15 sexual:20 domestic_servitude:10"),
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
            weighted("domestic_servitude:30 smuggled:20 forced_labour:15 sexual:15"),
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
            weighted("smuggled:30 forced_labour:15 sexual:15 domestic_servitude:10"),
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
            weighted(
                "smuggled:28 forced_labour:25 sexual:10 domestic_servitude:5 forced_criminality:5"
            ),
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
            weighted(
                "forced_criminality:25 smuggled:20 forced_labour:20 sexual:10 forced_begging:5"
            ),
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


_GROUP_PICKERS = {
    code: Weighted([(g, g.weight) for g in nat.groups]) for code, nat in NATIONALITIES.items()
}


def pick_group(rng: random.Random, nat: Nationality) -> NameGroup:
    if len(nat.groups) == 1:
        return nat.groups[0]
    return _GROUP_PICKERS[nat.code].pick(rng)
