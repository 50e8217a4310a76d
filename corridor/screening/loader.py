"""Reading and checking indicator catalogue files (JSON), and writing them as a new version.

The same code loads the ILO/EC lists shipped in `data/` (from a data migration, with the
historical models) and national variants (`corridor load_indicators FILE`). A file is checked
completely before anything is written, and every problem names the entry it is in, e.g.
`dimensions[3].indicators[2] (ex_low_or_no_pay): strength must be S, M or W, not "X"`.

File format (`corridor-indicator-catalogue/1`):

    {"format": "corridor-indicator-catalogue/1",
     "code": "ilo-ec-2009-adult-labour", "version": 1, "list_kind": "adult_labour",
     "name": {"en": "...", "fr": "..."}, "source": "...", "source_note": "...",
     "dimensions": [
       {"code": "deceptive_recruitment", "order": 1, "label": {"en": "...", "fr": "..."},
        "indicators": [
          {"code": "dr_nature_of_job", "strength": "S", "text": {"en": "...", "fr": "..."},
           "methods_of_control": ["MethodsOfControlFalsePromises"], "exploitation": [],
           "note": ""}]}]}

Texts are per language, English required; the pages show the reader's language and fall
back to English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from corridor.screening.htcds import METHODS_OF_CONTROL
from corridor.screening.rules import DimensionCode, Strength
from corridor.vocabularies import Exploitation

FORMAT = "corridor-indicator-catalogue/1"
DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = (
    "ilo_ec_2009_adult_labour.json",
    "ilo_ec_2009_adult_sexual.json",
    "ilo_ec_2009_child_labour.json",
    "ilo_ec_2009_child_sexual.json",
)
LIST_KINDS = ("adult_labour", "adult_sexual", "child_labour", "child_sexual")

CATALOGUE_KEYS = {
    "format",
    "code",
    "version",
    "list_kind",
    "name",
    "source",
    "source_note",
    "dimensions",
}
DIMENSION_KEYS = {"code", "order", "label", "indicators"}
INDICATOR_KEYS = {"code", "strength", "text", "methods_of_control", "exploitation", "note"}

_CATALOGUE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
_INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class CatalogueFileError(ValueError):
    """A catalogue file that cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def _texts(value, where: str, errors: list[str]) -> None:
    if not isinstance(value, dict) or not value:
        errors.append(f'{where}: must be an object of texts per language, e.g. {{"en": "..."}}')
        return
    for language, text in value.items():
        if not _LANGUAGE.match(str(language)):
            errors.append(f"{where}: {language!r} is not a language code (en, fr, pt, ar, ...)")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"{where}.{language}: must be a non-empty text")
    if not isinstance(value.get("en"), str) or not value.get("en", "").strip():
        errors.append(f"{where}: the English text (en) is required")


def _unknown_keys(entry: dict, allowed: set[str], where: str, errors: list[str]) -> None:
    for key in sorted(set(entry) - allowed):
        errors.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")


