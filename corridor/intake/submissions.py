"""Reading one ODK Collect / KoBoToolbox submission of Corridor's screening form.

The keys are the question names of the XLSForm (`corridor.intake.xlsform`) with their group
path, joined by "/" in KoBoToolbox's exports and by "-" in ODK Central's: `person/sex` or
`person-sex`, `deceptive_recruitment/dr_nature_of_job`, `meta/instanceID`. The export
tools' own columns (`_uuid`, `_submission_time`, `KEY`, `SubmissionDate`…) are read where
useful and otherwise ignored; any other key is an error, so nothing a screener answered
is silently dropped. Nothing here writes to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from corridor.intake import xlsform
from corridor.intake.importers import (
    GEOPOINT_PARTS,
    ODK_SYSTEM_COLUMNS,
    CellError,
    RowError,
    key_path,
    parse_age,
    parse_answer,
    parse_country,
    parse_instant,
    parse_languages,
    parse_sex,
)
from corridor.screening.models import IndicatorCatalogue
from corridor.screening.rules import DimensionCode

PERSON_QUESTIONS = (
    "reference",
    "sex",
    "age_status",
    "age",
    "age_min",
    "age_max",
    "nationality",
    "languages",
)
OTHER_QUESTIONS = ("smuggling", "notes", "place", "geopoint", "start", "end", "today", "deviceid")


@dataclass
class Submission:
    number: int
    instance_id: str = ""
    submitted_at: datetime | None = None
    catalogue: IndicatorCatalogue | None = None
    reference: str = ""
    person: dict = field(default_factory=dict)
    answers: dict[str, bool | None] = field(default_factory=dict)
    smuggling: bool = False
    location: str = ""
    notes: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # Corridor field → key in the file
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, field_name: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, field_name, message))


INSTANCE_ID_LENGTH = 100  # SubmissionReceipt.instance_id; ODK's are "uuid:" and 36 more


def instance_id(raw: dict[str, str]) -> tuple[str, str]:
    """(instance id without "uuid:", the key it came from), or ("", "")."""
    candidates = []
    for key in raw:
        path = key_path(key)
        if path[-1:] == ["instanceID"]:
            candidates.insert(0, key)
        elif key in ("_uuid", "KEY"):
            candidates.append(key)
    for key in candidates:
        value = raw[key].strip()
        if value:
            return value.removeprefix("uuid:"), key
    return "", ""


class CatalogueCache:
    """Catalogue versions by (code, version), each looked up once per file."""

    def __init__(self):
        self._found: dict[tuple[str, str], IndicatorCatalogue | None] = {}
        self._codes: dict[int, set[str]] = {}

    def get(self, code: str, version: str) -> IndicatorCatalogue | None:
        key = (code, version)
        if key not in self._found:
            catalogue = None
            if version.isdigit():
                catalogue = IndicatorCatalogue.objects.filter(
                    code=code, version=int(version), published=True
                ).first()
            self._found[key] = catalogue
        return self._found[key]

    def indicator_codes(self, catalogue: IndicatorCatalogue) -> set[str]:
        if catalogue.pk not in self._codes:
            self._codes[catalogue.pk] = set(catalogue.indicators.values_list("code", flat=True))
        return self._codes[catalogue.pk]


def storable(text: str) -> bool:
    """Text a database keeps as it is: no NUL, no lone surrogate (JSON may hold both)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def parse_submission(number: int, raw: dict[str, str], *, catalogues: CatalogueCache) -> Submission:
    sub = Submission(number)
    for key in [k for k, v in raw.items() if not (storable(k) and storable(v))]:
        shown = key.encode("utf-8", "replace").decode("utf-8").replace("\x00", "?")
        sub.error(
            shown,
            "",
            _(
                "“{key}” holds a character that is not text (NUL or a lone surrogate): "
                "export the submissions again."
            ).format(key=shown),
        )
        raw = {k: v for k, v in raw.items() if k != key}  # nothing of it goes further
    sub.instance_id, id_key = instance_id(raw)
    if not sub.instance_id:
        sub.error(
            "meta/instanceID",
            "instance_id",
            _("The submission has no instance id (meta/instanceID, _uuid or KEY)."),
        )
    elif len(sub.instance_id) > INSTANCE_ID_LENGTH:
        sub.error(
            id_key,
            "instance_id",
            _("The instance id is longer than {n} characters: it is not one ODK made.").format(
                n=INSTANCE_ID_LENGTH
            ),
        )
    for key in ("_submission_time", "SubmissionDate", "end", "start"):
        if raw.get(key):
            sub.submitted_at = parse_instant(raw[key])
            if sub.submitted_at:
                break

    values: dict[str, tuple[str, str]] = {}  # question name → (key, value)
    indicator_keys: list[tuple[str, str, str]] = []  # (key, group, name)
    geopoint: dict[str, str] = {}
    for key, value in raw.items():
        if key == id_key or key.startswith("_") or key in ODK_SYSTEM_COLUMNS:
            continue
        path = key_path(key)
        if not path or path[0] in ("meta", "formhub"):
            continue
        name = path[-1]
        if "geopoint" in path[:-1] and name in GEOPOINT_PARTS:
            geopoint[name] = value  # ODK Central splits a geopoint into four columns
            continue
        if "languages" in path[:-1]:
            continue  # a select_multiple split into one 0/1 column per language
        if name in (
            xlsform.CATALOGUE_FIELD,
            xlsform.VERSION_FIELD,
            *PERSON_QUESTIONS,
            *OTHER_QUESTIONS,
        ):
            values[name] = (key, value)
        else:
            indicator_keys.append((key, path[-2] if len(path) > 1 else "", name))

    sub.columns["catalogue"] = values.get(xlsform.CATALOGUE_FIELD, ("", ""))[0]
    code = values.get(xlsform.CATALOGUE_FIELD, ("", ""))[1]
    version = values.get(xlsform.VERSION_FIELD, ("", ""))[1]
    if not code:
        sub.error(
            xlsform.CATALOGUE_FIELD,
            "catalogue",
            _(
                "The submission does not say which indicator list it was answered with: "
                "export it with the {field} column."
            ).format(field=xlsform.CATALOGUE_FIELD),
        )
    else:
        sub.catalogue = catalogues.get(code, version)
        if sub.catalogue is None:
            sub.error(
                values[xlsform.CATALOGUE_FIELD][0],
                "catalogue",
                _("No published indicator list {code} version {version}.").format(
                    code=code, version=version or "?"
                ),
            )

    if sub.catalogue is not None:
        codes = catalogues.indicator_codes(sub.catalogue)
        for key, group, name in indicator_keys:
            if name not in codes:
                if group in DimensionCode.values:
                    message = _("“{name}” is not an indicator of {catalogue}.")
                else:
                    message = _("“{name}” is not a question of the Corridor screening form.")
                sub.error(key, name, message.format(name=name, catalogue=sub.catalogue))
                continue
            try:
                sub.answers[name] = parse_answer(raw[key])
            except CellError as exc:
                sub.error(key, name, str(exc))

    def cell(name: str, parser, *args):
        key, value = values.get(name, ("", ""))
        sub.columns[name] = key
        try:
            return parser(value, *args)
        except CellError as exc:
            sub.error(key, name, str(exc))
            return None

    sub.reference = values.get("reference", ("", ""))[1].strip().upper()
    if not sub.reference:
        _read_person(sub, values, cell)
    smuggling = cell("smuggling", parse_answer)
    sub.smuggling = bool(smuggling)
    place = values.get("place", ("", ""))[1]
    point = values.get("geopoint", ("", ""))[1].split()
    if not point and geopoint.get("Latitude"):
        point = [geopoint.get("Latitude", ""), geopoint.get("Longitude", "")]
    where = place
    if len(point) >= 2:
        where = f"{place} ({point[0]}, {point[1]})".strip()
    sub.location = where
    sub.notes = values.get("notes", ("", ""))[1]
    return sub


