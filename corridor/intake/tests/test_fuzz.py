"""Whatever a register or an export holds, the importer answers with a clean import or a
clear refusal naming the row and the field, never with an uncaught error, and a refused
file leaves nothing behind (hypothesis).

Registers (CSV and XLSX) get headers Corridor knows, unknown, missing and repeated ones,
and cells of any Unicode (NUL, bidi controls, lone surrogates where the encoding allows
them), formula-looking texts, huge numbers, impossible dates and empty rows. Phone-form
exports (KoBoToolbox JSON, ODK Central CSV) start from a real submission and lose, gain
and garble keys and values. Bounded: CORRIDOR_FUZZ_EXAMPLES examples per test (default
15), no deadline; raise it for a deeper run."""

import csv
import io
import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.intake import services
from corridor.intake.importers import TARGETS_BY_NAME
from corridor.intake.models import ImportBatch, SubmissionReceipt
from corridor.people.models import Person
from corridor.people.services import EDITABLE_FIELDS
from corridor.screening.models import Screening

EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "15"))
DATA = Path(__file__).parent / "data"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# The names an error's field may carry: the Corridor fields a column fills, the model's
# and the case's field names, and the phone form's questions and indicators.
KNOWN_FIELDS = {
    "",
    *TARGETS_BY_NAME,
    *EDITABLE_FIELDS,
    "forms_of_exploitation",
    "kind",
    "reference",
    "instance_id",
    "catalogue",
}


@pytest.fixture(autouse=True)
def _no_mfa_two_rows_a_step(settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    settings.CORRIDOR_IMPORT_BATCH_ROWS = 2  # registers that import are written in steps


def snapshot() -> tuple:
    return (
        Person.objects.count(),
        ProtectionCase.objects.count(),
        Screening.objects.count(),
        SubmissionReceipt.objects.count(),
        ImportBatch.objects.exclude(status=ImportBatch.Status.FAILED).count(),
        AuditEvent.objects.count(),
    )


# --- what goes into the cells ------------------------------------------------------------

HEADERS = [
    "Nom",
    "Prénom(s)",
    "Sexe",
    "Genre",
    "Date de naissance",
    "Âge",
    "age min",
    "age max",
    "Nationalité",
    "Langues",
    "Téléphone",
    "E-mail",
    "Adresse",
    "Type de document",
    "N° de passeport",
    "Observations",
    "Forme d'exploitation",
    "Type de dossier",
    "family_name",
    "given_name",
]
NASTY = [
    "",
    " ",
    "\x00",
    "\u202eevil\u202c",
    "\u2066Aminata\u2069",
    "\u200b",
    "\ufeff",
    "A\u0301minata",
    '=HYPERLINK("http://x","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1",
    "9" * 400,
    "1e309",
    "-0",
    "NaN",
    "31/02/2024",
    "2024-13-45",
    "00/00/0000",
    "1900-01-01",
    "2999-12-31",
    "12-200",
    "17-15",
    "-3",
    "F",
    "M",
    "femme",
    "NG",
    "Nigeria",
    "Atlantis",
    "fr, ha",
    "+2348031234567",
    "0803 123 4567",
    "aminata@example.org",
    "not an email",
    "passport",
    "sexual exploitation",
    "smuggling",
    "x" * 3000,
]
cell_text = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=30), st.text(st.characters(), max_size=8)
)
header_text = st.one_of(st.sampled_from(HEADERS), st.text(max_size=12))


# Values each known column accepts, so that some registers import and the writing is
# fuzzed too, not only the refusals.
GOOD = {
    "Nom": ["OKAFOR", "Traoré", "\u2066DIALLO\u2069", "N'DIAYE", "=SUM(1)"],
    "Prénom(s)": ["Joy", "Aminata", "Ève-Marie", "@joy", "+1"],
    "Sexe": ["F", "M", "femme", "inconnu", ""],
    "Genre": ["F", "homme"],
    "Date de naissance": ["2001-02-03", "01/03/2004", ""],
    "Âge": ["17", "15-17", "", "30"],
    "age min": ["16"],
    "age max": ["18"],
    "Nationalité": ["NG", "Nigeria", "Sénégal", ""],
    "Langues": ["fr, ha", "anglais", ""],
    "Téléphone": ["+2348031234567", ""],
    "E-mail": ["aminata@example.org", ""],
    "Adresse": ["Via Roma 1, Palermo", "\u202ehidden"],
    "Type de document": ["passeport", "none", ""],
    "N° de passeport": ["A1234567", ""],
    "Observations": ["Found at the station; \u0000 no", "-- nothing", ""],
    "Forme d'exploitation": ["sexual exploitation", "labour, sex", ""],
    "Type de dossier": ["trafficking", "smuggling", ""],
    "family_name": ["ASANTE"],
    "given_name": ["Kofi"],
}


