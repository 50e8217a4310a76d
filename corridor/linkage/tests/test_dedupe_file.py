"""`corridor linkage dedupe-file`: an officer deduplicates a legacy register before importing
it. Stories: one woman written three ways (two scripts, three phone formats) is found; two men
called Mohamed Diallo born 18 years apart stay two people; bad rows are reported with their row
and column and the rest still runs; the threshold decides what is written; a register without
a phone column works."""

from __future__ import annotations

import csv
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.linkage.model import FIELDS, find_pairs

# Distinct people of a small register, none a duplicate of another.
OTHERS = [
    [
        "B1",
        "Chiamaka",
        "Okafor",
        "F",
        "2001-07-01",
        "NG",
        "+234 803 555 0101",
        "A0123456",
        "NAPTIP",
    ],
    ["B2", "Ousmane", "Camara", "M", "1979", "SN", "+221 77 123 45 67", "", "Caritas"],
    ["B3", "Blessing", "Eze", "F", "1998-02", "NG", "", "", "NAPTIP"],
    ["B4", "Aminata", "Traoré", "F", "1990-11-23", "ML", "+223 76 00 11 22", "", "IOM"],
    ["B5", "Ibrahima", "Sow", "M", "1988", "GN", "", "GN0445566", "IOM"],
]


def write(path: Path, rows: list[list[str]], header=FIELDS, delimiter=",", bom=False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def dedupe(source: Path, *options: str) -> tuple[dict[tuple[str, str], float], str, str]:
    """Run the command; the pairs written (by ids, each pair once) and what it printed."""
    out, stdout, stderr = source.with_name("pairs.csv"), StringIO(), StringIO()
    call_command(
        "linkage", "dedupe-file", str(source), "--out", str(out), *options,
        stdout=stdout, stderr=stderr,
    )  # fmt: skip
    with out.open(encoding="utf-8") as written:
        reader = csv.reader(written)
        assert next(reader) == ["record_id_l", "record_id_r", "match_probability"]
        pairs = {tuple(sorted(row[:2])): float(row[2]) for row in reader}
    return pairs, stdout.getvalue(), stderr.getvalue()


def records(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(FIELDS, row, strict=True)) for row in rows]


FATOUMATA = [
    ["A1", "Fatoumata", "DIALLO", "F", "1996-03-04", "GN", "+224 622 12 34 56", "", "IOM"],
    ["A2", "Fatimata", "Jallow", "F", "1996", "GN", "00224622123456", "", "Caritas"],
    ["A3", "فاطوماتا", "ديالو", "F", "1996-03", "GN", "622 12 34 56", "", "NAPTIP"],
]
MOHAMED = [
    ["M1", "Mohamed", "Diallo", "M", "1985-06-01", "GN", "", "", "IOM"],
    ["M2", "محمد", "ديالو", "M", "1985", "GN", "", "", "Caritas"],
    ["M3", "Muhammad", "Jallow", "M", "1985", "GN", "", "", "IOM"],
]


def test_one_woman_written_in_two_scripts_and_three_phone_formats_is_found(tmp_path):
    source = write(tmp_path / "register.csv", FATOUMATA + OTHERS)

    pairs, stdout, stderr = dedupe(source)

    assert set(pairs) == {("A1", "A2"), ("A1", "A3"), ("A2", "A3")}
    assert all(probability >= 0.5 for probability in pairs.values())
    assert stderr == ""
    assert "3 pairs ≥ 0.50 written to" in stdout
    for pair in find_pairs(records(FATOUMATA + OTHERS)):
        agreed = {field for field, _label, weight in pair.reasons if weight > 0}
        assert {"given_name", "family_name", "birth_date", "phone"} <= agreed, pair
        assert all(label != "different" for _field, label, _weight in pair.reasons), pair


def test_mohamed_diallo_in_arabic_script_and_as_muhammad_jallow_is_one_person(tmp_path):
    source = write(tmp_path / "register.csv", MOHAMED + OTHERS)

    pairs, _stdout, _stderr = dedupe(source)

    assert set(pairs) == {("M1", "M2"), ("M1", "M3"), ("M2", "M3")}