def _read_person(sub: Submission, values, cell) -> None:
    person: dict = {}
    sex = cell("sex", parse_sex)
    if sex:
        person["sex"] = sex
    status = values.get("age_status", ("", ""))[1].strip().lower()
    if status == xlsform.AGE_KNOWN:
        age = cell("age", parse_age)
        person["age_estimate_min"] = person["age_estimate_max"] = age
        sub.columns["age_estimate_min"] = sub.columns["age_estimate_max"] = sub.columns["age"]
    elif status == xlsform.AGE_ESTIMATED:
        person["age_estimate_min"] = cell("age_min", parse_age)
        person["age_estimate_max"] = cell("age_max", parse_age)
        sub.columns["age_estimate_min"] = sub.columns["age_min"]
        sub.columns["age_estimate_max"] = sub.columns["age_max"]
    elif status not in ("", xlsform.AGE_UNKNOWN):
        sub.error(
            values["age_status"][0],
            "age_status",
            _("“{value}” is not an age status: known, estimated or unknown.").format(value=status),
        )
    nationality = cell("nationality", parse_country)
    if nationality:
        person["nationality"] = nationality
    key, languages = values.get("languages", ("", ""))
    if languages.strip():
        sub.columns["languages"] = key
        try:
            person["languages"] = parse_languages(languages.replace(" ", ","))
        except CellError as exc:
            sub.error(key, "languages", str(exc))
    sub.person = {k: v for k, v in person.items() if v is not None}