@st.composite
def registers(draw):
    """(headers, rows): headers Corridor knows, most of the time, else anything (unknown,
    empty, repeated); cells a value the column accepts, most of the time, else anything;
    rows of the header's length, shorter, longer or empty."""
    if draw(st.integers(0, 3)):
        headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True))
    else:
        headers = draw(st.lists(header_text, min_size=1, max_size=8))
        if draw(st.booleans()):  # a repeated header
            headers.append(draw(st.sampled_from(headers)))

    def cell(header):
        good = GOOD.get(header)
        if good and draw(st.integers(0, 4)):
            return draw(st.sampled_from(good))
        return draw(cell_text)

    rows = []
    for _ in range(draw(st.integers(0, 6))):
        shape = draw(st.integers(0, 9))
        if shape == 0:
            rows.append([])
        elif shape == 1:
            rows.append([draw(cell_text) for _ in range(draw(st.integers(0, len(headers) + 2)))])
        else:
            rows.append([cell(header) for header in headers])
    return headers, rows


def as_csv(headers, rows, delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="surrogatepass")


# Spreadsheet cells hold naive date-times: there is no time zone in a cell.
NAIVE_FROM, NAIVE_TO = datetime(1900, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001
xlsx_value = st.one_of(
    cell_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1800, 1, 1)),
    st.datetimes(min_value=NAIVE_FROM, max_value=NAIVE_TO),
    st.booleans(),
    st.none(),
)


def xlsx_cell(value):
    if isinstance(value, str):  # what openpyxl can store at all: no control characters
        value = ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", "replace").decode()
        return value or None
    return value


def as_xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


mappings = st.one_of(
    st.none(),
    st.dictionaries(
        header_text,
        st.one_of(st.sampled_from(sorted(TARGETS_BY_NAME)), st.just(""), st.text(max_size=8)),
        max_size=5,
    ),
)


# --- what the outcome must be ------------------------------------------------------------


def outcome(kind: str) -> None:
    if currently_in_test_context():  # counted: --hypothesis-show-statistics shows the mix
        event(kind)


def check_outcome(call, *, rows: int):
    """Run one import: a clean result or a clear refusal, and a refusal writes nothing."""
    before = snapshot()
    try:
        result = call()
    except services.ImportRejected as rejected:
        assert rejected.errors, "a refusal says why"
        for error in rejected.errors:
            assert isinstance(error.message, str) and error.message.strip(), error
            assert error.row is None or 1 <= error.row <= rows + 1000, error
            assert error.field in KNOWN_FIELDS or error.row is not None, error
            assert error.row is not None or not error.field or error.field in KNOWN_FIELDS
        assert snapshot() == before, "a refused file left something behind"
        outcome("refused: " + ("file" if all(e.row is None for e in rejected.errors) else "rows"))
        return None
    except services.AlreadyImported:
        assert snapshot() == before
        outcome("already imported")
        return None
    after = snapshot()
    outcome("imported" if result.batch is not None else "checked or nothing new")
    if result.batch is not None:
        assert result.batch.status == ImportBatch.Status.IMPORTED
        assert after[0] - before[0] == result.persons
        assert len(result.batch.created) == result.persons
    else:
        assert after[:5] == before[:5]  # a check, or nothing new: nothing written
    return result


# --- registers -----------------------------------------------------------------------------


@FUZZ
@given(
    register=registers(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    mapping=mappings,
    open_cases=st.booleans(),
    dry_run=st.booleans(),
)
def test_any_csv_register_is_imported_cleanly_or_refused_with_reasons(
    world, register, delimiter, encoding, mapping, open_cases, dry_run
):
    headers, rows = register
    try:
        content = as_csv(headers, rows, delimiter, encoding)
    except UnicodeEncodeError:  # a character cp1252 cannot hold: send what a user would
        content = as_csv(headers, rows, delimiter, "utf-8")
    check_outcome(
        lambda: services.import_register(
            actor=world.users.responder,
            content=content,
            file_name="register.csv",
            mapping=mapping,
            open_cases=open_cases,
            dry_run=dry_run,
        ),
        rows=len(rows),
    )


@FUZZ
@given(content=st.binary(max_size=300), name=st.sampled_from(["r.csv", "r.xlsx", "r.txt"]))
def test_any_bytes_are_refused_or_read_never_a_crash(world, content, name):
    check_outcome(
        lambda: services.import_register(
            actor=world.users.responder, content=content, file_name=name, dry_run=True
        ),
        rows=300,
    )


@FUZZ
@given(
    register=registers(),
    cells=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8), xlsx_value), max_size=4),
    mapping=mappings,
    open_cases=st.booleans(),
)
def test_any_xlsx_register_is_imported_cleanly_or_refused_with_reasons(
    world, register, cells, mapping, open_cases
):
    headers, rows = register
    for row, column, value in cells:  # numbers, dates, booleans where Excel would have them
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = value
    content = as_xlsx(headers, rows)
    check_outcome(
        lambda: services.import_register(
            actor=world.users.responder,
            content=content,
            file_name="register.xlsx",
            mapping=mapping,
            open_cases=open_cases,
        ),
        rows=len(rows),
    )


def test_the_fuzzing_reaches_clean_imports_too(world):
    """The same checks pass on a register that imports, so the fuzzing is not all refusals."""
    content = as_csv(
        ["Nom", "Prénom", "Sexe", "Nationalité"], [["OKAFOR", "Joy", "F", "NG"]], ";", "utf-8"
    )
    result = check_outcome(
        lambda: services.import_register(
            actor=world.users.responder, content=content, file_name="r.csv"
        ),
        rows=1,
    )
    assert result.persons == 1


# --- phone-form submissions ----------------------------------------------------------------

KOBO = json.loads((DATA / "kobo_adult_labour.json").read_text())
ODK_HEADER, *ODK_ROWS = list(csv.reader(io.StringIO((DATA / "odk_child_labour.csv").read_text())))
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        cell_text,
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=5,
)
answer_text = st.sampled_from(["yes", "no", "dont_know", "oui", "", "maybe", "1", "0"])


@st.composite
def submissions(draw):
    """KoBoToolbox submissions: the real ones, with keys dropped, added and garbled."""
    items = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        item = dict(draw(st.sampled_from(KOBO)))
        item["_uuid"] = draw(st.one_of(st.uuids().map(str), cell_text))
        item.pop("meta/instanceID", None)
        keys = sorted(item)
        for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            item.pop(key)
        for key in draw(st.lists(st.sampled_from(keys), max_size=4, unique=True)):
            item[key] = draw(st.one_of(answer_text, json_value))
        item.update(
            draw(
                st.dictionaries(
                    st.one_of(st.sampled_from(keys), st.text(max_size=20)), json_value, max_size=3
                )
            )
        )
        items.append(item)
    return items


@FUZZ
@given(batch=submissions())
def test_any_kobo_submissions_are_imported_cleanly_or_refused_with_reasons(world, batch):
    check_outcome(
        lambda: services.import_submissions(actor=world.users.responder, submissions=batch),
        rows=len(batch),
    )


@FUZZ
@given(
    data=st.one_of(json_value, submissions()),
    garble=st.sampled_from(["json", "truncated", "odk"]),
    cells=st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(ODK_HEADER) - 1), cell_text), max_size=6
    ),
)
def test_any_export_file_is_imported_cleanly_or_refused_with_reasons(world, data, garble, cells):
    if garble == "odk":  # an ODK Central CSV export with garbled cells
        rows = [list(row) for row in ODK_ROWS]
        for position, value in cells:
            rows[position % len(rows)][position] = value
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows([ODK_HEADER, *rows])
        content, name = buffer.getvalue().encode("utf-8", "surrogatepass"), "export.csv"
    else:
        content = json.dumps(data, default=str).encode("utf-8", "surrogatepass")
        content, name = (
            (content[: len(content) // 2] if garble == "truncated" else content),
            "e.json",
        )
    check_outcome(
        lambda: services.import_submissions_file(
            actor=world.users.responder, content=content, file_name=name
        ),
        rows=10,
    )


# --- through the API, as an integration sends them ------------------------------------------


@settings(
    max_examples=max(3, EXAMPLES // 3),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(register=registers(), batch=submissions(), background=st.booleans())
def test_the_import_api_never_answers_a_server_error(client, world, register, batch, background):
    _, token = issue_api_token(actor=world.users.responder, name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    content = as_csv(*register, ";", "utf-8")
    before = snapshot()
    response = client.post(
        "/api/intake/registers",
        {
            "file": SimpleUploadedFile("register.csv", content),
            "background": "true" if background else "false",
        },
        headers=headers,
    )
    assert response.status_code in (201, 202, 409, 422), response.content[:300]
    if response.status_code in (409, 422):
        assert snapshot()[:5] == before[:5]
        if response.status_code == 422:
            assert all(e["message"] for e in response.json()["detail"])
    response = client.post(
        "/api/intake/submissions", batch, content_type="application/json", headers=headers
    )
    assert response.status_code in (200, 201, 422), response.content[:300]