def test_two_men_called_mohamed_diallo_born_18_years_apart_stay_two_people(tmp_path):
    rows, truth = synthetic_register(seed=7, people=160)
    older = ["X1", "Mohamed", "Diallo", "M", "1985-04-02", "GN", "+224 655 10 20 30", "", "IOM"]
    younger = ["X2", "Mohamed", "DIALLO", "M", "2003", "GN", "+224 664 98 76 54", "", "Caritas"]
    rows += [older, younger]
    source = write(tmp_path / "register.csv", rows)

    pairs, stdout, _stderr = dedupe(source)

    assert "training" in stdout  # enough rows to train on, not the fixed weights
    assert ("X1", "X2") not in pairs
    # The register's true duplicates are found, and little else.
    found = set(pairs)
    assert len(found & truth) >= 0.8 * len(truth)
    assert len(found & truth) >= 0.8 * len(found)
    # The model says why: the names agree, the birth years speak against.
    explained = {(pair.left, pair.right): pair for pair in find_pairs(records(rows), threshold=0.0)}
    reasons = {field: weight for field, _label, weight in explained["X1", "X2"].reasons}
    assert reasons["given_name"] > 0 and reasons["family_name"] > 0
    assert reasons["birth_date"] < -3
    assert explained["X1", "X2"].probability < 0.5


def test_bad_rows_are_reported_with_row_and_column_and_the_rest_still_runs(tmp_path):
    rows = [
        *FATOUMATA,
        ["C1", "Hawa", "Bah", "F", "1990-13-40", "GN", "", "", "IOM"],  # row 5
        ["C2", "Hawa", "Bah", "F", "1990", "XX", "", "", "IOM"],  # row 6
        ["", "Hawa", "Bah", "F", "1990", "GN", "", "", "IOM"],  # row 7
        ["A1", "Hawa", "Bah", "F", "1990", "GN", "", "", "IOM"],  # row 8
        *OTHERS,
    ]
    source = write(tmp_path / "register.csv", rows)

    pairs, stdout, stderr = dedupe(source)

    problems = stderr.splitlines()
    assert problems[0].startswith("row 5, birth_date: 1990-13-40")
    assert problems[1].startswith("row 6, nationality: XX")
    assert problems[2] == "row 7, record_id: missing"
    assert problems[3] == "row 8, record_id: A1 is already used in row 2"
    assert len(problems) == 4
    assert "12 rows: 8 usable, 4 left out" in stdout
    assert set(pairs) == {("A1", "A2"), ("A1", "A3"), ("A2", "A3")}


