"""Reading registers and exports, and turning their cells into Corridor values.

Nothing here writes to the database: `read_table` reads CSV or XLSX into rows numbered as
the user sees them in a spreadsheet (the header is row 1), and the `parse_*` functions
turn one cell into a value or raise `CellError` with a reason the user can act on.
Paper registers in this region are kept in English and French, so headers and values are
recognised in both.
"""

from __future__ import annotations

import csv
import functools
import gettext
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import phonenumbers
import pycountry
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.cases.models import ProtectionCase
from corridor.people.models import Person
from corridor.vocabularies import Exploitation, Sex

MAX_AGE = 120


class FileError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, no header, wrong encoding)."""


class CellError(Exception):
    """One cell's value is not acceptable; the message says why."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as in the spreadsheet, header → text)


@dataclass(frozen=True)
class RowError:
    """A rejected row: its number (header = row 1), the file's column, the field, why."""

    row: int | None
    column: str
    field: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }


@dataclass(frozen=True)
class Target:
    """A Corridor field a register column can fill."""

    name: str
    label: Promise
    synonyms: tuple[str, ...] = ()
    case_field: bool = False


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation: "Prénom(s)" → "prenoms"."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("(s)", "s").replace("°", " ")
    return " ".join(re.sub(r"[^0-9a-z\u0600-\u06ff]+", " ", text).split())


TARGETS: tuple[Target, ...] = (
    Target(
        "given_name",
        gettext_lazy("Given name"),
        ("given name", "first name", "firstname", "forename", "prenom", "prenoms", "prs_firstname"),
    ),
    Target(
        "family_name",
        gettext_lazy("Family name"),
        (
            "family name",
            "last name",
            "lastname",
            "surname",
            "nom",
            "nom de famille",
            "prs_secondname",
        ),
    ),
    Target(
        "aliases",
        gettext_lazy("Aliases"),
        ("aliases", "alias", "also known as", "aka", "surnom", "surnoms", "autres noms"),
    ),
    Target("sex", gettext_lazy("Sex"), ("sex", "gender", "sexe", "genre", "prs_gender")),
    Target(
        "date_of_birth",
        gettext_lazy("Date of birth"),
        (
            "date of birth",
            "birth date",
            "birthdate",
            "dob",
            "date de naissance",
            "ne le",
            "nee le",
            "ne e le",
            "prs_birthdate",
        ),
    ),
    Target(
        "age",
        gettext_lazy("Age (one number, or a range such as 15-17)"),
        ("age", "estimated age", "age estime", "age apparent", "ans"),
    ),
    Target(
        "age_estimate_min",
        gettext_lazy("Estimated age from"),
        ("age min", "minimum age", "estimated age from", "age minimum", "age estime min"),
    ),
    Target(
        "age_estimate_max",
        gettext_lazy("Estimated age to"),
        ("age max", "maximum age", "estimated age to", "age maximum", "age estime max"),
    ),
    Target(
        "nationality",
        gettext_lazy("Nationality"),
        (
            "nationality",
            "citizenship",
            "country",
            "country of origin",
            "nationalite",
            "pays",
            "pays d origine",
            "prs_citizenship",
        ),
    ),
    Target(
        "languages",
        gettext_lazy("Languages"),
        ("languages", "language", "languages spoken", "langues", "langue", "langues parlees"),
    ),
    Target(
        "phone",
        gettext_lazy("Phone"),
        (
            "phone",
            "phone number",
            "telephone",
            "mobile",
            "mobile phone",
            "tel",
            "portable",
            "numero de telephone",
            "prs_mobilephone",
        ),
    ),
    Target(
        "email",
        gettext_lazy("E-mail"),
        ("email", "e mail", "mail", "courriel", "adresse e mail", "adresse email", "prs_email"),
    ),
    Target(
        "address",
        gettext_lazy("Address"),
        ("address", "adresse", "domicile", "prs_mailingstreet"),
    ),
    Target(
        "document_type",
        gettext_lazy("Document type"),
        ("document type", "type of document", "type de document", "type de piece", "piece"),
    ),
    Target(
        "document_number",
        gettext_lazy("Document number"),
        (
            "document number",
            "passport number",
            "numero de document",
            "numero du document",
            "numero de passeport",
            "n document",
            "no document",
            "n de document",
            "n de passeport",
            "no de passeport",
            "n passeport",
        ),
    ),
    Target(
        "narrative",
        gettext_lazy("Narrative"),
        (
            "narrative",
            "notes",
            "remarks",
            "comments",
            "observations",
            "recit",
            "commentaires",
            "remarques",
        ),
    ),
    Target(
        "form_of_exploitation",
        gettext_lazy("Form of exploitation (opens a case)"),
        (
            "form of exploitation",
            "forms of exploitation",
            "type of exploitation",
            "exploitation",
            "forme d exploitation",
            "formes d exploitation",
            "type d exploitation",
            "vic_typeofexploitation",
        ),
        case_field=True,
    ),
    Target(
        "case_kind",
        gettext_lazy("Case kind: trafficking or smuggling (opens a case)"),
        ("case kind", "case type", "kind of case", "type de cas", "type de dossier", "dossier"),
        case_field=True,
    ),
)
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
_BY_SYNONYM = {normalise(s): t.name for t in TARGETS for s in (t.name, *t.synonyms)}