def validate(data) -> list[str]:
    """Every problem in a catalogue document, each naming its entry; empty when it loads."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["the file must hold one JSON object (a catalogue)"]
    _unknown_keys(data, CATALOGUE_KEYS, "catalogue", errors)
    if data.get("format", FORMAT) != FORMAT:
        errors.append(f"format: must be {FORMAT!r}, not {data.get('format')!r}")
    code = data.get("code")
    if not isinstance(code, str) or not _CATALOGUE_CODE.match(code):
        errors.append(
            f"code: {code!r} must be lower-case letters, digits and hyphens (e.g. it-2026-labour)"
        )
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        errors.append(f"version: {version!r} must be a whole number from 1")
    if data.get("list_kind") not in LIST_KINDS:
        errors.append(
            f"list_kind: {data.get('list_kind')!r} must be one of {', '.join(LIST_KINDS)}"
        )
    _texts(data.get("name"), "name", errors)
    for key in ("source", "source_note"):
        if key in data and not isinstance(data[key], str):
            errors.append(f"{key}: must be a text")

    dimensions = data.get("dimensions")
    if not isinstance(dimensions, list):
        errors.append("dimensions: must be a list of the six dimensions")
        return errors
    seen_dimensions: set[str] = set()
    seen_indicators: dict[str, str] = {}
    for d, dimension in enumerate(dimensions):
        where = f"dimensions[{d}]"
        if not isinstance(dimension, dict):
            errors.append(f"{where}: must be an object")
            continue
        dcode = dimension.get("code")
        if dcode not in DimensionCode.values:
            errors.append(
                f"{where}: code {dcode!r} must be one of {', '.join(DimensionCode.values)}"
            )
        elif dcode in seen_dimensions:
            errors.append(f"{where} ({dcode}): this dimension appears twice")
        else:
            seen_dimensions.add(dcode)
            where = f"{where} ({dcode})"
        _unknown_keys(dimension, DIMENSION_KEYS, where, errors)
        order = dimension.get("order", d + 1)
        if isinstance(order, bool) or not isinstance(order, int) or order < 0:
            errors.append(f"{where}.order: must be a whole number")
        if "label" in dimension:
            _texts(dimension["label"], f"{where}.label", errors)
        indicators = dimension.get("indicators")
        if not isinstance(indicators, list) or not indicators:
            errors.append(f"{where}.indicators: must be a non-empty list")
            continue
        for i, indicator in enumerate(indicators):
            errors.extend(_indicator_errors(indicator, f"dimensions[{d}].indicators[{i}]"))
            icode = indicator.get("code") if isinstance(indicator, dict) else None
            if isinstance(icode, str):
                if icode in seen_indicators:
                    errors.append(
                        f"dimensions[{d}].indicators[{i}] ({icode}): code already used at "
                        f"{seen_indicators[icode]}"
                    )
                else:
                    seen_indicators[icode] = f"dimensions[{d}].indicators[{i}]"
    missing = [c for c in DimensionCode.values if c not in seen_dimensions]
    if missing:
        errors.append(f"dimensions: missing {', '.join(missing)}")
    return errors


def _indicator_errors(indicator, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(indicator, dict):
        return [f"{where}: must be an object"]
    code = indicator.get("code")
    if not isinstance(code, str) or not _INDICATOR_CODE.match(code):
        errors.append(
            f"{where}: code {code!r} must start with a letter and hold only a-z, 0-9 and _ "
            "(at most 40)"
        )
    else:
        where = f"{where} ({code})"
    _unknown_keys(indicator, INDICATOR_KEYS, where, errors)
    strength = indicator.get("strength")
    if strength not in Strength.values:
        errors.append(f"{where}: strength must be S, M or W, not {strength!r}")
    _texts(indicator.get("text"), f"{where}.text", errors)
    methods = indicator.get("methods_of_control", [])
    if not isinstance(methods, list):
        errors.append(f"{where}.methods_of_control: must be a list")
    else:
        for method in methods:
            if method not in METHODS_OF_CONTROL:
                errors.append(
                    f"{where}.methods_of_control: {method!r} is not an HTCDS vic_MethodsOfControl "
                    "code (e.g. MethodsOfControlDebtBondage)"
                )
    forms = indicator.get("exploitation", [])
    if not isinstance(forms, list):
        errors.append(f"{where}.exploitation: must be a list")
    else:
        for form in forms:
            if form not in Exploitation.values:
                errors.append(
                    f"{where}.exploitation: {form!r} must be one of {', '.join(Exploitation.values)}"
                )
    if "note" in indicator and not isinstance(indicator["note"], str):
        errors.append(f"{where}.note: must be a text")
    return errors


def read_file(path: str | Path) -> dict:
    """The checked content of a catalogue file; CatalogueFileError says what is wrong."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueFileError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueFileError([f"{path}: cannot be read as UTF-8 text ({exc})"]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CatalogueFileError(
            [f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    errors = validate(data)
    if errors:
        raise CatalogueFileError(errors)
    return data


def create_catalogue(
    data: dict,
    *,
    catalogue_model,
    dimension_model,
    indicator_model,
    created_by=None,
    now=None,
):
    """Write a checked catalogue document as a new draft version; returns the catalogue.

    Takes the model classes so that a data migration can pass its historical models.
    """
    catalogue = catalogue_model.objects.create(
        code=data["code"],
        version=data["version"],
        list_kind=data["list_kind"],
        name=data["name"],
        source=data.get("source", ""),
        source_note=data.get("source_note", ""),
        created_by=created_by,
        **({"created_at": now} if now else {}),
    )
    indicators = []
    for d, entry in enumerate(data["dimensions"]):
        dimension = dimension_model(
            catalogue=catalogue,
            code=entry["code"],
            label=entry.get("label", {}),
            order=entry.get("order", d + 1),
        )
        dimension.save()
        for i, item in enumerate(entry["indicators"]):
            indicators.append(
                indicator_model(
                    catalogue=catalogue,
                    dimension=dimension,
                    code=item["code"],
                    strength=item["strength"],
                    text=item["text"],
                    order=i + 1,
                    methods_of_control=list(item.get("methods_of_control", [])),
                    exploitation=list(item.get("exploitation", [])),
                    note=item.get("note", ""),
                )
            )
    indicator_model.objects.bulk_create(indicators)
    return catalogue


def shipped_documents() -> list[dict]:
    return [read_file(DATA_DIR / name) for name in SHIPPED]
