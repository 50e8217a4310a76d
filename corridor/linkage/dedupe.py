"""A register file deduplicated before import: read the CSV, set bad rows aside (each with its
row and column, the run goes on without them), find the pairs (`model.find_pairs`) and write
them as `record_id_l, record_id_r, match_probability`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.linkage.model import (
    AGE_FIELDS,
    FIELDS,
    MAX_AGE,
    Pair,
    Progress,
    find_pairs,
    parse_birth_date,
)
from corridor.vocabularies import is_country

COLUMNS = FIELDS + AGE_FIELDS  # those read of a register; the others are ignored
OUTPUT_HEADER = ("record_id_l", "record_id_r", "match_probability")


class RegisterError(Exception):
    """The file cannot be read as a register at all (nothing in it can be used)."""


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row: `row` as the spreadsheet numbers it (the header is 1)."""

    row: int
    column: str
    message: str


@dataclass
class Register:
    records: list[dict[str, str]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0  # data rows read, blank ones left out


@dataclass
class Result:
    register: Register
    pairs: list[Pair]


def read_register(path: str | Path) -> Register:
    """The usable rows of a register CSV (UTF-8, with or without a byte-order mark; comma or
    semicolon separated, as spreadsheets in French or Portuguese save it). A row with a
    problem is left out and its problems listed, all of them, not only the first."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RegisterError(
            _("Cannot read {path}: {error}").format(path=path, error=error)
        ) from error
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next(lines, None)
    if not header:
        raise RegisterError(_("{path} is empty.").format(path=path))
    columns = [name.strip().lower() for name in header]
    if "record_id" not in columns:
        raise RegisterError(
            _("{path} has no record_id column (the header is row 1).").format(path=path)
        )
    register = Register()
    seen: dict[str, int] = {}
    today = timezone.now().date()
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        register.rows += 1
        values = {
            name: cell.strip()
            for name, cell in zip(columns, cells, strict=False)
            if name in COLUMNS
        }
        problems = _problems(number, values, seen, today)
        if problems:
            register.problems += problems
            continue
        seen[values["record_id"]] = number
        register.records.append(values)
    return register


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _problems(
    number: int, values: dict[str, str], seen: dict[str, int], today: date
) -> list[RowProblem]:
    this_year = today.year
    problems = []
    record_id = values.get("record_id", "")
    if not record_id:
        problems.append(RowProblem(number, "record_id", _("missing")))
    elif record_id in seen:
        problems.append(
            RowProblem(
                number,
                "record_id",
                _("{record_id} is already used in row {row}").format(
                    record_id=record_id, row=seen[record_id]
                ),
            )
        )
    birth_date = values.get("birth_date", "")
    try:
        year, _month, _day = parse_birth_date(birth_date)
    except ValueError:
        problems.append(
            RowProblem(
                number,
                "birth_date",
                _("{value} is not a date as YYYY, YYYY-MM or YYYY-MM-DD").format(value=birth_date),
            )
        )
    else:
        if year is not None and not 1900 <= year <= this_year:
            problems.append(
                RowProblem(
                    number,
                    "birth_date",
                    _("{value}: the year is not between 1900 and {year}").format(
                        value=birth_date, year=this_year
                    ),
                )
            )
    nationality = values.get("nationality", "")
    if nationality and not is_country(nationality):
        problems.append(
            RowProblem(
                number,
                "nationality",
                _("{value} is not an ISO 3166 two-letter country code").format(value=nationality),
            )
        )
    problems += _age_problems(number, values, today)
    return problems


def _age_problems(number: int, values: dict[str, str], today: date) -> list[RowProblem]:
    """The optional age_estimate_min, age_estimate_max (whole years) and registered_on (the
    day the age was estimated, YYYY-MM-DD)."""
    problems, ages = [], {}
    for column in ("age_estimate_min", "age_estimate_max"):
        value = values.get(column, "")
        if not value:
            continue
        if not value.isdigit() or int(value) > MAX_AGE:
            problems.append(
                RowProblem(
                    number,
                    column,
                    _("{value} is not an age in whole years from 0 to {most}").format(
                        value=value, most=MAX_AGE
                    ),
                )
            )
        else:
            ages[column] = int(value)
    if ages.get("age_estimate_min", 0) > ages.get("age_estimate_max", MAX_AGE):
        problems.append(
            RowProblem(
                number,
                "age_estimate_max",
                _("{high} is below age_estimate_min {low}").format(
                    high=ages["age_estimate_max"], low=ages["age_estimate_min"]
                ),
            )
        )
    registered_on = values.get("registered_on", "")
    if registered_on:
        try:
            day = date.fromisoformat(registered_on)
        except ValueError:
            day = None
        if day is None or len(registered_on) != 10:
            problems.append(
                RowProblem(
                    number,
                    "registered_on",
                    _("{value} is not a date as YYYY-MM-DD").format(value=registered_on),
                )
            )
        elif day > today:
            problems.append(
                RowProblem(
                    number,
                    "registered_on",
                    _("{value} is in the future").format(value=registered_on),
                )
            )
    return problems


def write_pairs(path: str | Path, pairs: list[Pair]) -> None:
    """The pairs as CSV, most probable first (probability to 4 decimals)."""
    ordered = sorted(pairs, key=lambda pair: (-pair.probability, pair.left, pair.right))
    with Path(path).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(OUTPUT_HEADER)
        for pair in ordered:
            writer.writerow([pair.left, pair.right, f"{pair.probability:.4f}"])


def dedupe_file(
    source: str | Path,
    out: str | Path,
    *,
    threshold: float = 0.5,
    progress: Progress | None = None,
    on_read: Callable[[Register], Any] | None = None,
) -> Result:
    """Read `source`, find the pairs at or above `threshold`, write them to `out`.
    `on_read` hears of the register before the (longer) matching starts. RegisterError
    when the file cannot be read or no row in it can be used."""
    register = read_register(source)
    if on_read:
        on_read(register)
    if not register.records:
        raise RegisterError(_("No usable row in {path}.").format(path=source))
    pairs = find_pairs(register.records, threshold=threshold, progress=progress)
    write_pairs(out, pairs)
    return Result(register=register, pairs=pairs)
