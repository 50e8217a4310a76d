"""No cell Corridor writes to a spreadsheet runs as a formula when the file is opened
(OWASP "CSV injection"): texts starting with =, +, -, @, a tab or a carriage return."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from corridor.core.spreadsheets import append_row, is_formula_like, safe_cell, safe_row, writer

PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_like_text_gets_an_apostrophe(payload):
    assert is_formula_like(payload)
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "value", ["Aminata", "", " =not first", "a=b", "'already quoted", "P-7K3F9QXM", None]
)
def test_other_texts_are_left_as_they_are(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("number", [-5, -2.5, 0, 12, True])
def test_numbers_are_left_alone_even_negative_ones(number):
    assert safe_cell(number) is number


def test_the_csv_writer_neutralises_every_cell():
    buffer = io.StringIO()
    out = writer(buffer, delimiter=";")
    out.writerow(["name", "alias", "age"])
    out.writerows([[PAYLOADS[0], PAYLOADS[1], -3], ["Okafor", "@joy", 30]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";"))
    assert rows == [
        ["name", "alias", "age"],
        ["'" + PAYLOADS[0], "'" + PAYLOADS[1], "-3"],
        ["Okafor", "'@joy", "30"],
    ]
    assert safe_row(["=1", 2]) == ["'=1", 2]


def test_an_xlsx_row_keeps_the_text_but_never_as_a_formula():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, ["label", "count"])
    append_row(sheet, [PAYLOADS[0], 3])
    append_row(sheet, [PAYLOADS[1], -1])
    append_row(sheet, ["plain", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    cells = [cell for row in read.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert (read["A2"].value, read["A2"].data_type, read["A2"].quotePrefix) == (
        PAYLOADS[0],
        "s",
        True,
    )
    assert read["A3"].quotePrefix and read["B3"].value == -1
    assert not read["A4"].quotePrefix and read["B2"].data_type == "n"