def test_a_file_that_cannot_be_used_stops_the_run(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        dedupe(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="No usable row"):
        dedupe(write(tmp_path / "bad.csv", [["", "Hawa", "Bah", "F", "", "", "", "", ""]]))
    with pytest.raises(CommandError, match="no record_id column"):
        dedupe(write(tmp_path / "ids.csv", [["Hawa", "Bah"]], header=["given_name", "name"]))


def test_the_threshold_decides_which_pairs_are_written(tmp_path):
    # The same woman, her given and family names swapped, her birth known only as a year.
    swapped = [["S1", "DIALLO", "Fatoumata", "F", "1996", "GN", "", "", "Caritas"]]
    source = write(tmp_path / "register.csv", FATOUMATA + MOHAMED + swapped + OTHERS)

    default, _stdout, _stderr = dedupe(source)
    strict, stdout, _stderr = dedupe(source, "--threshold", "0.995")
    everything, _stdout, _stderr = dedupe(source, "--threshold", "0")

    assert ("A1", "S1") in default and ("A1", "S1") not in strict
    assert set(strict) < set(default) < set(everything)
    assert min(strict.values()) >= 0.995 and min(default.values()) >= 0.5
    assert f"{len(strict)} pairs ≥ 0.995 written to" in stdout
    written = list(everything.values())
    assert written == sorted(written, reverse=True)  # most probable first


def test_a_register_without_phone_or_document_columns_saved_with_semicolons(tmp_path):
    header = ["record_id", "given_name", "family_name", "sex", "birth_date", "nationality"]
    rows = [row[:6] for row in FATOUMATA + OTHERS]
    source = write(tmp_path / "register.csv", rows, header=header, delimiter=";", bom=True)

    pairs, _stdout, stderr = dedupe(source)

    assert stderr == ""
    assert set(pairs) == {("A1", "A2"), ("A1", "A3"), ("A2", "A3")}
    for pair in find_pairs(records([row + ["", "", ""] for row in rows])):
        assert {field for field, _label, _weight in pair.reasons} <= set(header)


# A synthetic register: distinct people, a quarter of them written down two or three times
# by different agencies, with what changes between records in real registers: spelling and
# script, given and family names swapped, a birth date known only to the year (or a year
# off), a phone written another way, changed or left out, a document or nationality missing.
GIVEN = {
    "F": [
        ["Fatoumata", "Fatimata", "Fatumata", "فاطوماتا"],
        ["Aminata", "Aminatou", "أميناتا"],
        ["Mariama", "Mariamma"],
        ["Aissatou", "Aïssatou", "Aisatu"],
        ["Kadiatou", "Kadiatu", "Khadiatou"],
        ["Binta", "Bintou"],
        ["Hawa", "Haoua"],
        ["Oumou", "Umu"],
        ["Chiamaka"],
        ["Blessing"],
        ["Esther"],
        ["Fanta"],
    ],
    "M": [
        ["Mohamed", "Muhammad", "Mohammed", "محمد"],
        ["Mamadou", "Mamadu"],
        ["Ibrahima", "Ibrahim", "إبراهيما"],
        ["Ousmane", "Usman", "عثمان"],
        ["Abdoulaye", "Abdulai", "عبد الله"],
        ["Amadou", "Amadu"],
        ["Moussa", "Musa", "موسى"],
        ["Alpha", "Alfa"],
        ["Sekou", "Sékou", "Seku"],
        ["Oumar", "Umar", "عمر"],
        ["Emeka"],
        ["Samuel"],
    ],
}
FAMILY = [
    ["Diallo", "Djalo", "Jallow", "ديالو"],
    ["Bah", "Ba"],
    ["Barry", "Bari"],
    ["Camara", "Kamara", "كامارا"],
    ["Traoré", "Traore"],
    ["Sow", "Sou"],
    ["Keita", "Keïta"],
    ["Coulibaly", "Kulibali"],
    ["Condé", "Kondé"],
    ["Baldé", "Balde"],
    ["Cissé", "Cisse"],
    ["Bangoura", "Bangura"],
    ["Fofana", "Fofanah"],
    ["Okafor"],
    ["Eze"],
    ["Adeyemi"],
]
# Country, its calling code and mobile prefix, the digits after them.
PHONES = {"GN": ("+224 6", 8), "ML": ("+223 7", 7), "SN": ("+221 7", 8), "NG": ("+234 80", 8)}
AGENCIES = ["IOM Conakry", "Caritas Bamako", "NAPTIP Lagos"]


def synthetic_register(seed: int, people: int) -> tuple[list[list[str]], set[tuple[str, str]]]:
    """Register rows and the pairs of them that are truly one person."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    truth: set[tuple[str, str]] = set()
    for _ in range(people):
        person = _person(rng)
        ids = []
        for copy in range(1 + (rng.choice([1, 1, 2]) if rng.random() < 0.25 else 0)):
            ids.append(f"R{len(rows) + 1:04d}")
            rows.append([ids[-1], *_written(rng, person, variant=copy > 0)])
        truth |= {(left, right) for left in ids for right in ids if left < right}
    rng.shuffle(rows)
    return rows, truth


def _zipf(rng: random.Random, names: list[list[str]]) -> list[str]:
    return rng.choices(names, weights=[1 / rank for rank in range(1, len(names) + 1)])[0]


def _phone(rng: random.Random, country: str) -> str:
    prefix, digits = PHONES[country]
    return prefix + "".join(rng.choice("0123456789") for _ in range(digits))


def _person(rng: random.Random) -> dict:
    sex = rng.choice("FM")
    country = rng.choices(list(PHONES), weights=[5, 3, 2, 2])[0]
    return {
        "sex": sex,
        "given": _zipf(rng, GIVEN[sex]),
        "family": _zipf(rng, FAMILY),
        "birth": (rng.randint(1975, 2008), rng.randint(1, 12), rng.randint(1, 28)),
        "nationality": country,
        "phone": _phone(rng, country) if rng.random() < 0.7 else "",
        "document": f"{country}{rng.randint(100000, 999999)}" if rng.random() < 0.4 else "",
    }


def _written(rng: random.Random, person: dict, *, variant: bool) -> list[str]:
    given, family = person["given"][0], person["family"][0]
    year, month, day = person["birth"]
    birth = f"{year}-{month:02d}-{day:02d}"
    phone, document, nationality = person["phone"], person["document"], person["nationality"]
    sex = person["sex"]
    if variant:
        given, family = rng.choice(person["given"]), rng.choice(person["family"])
        if rng.random() < 0.1:
            given, family = family, given
        birth = rng.choices(
            [birth, str(year), f"{year}-{month:02d}", str(year + rng.choice([-1, 1])), ""],
            weights=[45, 30, 15, 5, 5],
        )[0]
        if phone:
            digits = phone.replace(" ", "")
            phone = rng.choices(
                [phone, "00" + digits[1:], digits[4:], "", _phone(rng, nationality)],
                weights=[2, 3, 2, 2, 1],
            )[0]
        document = document if rng.random() < 0.5 else ""
        nationality = nationality if rng.random() < 0.9 else ""
        sex = sex if rng.random() < 0.95 else ""
    if rng.random() < 0.3:
        family = family.upper()
    return [given, family, sex, birth, nationality, phone, document, rng.choice(AGENCIES)]