def auto_mapping(headers: Iterable[str]) -> dict[str, str]:
    """Map the headers that are known spellings of a Corridor field, each field once."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = _BY_SYNONYM.get(normalise(header))
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
    return mapping


# --- reading files ------------------------------------------------------------------------


def read_table(content: bytes, file_name: str) -> Table:
    """The header row and the data rows of a CSV or XLSX file; blank rows are skipped."""
    name = file_name.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if name.endswith((".csv", ".txt", ".tsv")):
        return _read_csv(content)
    raise FileError(_("Send a CSV or an Excel (.xlsx) file."))


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file is not readable text: save it as CSV UTF-8."))


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(((number, row) for number, row in enumerate(reader, start=1)))


# A register is at most this big once read: more is a mistake or a decompression bomb.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PACKING_RATIO = 100


def _check_xlsx_size(content: bytes) -> None:
    """Refuse a workbook whose parts unpack to far more than any register (a 'zip bomb')
    before opening it: reading one takes minutes of CPU and gigabytes of memory."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileError(_("The Excel file cannot be read: {error}").format(error=exc)) from exc
    if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_PACKING_RATIO * max(len(content), 1):
        raise FileError(
            _(
                "This Excel file unpacks to {size} MB, far more than a register: it is refused."
            ).format(size=unpacked // (1024 * 1024))
        )


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for a broken file
        raise FileError(_("The Excel file cannot be read: {error}").format(error=exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(rows)
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(rows: Iterable[tuple[int, list[str]]]) -> Table:
    headers: list[str] | None = None
    data: list[tuple[int, dict[str, str]]] = []
    for number, cells in rows:
        if number > MAX_ROWS + 1000 or len(cells) > MAX_COLUMNS * 50:
            raise FileError(_too_big())
        cells = [str(c).replace("\x00", "").strip() for c in cells]  # NUL is never text
        while cells and not cells[-1]:
            cells.pop()  # trailing empty cells, as spreadsheets pad rows
        if len(cells) > MAX_COLUMNS:
            raise FileError(
                _("Row {row} has more than {count} columns: is this a register?").format(
                    row=number, count=MAX_COLUMNS
                )
            )
        if headers is None:
            if not any(cells):
                continue
            headers = cells
            while headers and not headers[-1]:
                headers.pop()
            _check_headers(headers)
            continue
        if not any(cells):
            continue
        data.append(
            (number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers)})
        )
        if len(data) > MAX_ROWS:
            raise FileError(_too_big())
    if headers is None:
        raise FileError(_("The file is empty: it needs a header row and at least one row."))
    if not data:
        raise FileError(_("The file has a header row but no data rows."))
    return Table(headers, data)


def _too_big() -> str:
    return _("The file has more than {count} rows: split it into several registers.").format(
        count=f"{MAX_ROWS:,}"
    )


def _check_headers(headers: list[str]) -> None:
    seen = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise FileError(
                _("Column {position} has no header: name every column.").format(position=position)
            )
        if header in seen:
            raise FileError(
                _("Two columns are both named “{header}”: rename one.").format(header=header)
            )
        seen.add(header)


# --- values -------------------------------------------------------------------------------

_SEX = {
    Sex.FEMALE: (
        "f",
        "female",
        "woman",
        "girl",
        "w",
        "femme",
        "feminin",
        "fille",
        "femenino",
        "feminino",
        "mulher",
        "انثى",
        "أنثى",
    ),
    Sex.MALE: (
        "m",
        "male",
        "man",
        "boy",
        "h",
        "homme",
        "masculin",
        "garcon",
        "masculino",
        "homem",
        "ذكر",
    ),
    Sex.OTHER: ("o", "x", "other", "autre", "outro"),
    Sex.UNKNOWN: (
        "unknown",
        "u",
        "inconnu",
        "inconnue",
        "nsp",
        "ne sait pas",
        "non precise",
        "nd",
        "n a",
        "desconhecido",
    ),
}
_SEX_LOOKUP = {normalise(v): code for code, values in _SEX.items() for v in (code, *values)}


def parse_sex(raw: str) -> str:
    if not raw.strip():
        return Sex.UNKNOWN
    code = _SEX_LOOKUP.get(normalise(raw)) or _SEX_LOOKUP.get(raw.strip())
    if code is None:
        raise CellError(
            _("Unknown sex “{value}”: use F, M, other or unknown (Femme, Homme…).").format(
                value=raw
            )
        )
    return code


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d")


def parse_date(raw: str) -> date | None:
    """ISO (2024-03-01) or day first (01/03/2024, 1.3.2024, 01-03-2024)."""
    text = raw.strip()
    if not text:
        return None
    text = re.sub(r"[ T]00:00(:00)?$", "", text)
    for fmt in DATE_FORMATS:
        try:
            day = datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
        if day.year < 1900:
            break
        if day > timezone.localdate():
            raise CellError(_("The date {value} is in the future.").format(value=raw))
        return day
    raise CellError(
        _("Unknown date “{value}”: write it as 2024-03-01, 01/03/2024 or 1.3.2024.").format(
            value=raw
        )
    )


def _age(text: str, raw: str) -> int:
    match = re.fullmatch(r"(\d{1,3})(?:[.,]0+)?\s*(?:ans|an|years|year|yrs|y|a)?", text.strip())
    if not match or int(match.group(1)) > MAX_AGE:
        raise CellError(
            _("Unknown age “{value}”: write a number of years from 0 to {max}.").format(
                value=raw, max=MAX_AGE
            )
        )
    return int(match.group(1))


def parse_age(raw: str) -> int | None:
    return _age(raw, raw) if raw.strip() else None


def parse_age_range(raw: str) -> tuple[int | None, int | None]:
    """ "25" → (25, 25); "15-17", "15 à 17", "15 to 17" → (15, 17)."""
    if not raw.strip():
        return None, None
    parts = re.split(r"\s*(?:-|–|/|\bto\b|\ba\b|\bà\b)\s*", raw.strip().lower())
    if len(parts) == 2 and all(parts):
        return _age(parts[0], raw), _age(parts[1], raw)
    age = _age(raw, raw)
    return age, age


# Other names people write in registers for a few countries on the routes.
_COUNTRY_ALIASES = {
    "ivory coast": "CI",
    "rdc": "CD",
    "drc": "CD",
    "dr congo": "CD",
    "congo kinshasa": "CD",
    "congo brazzaville": "CG",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "libye": "LY",
    "cap vert": "CV",
    "cape verde": "CV",
    "guinee conakry": "GN",
    "swaziland": "SZ",
    # demonyms, English and French
    "nigerian": "NG",
    "nigeriane": "NG",
    "nigerien": "NE",
    "nigerienne": "NE",
    "ghanaian": "GH",
    "ghaneen": "GH",
    "ghaneenne": "GH",
    "ivorian": "CI",
    "ivoirien": "CI",
    "ivoirienne": "CI",
    "senegalese": "SN",
    "senegalais": "SN",
    "senegalaise": "SN",
    "malian": "ML",
    "malien": "ML",
    "malienne": "ML",
    "guinean": "GN",
    "guineen": "GN",
    "guineenne": "GN",
    "gambian": "GM",
    "gambien": "GM",
    "gambienne": "GM",
    "cameroonian": "CM",
    "camerounais": "CM",
    "camerounaise": "CM",
    "eritrean": "ER",
    "erythreen": "ER",
    "erythreenne": "ER",
    "ethiopian": "ET",
    "ethiopien": "ET",
    "ethiopienne": "ET",
    "sudanese": "SD",
    "soudanais": "SD",
    "soudanaise": "SD",
    "somali": "SO",
    "somalien": "SO",
    "somalienne": "SO",
    "moroccan": "MA",
    "marocain": "MA",
    "marocaine": "MA",
    "algerian": "DZ",
    "algerien": "DZ",
    "algerienne": "DZ",
    "tunisian": "TN",
    "tunisien": "TN",
    "tunisienne": "TN",
    "libyan": "LY",
    "libyen": "LY",
    "libyenne": "LY",
    "egyptian": "EG",
    "egyptien": "EG",
    "egyptienne": "EG",
    "burkinabe": "BF",
    "togolese": "TG",
    "togolais": "TG",
    "togolaise": "TG",
    "beninese": "BJ",
    "beninois": "BJ",
    "beninoise": "BJ",
    "italian": "IT",
    "italien": "IT",
    "italienne": "IT",
    "french": "FR",
    "francais": "FR",
    "francaise": "FR",
    "spanish": "ES",
    "espagnol": "ES",
    "espagnole": "ES",
}


@functools.cache
def _countries() -> dict[str, str]:
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    lookup: dict[str, str] = {}
    for country in pycountry.countries:
        names = [country.alpha_3, country.name]
        names += [getattr(country, a, "") for a in ("common_name", "official_name")]
        names += [french.gettext(n) for n in names[1:] if n]
        for name in names:
            if name:
                lookup.setdefault(normalise(name), country.alpha_2)
        lookup[normalise(country.alpha_2)] = country.alpha_2
    for alias, code in _COUNTRY_ALIASES.items():
        lookup.setdefault(alias, code)
    return lookup


def parse_country(raw: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code (NG, NGA) or a name in English or French."""
    if not raw.strip():
        return ""
    code = _countries().get(normalise(raw))
    if code is None:
        raise CellError(
            _("Unknown country “{value}”: use an ISO code (NG) or the country's name.").format(
                value=raw
            )
        )
    return code


@functools.cache
def _languages() -> dict[str, str]:
    french = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["fr"])
    lookup: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None) or language.alpha_3
        names = [language.alpha_3, language.name, french.gettext(language.name)]
        for name in names:
            lookup.setdefault(normalise(name), code)
        if getattr(language, "alpha_2", None):
            lookup[language.alpha_2] = code
    return lookup


def parse_languages(raw: str) -> str:
    """ISO 639 codes separated by commas, from codes or names ("Bambara, français")."""
    codes: list[str] = []
    for part in re.split(r"[,;/+]|\s+(?:and|et|e)\s+", raw):
        if not part.strip():
            continue
        code = _languages().get(normalise(part))
        if code is None:
            raise CellError(
                _("Unknown language “{value}”: use ISO codes (fr, ha) or names.").format(
                    value=part.strip()
                )
            )
        if code not in codes:
            codes.append(code)
    return ", ".join(codes)


def parse_phone(raw: str, region: str) -> str:
    """E.164 (+2348031234567); a number without country code is read as `region`'s."""
    text = raw.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if region:
            message = _("“{value}” is not a valid phone number (read as a number of {country}).")
        else:
            message = _("“{value}” is not a valid phone number: add the country code (+234…).")
        raise CellError(message.format(value=raw, country=region))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_DOCUMENTS = {
    Person.DocumentType.PASSPORT: ("passport", "passeport", "passaporte", "pp"),
    Person.DocumentType.NATIONAL_ID: (
        "national id",
        "national identity card",
        "id card",
        "identity card",
        "cni",
        "carte d identite",
        "carte nationale d identite",
        "bilhete de identidade",
    ),
    Person.DocumentType.RESIDENCE_PERMIT: (
        "residence permit",
        "permis de sejour",
        "titre de sejour",
        "carte de sejour",
        "permesso di soggiorno",
    ),
    Person.DocumentType.TRAVEL_DOCUMENT: (
        "travel document",
        "document de voyage",
        "laissez passer",
        "titre de voyage",
    ),
    Person.DocumentType.BIRTH_CERTIFICATE: (
        "birth certificate",
        "acte de naissance",
        "extrait de naissance",
        "certidao de nascimento",
    ),
    Person.DocumentType.NONE: ("none", "aucun", "aucune", "sans", "no document", "sans papiers"),
}
_DOCUMENT_LOOKUP = {normalise(v): code for code, values in _DOCUMENTS.items() for v in values}
_DOCUMENT_LOOKUP.update({normalise(c): c for c in Person.DocumentType.values if c})


def parse_document_type(raw: str) -> str:
    if not raw.strip():
        return ""
    code = _DOCUMENT_LOOKUP.get(normalise(raw))
    if code is None:
        raise CellError(
            _("Unknown document type “{value}”: use one of {choices}.").format(
                value=raw, choices=", ".join(v for v in Person.DocumentType.values if v)
            )
        )
    return code


_EXPLOITATION = {
    Exploitation.SEXUAL: ("sexual exploitation", "exploitation sexuelle", "sexuelle", "sex"),
    Exploitation.FORCED_LABOUR: ("forced labour", "forced labor", "travail force", "labour"),
    Exploitation.DOMESTIC_SERVITUDE: ("domestic servitude", "servitude domestique"),
    Exploitation.FORCED_CRIMINALITY: (
        "forced criminality",
        "forced criminal activity",
        "criminalite forcee",
        "activites criminelles forcees",
    ),
    Exploitation.FORCED_BEGGING: ("forced begging", "mendicite forcee", "mendicite"),
    Exploitation.FORCED_MARRIAGE: ("forced marriage", "mariage force"),
    Exploitation.ORGAN_REMOVAL: ("organ removal", "prelevement d organes"),
    Exploitation.CHILD_SOLDIERING: ("child soldiering", "enfants soldats", "enfant soldat"),
    Exploitation.OTHER: ("other", "autre"),
    Exploitation.UNKNOWN: ("unknown", "inconnu", "inconnue", "not yet known"),
}
_EXPLOITATION_LOOKUP = {
    normalise(v): code for code, values in _EXPLOITATION.items() for v in (code, *values)
}


def parse_exploitation(raw: str) -> list[str]:
    forms: list[str] = []
    for part in re.split(r"[,;/+]", raw):
        if not part.strip():
            continue
        code = _EXPLOITATION_LOOKUP.get(normalise(part))
        if code is None:
            raise CellError(
                _("Unknown form of exploitation “{value}”: use one of {choices}.").format(
                    value=part.strip(), choices=", ".join(Exploitation.values)
                )
            )
        if code not in forms:
            forms.append(code)
    return forms


_CASE_KINDS = {
    ProtectionCase.Kind.TRAFFICKING: (
        "trafficking",
        "thb",
        "human trafficking",
        "traite",
        "traite des etres humains",
        "teh",
    ),
    ProtectionCase.Kind.SMUGGLING: (
        "smuggling",
        "som",
        "smuggled migrant",
        "trafic de migrants",
        "trafic illicite de migrants",
        "migrant objet de trafic",
    ),
}
_CASE_KIND_LOOKUP = {normalise(v): code for code, values in _CASE_KINDS.items() for v in values}


def parse_case_kind(raw: str) -> str:
    if not raw.strip():
        return ""
    code = _CASE_KIND_LOOKUP.get(normalise(raw))
    if code is None:
        raise CellError(
            _("Unknown case kind “{value}”: use trafficking or smuggling.").format(value=raw)
        )
    return code


@dataclass
class ParsedRow:
    """One register row as Corridor values, and which column each value came from."""

    number: int
    person: dict = field(default_factory=dict)
    case: dict | None = None
    columns: dict[str, str] = field(default_factory=dict)  # Corridor field → file column
    errors: list[RowError] = field(default_factory=list)

    def error(self, field_name: str, message: str) -> None:
        column = self.columns.get(field_name, "")
        self.errors.append(RowError(self.number, column, field_name, message))


TEXT_FIELDS = (
    "given_name",
    "family_name",
    "aliases",
    "email",
    "address",
    "document_number",
    "narrative",
)
_FAILED = object()


def parse_register_row(
    number: int,
    cells: dict[str, str],
    mapping: dict[str, str],
    *,
    default_region: str,
    open_case: bool = False,
) -> ParsedRow:
    """Turn one row into `register_person` fields and, when asked or filled in, a case.

    A value that cannot be read is left out of the fields (its error is reported), so the
    service can still check the rest of the row and every problem is reported at once.
    """
    by_field = {target: column for column, target in mapping.items()}
    row = ParsedRow(number, columns=dict(by_field))
    if "age" in by_field:  # one age column fills both of the model's estimate fields
        row.columns.setdefault("age_estimate_min", by_field["age"])
        row.columns.setdefault("age_estimate_max", by_field["age"])
    # the names open_case's errors use
    if "form_of_exploitation" in by_field:
        row.columns["forms_of_exploitation"] = by_field["form_of_exploitation"]
    if "case_kind" in by_field:
        row.columns["kind"] = by_field["case_kind"]

    def parsed(target: str, parser, *args):
        try:
            return parser(cells.get(by_field[target], ""), *args)
        except CellError as exc:
            row.errors.append(RowError(number, by_field[target], target, str(exc)))
            return _FAILED

    person: dict = {}
    for name in TEXT_FIELDS:
        if name in by_field:
            person[name] = cells.get(by_field[name], "")
    parsers = (
        ("sex", parse_sex),
        ("date_of_birth", parse_date),
        ("age_estimate_min", parse_age),
        ("age_estimate_max", parse_age),
        ("nationality", parse_country),
        ("languages", parse_languages),
        ("document_type", parse_document_type),
    )
    for name, parser in parsers:
        if name in by_field:
            person[name] = parsed(name, parser)
    if "age" in by_field:
        ages = parsed("age", parse_age_range)
        if ages is not _FAILED:
            person["age_estimate_min"], person["age_estimate_max"] = ages
    if "phone" in by_field:
        nationality = person.get("nationality")
        region = nationality if isinstance(nationality, str) and nationality else default_region
        person["phone"] = parsed("phone", parse_phone, region)
    row.person = {k: v for k, v in person.items() if v is not _FAILED}

    forms = (
        parsed("form_of_exploitation", parse_exploitation)
        if "form_of_exploitation" in by_field
        else []
    )
    kind = parsed("case_kind", parse_case_kind) if "case_kind" in by_field else ""
    forms = [] if forms is _FAILED else forms
    kind = "" if kind is _FAILED else kind
    if open_case or forms or kind:
        row.case = {"forms_of_exploitation": forms}
        if kind:
            row.case["kind"] = kind
    return row


# --- phone-form submissions (ODK Central / KoBoToolbox exports) ---------------------------

# Columns ODK Central adds to a CSV export; KoBoToolbox's own keys start with "_".
ODK_SYSTEM_COLUMNS = frozenset(
    {
        "SubmissionDate",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
        "instanceID",
    }
)
GEOPOINT_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


def read_submissions(content: bytes, file_name: str) -> list[tuple[int, dict[str, str]]]:
    """The submissions of an export, numbered as the user finds them: the row of a CSV or
    XLSX file (header = row 1), the position (from 1) in a JSON list."""
    name = file_name.lower()
    if name.endswith(".json") or content.lstrip()[:1] in (b"[", b"{"):
        try:
            data = json.loads(_decode(content))
        except ValueError as exc:
            raise FileError(_("The file is not valid JSON: {error}").format(error=exc)) from exc
        return submissions_from_json(data)
    table = read_table(content, file_name)
    return table.rows


def submissions_from_json(data) -> list[tuple[int, dict[str, str]]]:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]  # KoBoToolbox's API wraps the list
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileError(_("The JSON must be a list of submissions, as KoBoToolbox exports it."))
    if not data:
        raise FileError(_("The file holds no submission."))
    return [
        (number, {str(k): _json_text(v) for k, v in item.items()})
        for number, item in enumerate(data, start=1)
    ]


def _json_text(value) -> str:
    if value is None or isinstance(value, list | dict):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def key_path(key: str) -> list[str]:
    """ "group/question" (KoBoToolbox) and "group-question" (ODK Central) alike."""
    return [part for part in re.split(r"[/\-]", key) if part]


_ANSWERS = {
    "yes": True,
    "oui": True,
    "sim": True,
    "true": True,
    "1": True,
    "no": False,
    "non": False,
    "nao": False,
    "false": False,
    "0": False,
    "dont know": None,
    "don t know": None,
    "ne sait pas": None,
    "nsp": None,
    "nao sei": None,
    "": None,
}


def parse_answer(raw: str) -> bool | None:
    text = normalise(raw)
    if text in _ANSWERS:
        return _ANSWERS[text]
    raise CellError(_("“{value}” is not an answer: yes, no or dont_know.").format(value=raw))


def parse_instant(raw: str) -> datetime | None:
    """An ODK / KoBo timestamp (ISO 8601, UTC when no offset is given), or None."""
    text = raw.strip().replace("Z", "+00:00")
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment
