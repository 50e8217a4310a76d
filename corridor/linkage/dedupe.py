"""A register file deduplicated before import: read the CSV, set bad rows aside (each with its
row and column, the run goes on without them), find the pairs (`model.find_pairs`) and write
them as `record_id_l, record_id_r, match_probability`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.linkage.model import FIELDS, Pair, Progress, find_pairs, parse_birth_date

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
    this_year = timezone.now().year
    for number, cells in enumerate(lines, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        register.rows += 1
        values = {
            name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name in FIELDS
        }
        problems = _problems(number, values, seen, this_year)
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
    number: int, values: dict[str, str], seen: dict[str, int], this_year: int
) -> list[RowProblem]:
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
    if nationality and not (
        len(nationality) == 2 and pycountry.countries.get(alpha_2=nationality.upper())
    ):
        problems.append(
            RowProblem(
                number,
                "nationality",
                _("{value} is not an ISO 3166 two-letter country code").format(value=nationality),
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
