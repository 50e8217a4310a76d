"""Cells Corridor writes into spreadsheets (CSV, XLSX) are never run as formulas.

Excel, LibreOffice and Google Sheets take a text that starts with "=", "+", "-", "@", a tab
or a carriage return for a formula ("CSV injection", OWASP): `=HYPERLINK("http://x", "…")`
typed as someone's alias would open as a live link, and DDE payloads can run commands on
the computer of whoever opens the file. Everything Corridor writes to a spreadsheet goes
through this module:

- CSV: `safe_cell` (and `writer`, a `csv.writer` that applies it) puts an apostrophe before
  such a text, which spreadsheet programs read as "this is text", as OWASP advises; numbers,
  dates and empty cells are left as they are.
- XLSX: `append_row` keeps such a text exactly as it is (an XLSForm's labels must reach the
  phone as written) but stores it as a text cell with Excel's quote prefix, the XLSX form of
  the same apostrophe. openpyxl would otherwise write any text starting with "=" as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """Whether a spreadsheet program would read this cell as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """A CSV cell that is never run as a formula: such a text gets a leading apostrophe."""
    if is_formula_like(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _SafeWriter:
    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream, **options) -> _SafeWriter:
    """`csv.writer(stream, **options)` whose every cell goes through `safe_cell`."""
    return _SafeWriter(stream, **options)


def append_row(sheet, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet; a text that looks like a formula is written
    as that very text, in a text cell with the quote prefix, never as a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if is_formula_like(cell.value):
            cell.data_type = "s"
            cell.quotePrefix = True
