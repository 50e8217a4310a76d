"""What the other records of one person look like: the spellings of a name that agencies of
other countries and languages write, the Arabic-script spellings that North African and
Sudanese officers write of West African names, the transit towns and the countries they are
in, how each country writes a phone number at home, and what each kind of agency notes
when it registers someone.
"""

from __future__ import annotations

from corridor.demo.sampling import weighted


def _table(text: str) -> dict[str, list[str]]:
    """'Name=Spelling,Other Spelling; ...' -> {"Name": ["Spelling", "Other Spelling"]}."""
    table = {}
    for entry in text.split(";"):
        if entry.strip():
            name, spellings = entry.split("=")
            table[name.strip()] = [s.strip() for s in spellings.split(",")]
    return table


# Spellings of one name as other agencies write it: French, English, Italian and Portuguese
# transcriptions of Fula, Mande, Wolof, Hausa, Edo, Tigrinya, Somali and Arabic names, and
# the accents that a keyboard without them drops. Every key is a name of the pools in
# `people_data`.
SPELLINGS = _table(
    """
Mohamed=Mohammed,Muhammad,Mohamad,Mouhamed,Mohammad; Mamadou=Mamadu,Mammadou,Mamado;
Momodou=Momodu,Mamadou; Modou=Modu,Moudou; Mahamadou=Mahamadu,Mohamadou,Mahammadou;
Ousmane=Usman,Othman,Ousman,Osmane,Usmane; Ousman=Ousmane,Usman; Osman=Othman,Usman,Osmane;
Othmane=Othman,Osman,Otmane; Usman=Ousmane,Usmanu; Ibrahima=Ibrahim,Ibraima,Ibrahimah;
Ibrahim=Ibrahima,Ebrahim,Ibraheem; Ebrima=Ibrahima,Ebrimah;
Abdoulaye=Abdulai,Abdoulay,Abdoulahi,Abdullahi; Abdullahi=Abdoulaye,Abdullah,Abdulahi;
Moussa=Musa,Mussa,Mousa; Musa=Moussa,Muusa; Amadou=Ahmadou,Amadu,Hamadou;
Seydou=Saidou,Seidou,Seydu; Oumar=Omar,Umar,Oumare; Omar=Oumar,Umar; Omer=Omar,Umar;
Boubacar=Abubakar,Boubakar,Bubacarr,Aboubacar; Aboubacar=Abubakar,Boubacar,Aboubakar;
Abubakar=Aboubacar,Abubakr,Boubacar; Souleymane=Sulayman,Suleiman,Souleyman,Sulaiman;
Sulayman=Souleymane,Suleiman; Suleiman=Sulayman,Souleymane,Sleiman; Adama=Adam,Adamah;
Idrissa=Idrisa,Idriss,Drissa; Drissa=Idrissa,Dricha; Bakary=Bakari,Bakarry,Backary;
Sekou=Sékou,Sheku,Seku; Lamin=Lamine,Alamin; Lamine=Lamin,Al-Amine;
Cheikh=Sheikh,Cheick,Shaykh; Moustapha=Mustafa,Mostapha,Moustafa; Mustafa=Moustapha,Mostafa;
Alpha=Alfa; Thierno=Tierno,Cerno; Alieu=Aliou,Alieuh; Issouf=Issoufou,Yussuf;
Issoufou=Issifou,Issoufa; Yacouba=Yakouba,Yakuba,Yacoub; Yakubu=Yacouba,Yakub;
Hamidou=Amidou,Hamidu; Harouna=Haruna,Harounah; Haroun=Harun,Haroon;
Kouassi=Kwasi,Kouasi; Koffi=Kofi,Kofie; Kofi=Koffi,Coffie; Kwame=Kwami,Kouame;
Kwabena=Kwabina; Kwaku=Kwakou; Kojo=Kodjo,Codjo; Emmanuel=Emanuel,Emmanual;
Yonas=Yohannes,Jonas,Yonass; Dawit=David,Dawitt; Tesfay=Tesfaye,Tesfai; Tesfaye=Tesfay,Tesfai;
Kidane=Kidanè,Kidana; Mehari=Mehary; Filmon=Philemon,Filimon; Biniam=Biniyam,Beniam;
Yemane=Yemaneh,Yemani; Tekle=Tecle,Teklé; Yohannes=Yohanes,Johannes;
Osagie=Osaghae,Osaje; Osaro=Osaru; Efosa=Efossa; Eghosa=Egosa; Osahon=Osaon;
Chukwuemeka=Chukwuemeke,Emeka; Emeka=Chukwuemeka; Oluwaseun=Oluseun,Seun;
Youssef=Yousef,Youssif,Yusuf; Yousif=Youssef,Yusuf,Yousef; Yusuf=Yousef,Youssouf,Yussuf;
Ahmed=Ahmad,Ahmet,Amed; Hassan=Hasan,Hassane; Abdelrahman=Abdulrahman,Abderrahmane,Abdel Rahman;
Abdirahman=Abdulrahman,Abdurahman; Rachid=Rashid,Rachide; Zakaria=Zakariya,Zakariae,Zacharia;
Hamza=Hamzah; Ayoub=Ayub,Ayyoub; Ismail=Ismaël,Ismaïl,Esmail; Ilyas=Elias,Iliass;
Said=Saïd,Saeed; Karim=Kareem; Mehdi=Mahdi; Amine=Amin; Yassine=Yasin,Yacine;
Mohamud=Mahmoud,Mohamoud,Mahmud; Abdi=Abdy,Cabdi; Babiker=Babikir; Adam=Adama,Adem;
Hamid=Hamed,Hamidou; Ishag=Ishaq,Ishak; Hervé=Herve;
Fatoumata=Fatimata,Fatumata,Fatoumatta,Fatmata; Fatimata=Fatoumata,Fatimatou;
Fatou=Fatu,Fatoo; Fatima=Fatma,Fatimah,Fatouma; Aminata=Aminatou,Aminatta,Aminetou;
Aissatou=Aïssatou,Aisatou,Aissata,Isatou; Isatou=Aissatou,Isatu;
Aïcha=Aicha,Aisha,Aïsha,Aysha; Aisha=Aïcha,Aicha,Ayesha,Aishat; Aïchatou=Aichatou,Aishatu;
Mariama=Mariame,Maryama,Mariyama; Mariam=Maryam,Meriem,Mariem; Meryem=Mariam,Meriem;
Kadiatou=Kadiatu,Khadiatou,Kadijatou; Hawa=Haoua,Hawwa; Awa=Aoua,Awah;
Djenabou=Dienabou,Jenabu; Djeneba=Jeneba,Dieneba; Oumou=Umu,Oumo; Rokia=Rokiya,Rokiatou;
Salimata=Salimatou,Salamata; Kadidiatou=Kadiatou,Khadidiatou; Zénabo=Zenabo,Zeinabou;
Zeinabou=Zénabo,Zainabu; Hadiza=Hadizatou,Adiza; Halima=Halimatou,Halimah;
Zainab=Zeinab,Zaynab; Khadija=Khadidja,Kadija,Khadijah; Hauwa=Hawa,Hauwau;
Ndeye=Ndèye,Ndey; Ndey=Ndeye; Khady=Khadi,Kady; Coumba=Koumba,Kumba; Binta=Bintou,Bintu;
Mabinty=Mabinti,Mabintou; Ngozi=Ngozie; Chioma=Chiomah; Ifeoma=Ifeomah;
Senait=Sennait,Senayt; Tigist=Tigest; Hiwet=Hiwot; Hiwot=Hiwet; Yordanos=Jordanos;
Rahwa=Rahua; Feven=Faven,Fiven; Luwam=Luam; Faadumo=Fadumo,Fatuma,Faduma; Asha=Aasha,Aisha;
Hodan=Hodaan; Hibaaq=Hibak; Sahra=Sahara,Zahra; Maryan=Maryam,Mariam; Deeqa=Deka,Dega;
Ifrah=Ifra; Joséphine=Josephine; Nadège=Nadege;
Diallo=Djalo,Jallow,Jalloh,Diallow,Dialo; Jallow=Diallo,Jalloh,Djallo; Bah=Ba,Baa; Ba=Bah;
Barry=Bari,Barrie; Sow=Sowe,Sou; Sowe=Sow; Camara=Kamara,Camarah; Condé=Conde,Kondeh,Kondé;
Keita=Keïta,Kaita,Keitah; Keïta=Keita,Kaita; Soumah=Souma,Sumah; Sylla=Silla,Sillah,Sila;
Sillah=Sylla,Silla; Touré=Toure,Turay,Touray; Touray=Touré,Turay; Balde=Baldé,Baldeh;
Kourouma=Kuruma; Traoré=Traore,Trawore,Traouré; Coulibaly=Kulibali,Koulibaly,Coulibali;
Diarra=Jarra,Diara,Dyarra; Konaté=Konate,Konateh,Kounate; Sissoko=Cissoko,Sisoko;
Dembélé=Dembele,Dembelé; Sangaré=Sangare,Sangari; Diakité=Diakite,Jakite,Diakhité;
Doumbia=Dumbia,Doumbya; Kanté=Kante,Kanteh; Maïga=Maiga,Mayga; Cissé=Cisse,Sisse,Ceesay;
Cisse=Cissé,Ceesay; Ceesay=Cissé,Sisay; Ndiaye=N'Diaye,Njie,Ndiay; Njie=Ndiaye,N'Jie;
Diop=Jobe,Diope; Jobe=Diop,Job; Gueye=Guèye,Gaye; Fall=Fal; Sarr=Sar; Seck=Sek;
Thiam=Tiam,Cham; Mbaye=M'Baye,Mbay; Faye=Fay; Sanneh=Sané,Sanne; Darboe=Darbo;
Drammeh=Dramé,Drame; Ouattara=Watara,Wattara,Ouatara; Koné=Kone,Konneh; Kouamé=Kouame,Kwame;
N'Guessan=Nguessan,N'Gessan; Kouadio=Kwadio; Diabaté=Diabate,Jabaté;
Ouédraogo=Ouedraogo,Wedraogo,Ouedrago; Sawadogo=Savadogo; Compaoré=Compaore,Kompaore;
Kaboré=Kabore; Nikiéma=Nikiema; Mahamane=Mahaman,Mohamane; Oumarou=Umaru,Oumaru;
Saidou=Seydou,Saydou; Igbinedion=Igbinidion,Igbinedium; Omoruyi=Omoruyie,Omoroyi;
Idahosa=Idahossa; Okafor=Okafur,Okaafor; Okonkwo=Okonko; Nwachukwu=Nwachuku; Chukwu=Chuku;
Adeyemi=Adeyimi; Mensah=Mensa,Menssah; Owusu=Owusuh; Asante=Ashanti,Asanté; Boateng=Boatang;
Appiah=Apiah; Agyeman=Agyemang; Tetteh=Teteh; Ghebremedhin=Gebremedhin,Ghebremedin;
Tesfamariam=Tesfamaryam; Woldemichael=Woldemikael,Weldemichael; Gebreyesus=Ghebreyesus;
Berhane=Berhani,Brhane; Kahsay=Kahsai; Ghebreab=Gebreab; Andemariam=Andemaryam;
Haile=Hailé,Hayle; Tadesse=Tadese,Taddese; Kebede=Kebbede; Mekonnen=Mekonen; Hailu=Hailou;
Abdallah=Abdalla,Abdullah,Abdellah; Elamin=El Amin,Al-Amin,Alamin;
Eltayeb=El Tayeb,Altayeb; El-Idrissi=Idrissi,El Idrissi,Elidrissi; Alaoui=Alaui,Alawi;
El-Fassi=Fassi,El Fassi; Benali=Ben Ali,Ben-Ali; Moussaoui=Moussaui,Mousaoui;
Boukhari=Bukhari,El Boukhari; Tahiri=Tahri; Bennani=Benani; Amrani=El Amrani;
Warsame=Warsama; Guled=Guuleed; Dahir=Daahir,Tahir; Egal=Igal,Cigaal; Samatar=Samater;
Nur=Nuur,Noor; Jama=Jaamac,Jamaa
"""
)

# Arabic-script spellings of West African names, as Libyan, Tunisian, Moroccan, Algerian or
# Sudanese officers write them from what they hear (the Sudanese, Moroccan and Somali names
# are in `people_data.ARABIC`). A Muslim name takes its Arabic form (Ousmane: عثمان), a
# Fula or Mande one is spelt out sound by sound (Diallo: ديالو).
ARABIC_SPELLINGS = {
    name: spelling.replace("_", " ")
    for name, spelling in (
        pair.split("=")
        for pair in """
Mamadou=مامادو Momodou=مومودو Modou=مودو Mahamadou=محمدو Fatoumata=فاتوماتا Fatimata=فاطماتا
Fatou=فاتو Aminata=أميناتا Aissatou=عيساتو Isatou=إيساتو Aïcha=عائشة Aisha=عائشة Aïchatou=عائشاتو
Mariama=مارياما Kadiatou=كادياتو Awa=عوا Ousmane=عثمان Ousman=عثمان Usman=عثمان
Ibrahima=إبراهيما Ebrima=إبريما Abdoulaye=عبد_الله Moussa=موسى Amadou=أمادو Seydou=سيدو
Oumar=عمر Boubacar=بوبكر Aboubacar=أبو_بكر Abubakar=أبو_بكر Souleymane=سليمان Sulayman=سليمان
Adama=آداما Idrissa=إدريسا Drissa=دريسا Bakary=باكاري Sekou=سيكو Lamin=لامين Lamine=لامين
Cheikh=شيخ Moustapha=مصطفى Alpha=ألفا Thierno=تيرنو Issoufou=يوسفو Yacouba=يعقوبا
Yakubu=يعقوب Harouna=هارونا Hadiza=هديزة Hauwa=حواء Amina=أمينة Maryam=مريم Sani=ساني
Aliyu=عليو Bashir=بشير Binta=بينتا Djenabou=جينابو Djeneba=جينيبا Salimata=ساليماتا
Salamata=سلاماتا Oumou=أومو Rokia=رقية Diallo=ديالو Jallow=جالو Bah=باه Ba=با Barry=باري Sow=سو
Camara=كامارا Condé=كوندي Keita=كيتا Keïta=كيتا Soumah=سوما Sylla=سيلا Touré=توري
Balde=بالدي Traoré=تراوري Coulibaly=كوليبالي Diarra=ديارا Konaté=كوناتي Sissoko=سيسوكو
Dembélé=دمبيلي Sangaré=سنغاري Diakité=دياكيتي Kanté=كانتي Maïga=مايغا Cissé=سيسي Cisse=سيسي
Ceesay=سيساي Ndiaye=انجاي Njie=انجي Diop=ديوب Fall=فال Sy=سي Gueye=غي Seck=سيك Thiam=تيام
Sarr=سار Koné=كوني Ouattara=واتارا Bamba=بامبا Doumbia=دومبيا Ouédraogo=ويدراوغو
Sawadogo=ساوادوغو Garba=غاربا Bello=بلو Lawal=لاوال Sule=سولي Danjuma=دانجوما Mahamane=محمان
Oumarou=عمرو Saidou=سعيدو Abdou=عبدو Hamani=حماني Touray=توراي Sanneh=سانه Darboe=داربو
Drammeh=درامي
""".split()
    )
}

# How often an agency of a country writes names in Arabic script.
ARABIC_SCRIPT_AGENCIES = {"LY": 0.7, "SD": 0.6, "DZ": 0.3, "TN": 0.3, "MA": 0.25}
# Agencies of these countries write transcriptions the French way (Ousmane, Diallo,
# Fatoumata); the others drop the accents a French keyboard has (Traoré: Traore).
FRENCH_WRITING = frozenset("FR ML NE SN GN CI BF MA DZ TN CM".split())

# The transit towns of `routes_data.ROUTES` that no agency of the catalogue sits in.
TRANSIT_COUNTRY = {
    town.replace("_", " "): country
    for town, country in (
        pair.split("=")
        for pair in """
Sebha=LY Kufra=LY Qatrun=LY Sabratha=LY Bani_Walid=LY Benghazi=LY Ajdabiya=LY Tobruk=LY
Zinder=NE Niamey=NE Dongola=SD Khartoum=SD Maghnia=DZ Debdeb=DZ Algiers=DZ Oran=DZ
Nador=MA Tangier=MA Casablanca=MA Tunis=TN Kano=NG Lagos=NG Nouakchott=MR Nouadhibou=MR
""".split()
    )
}

# A nationality recorded by mistake, or as the person claimed it: a neighbour's.
NEIGHBOURS = {
    "GN": ["SN", "ML"],
    "ML": ["BF", "GN", "SN"],
    "SN": ["GM", "GN", "ML"],
    "GM": ["SN"],
    "CI": ["BF", "ML", "GH"],
    "BF": ["ML", "CI", "NE"],
    "NE": ["NG", "ML"],
    "NG": ["GH", "CM", "NE"],
    "GH": ["NG", "CI"],
    "CM": ["NG"],
    "ER": ["ET", "SD"],
    "ET": ["ER", "SO"],
    "SO": ["ET"],
    "SD": ["ER"],
    "MA": ["DZ"],
}

# Where a national number starts with a trunk prefix (0803... for +234 803...).
TRUNK_PREFIX = {
    "+234": "0",
    "+233": "0",
    "+33": "0",
    "+212": "0",
    "+251": "0",
    "+291": "0",
    "+249": "0",
    "+218": "0",
    "+213": "0",
    "+252": "0",
}

# Which agencies register the same person again, by sector, and how often.
REGISTRAR_SECTORS = weighted(
    "police:3 immigration:3 shelter:3 ngo:2 international:2 social_services:1 "
    "labour_inspection:1 anti_trafficking:1"
)

# What an agency notes when it registers someone (no names: the narrative is shown widely).
REGISTRATION_NOTES = {
    "police": [
        "Identified during a police operation; statement taken with an interpreter.",
        "Came forward at the police station to report the exploiters.",
    ],
    "immigration": [
        "Registered on disembarkation; fingerprints taken.",
        "Registered at the border post; questioned with an interpreter.",
    ],
    "shelter": [
        "Admitted to the shelter; intake interview with a cultural mediator.",
        "Referred to the shelter by an outreach worker; intake form filled in.",
    ],
    "ngo": [
        "Met by the street outreach unit; gave a first name and a phone number.",
        "Contacted the outreach team by phone; first meeting at the drop-in centre.",
    ],
    "international": [
        "Registered for assisted voluntary return; travel document requested.",
        "Registered at the transit centre; medical check and counselling.",
    ],
    "social_services": ["Taken into care as an unaccompanied child; guardian requested."],
    "labour_inspection": ["Found during a labour inspection; no contract, wages withheld."],
    "anti_trafficking": ["Registered by the national referral mechanism on a partner's report."],
}
