"""An age estimated at registration is linkage evidence: a birth-year range, read at the date
the record was made, against the other record's range or year of birth (no database)."""

from __future__ import annotations

import random
from pathlib import Path

from corridor.linkage.dedupe import read_register
from corridor.linkage.model import find_pairs, prepare
from corridor.linkage.tests.test_dedupe_file import write

GIVEN = ["Mohamed", "Ibrahima", "Mamadou", "Alpha", "Ousmane", "Amadou", "Sekou", "Lamine"]
FAMILY = ["Diallo", "Bah", "Camara", "Sow", "Barry", "Conde", "Keita", "Toure", "Balde"]


def _register() -> list[dict[str, object]]:
    """Guinean namesakes, half of them with a date of birth and half with an age estimated
    when they were registered; one in eight registered again elsewhere."""
    rng = random.Random(11)
    records = []
    for i in range(200):
        year = rng.randint(1970, 2008)
        registered = f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}-15"
        person: dict[str, object] = {
            "record_id": f"R{i}",
            "given_name": rng.choice(GIVEN),
            "family_name": rng.choice(FAMILY),
            "sex": "M",
            "nationality": "GN",
            "phone": f"+224 6{rng.randint(10, 69)} {rng.randint(100000, 999999)}",
            "registered_on": registered,
        }
        if i % 2:
            person["birth_date"] = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        else:
            age = int(registered[:4]) - year
            low = max(age - rng.randint(0, 2), 1)
            person |= {"age_estimate_min": low, "age_estimate_max": low + rng.randint(1, 4)}
        records.append(person)
        if i % 8 == 0:
            records.append(person | {"record_id": f"R{i}b", "agency": "shelter"})
    return records


# A name no one else in the register has: only their ages can tell two such men apart.
MAN = {"given_name": "Thierno", "family_name": "Sall", "sex": "M", "nationality": "GN"}


def test_an_estimate_is_a_range_of_birth_years_at_the_date_it_was_made():
    then = prepare(
        {
            "record_id": "1",
            "age_estimate_min": 24,
            "age_estimate_max": 28,
            "registered_on": "2024-03-01",
        }
    )
    later = prepare(
        {
            "record_id": "2",
            "age_estimate_min": "26",
            "age_estimate_max": "30",
            "registered_on": "2026-05-10",
        }
    )
    assert (then["born_from"], then["born_to"]) == (1995, 2000)
    assert (later["born_from"], later["born_to"]) == (1995, 2000)
    # one bound only; a date of birth is its year; nothing to go on
    assert (
        prepare({"record_id": "3", "age_estimate_max": 30, "registered_on": "2026-01-01"})[
            "born_from"
        ]
        == 1995
    )
    dated = prepare({"record_id": "4", "birth_date": "1998-06-14", "age_estimate_min": 40})
    assert (dated["born_from"], dated["born_to"]) == (1998, 1998)
    assert prepare({"record_id": "5", "age_estimate_min": "about 20"})["born_from"] is None


def test_namesakes_whose_estimated_ages_are_twenty_years_apart_are_not_paired():
    records = _register()
    records += [
        MAN | {"record_id": "A1", "age_estimate_min": 18, "age_estimate_max": 20,
               "registered_on": "2025-02-01"},
        MAN | {"record_id": "A2", "age_estimate_min": 38, "age_estimate_max": 42,
               "registered_on": "2025-09-01"},
    ]  # fmt: skip
    scored = {(p.left, p.right): p for p in find_pairs(records, threshold=0.0)}
    pair = scored[("A1", "A2")]
    assert pair.probability < 0.5
    reasons = {name: (level, weight) for name, level, weight in pair.reasons}
    assert reasons["estimated_age"][0] == "more than 5 years apart"
    assert reasons["estimated_age"][1] < -3
    # without the ages the same two records are the likelier pair
    bare = [
        {k: v for k, v in r.items() if not k.startswith("age_")}
        if r["record_id"] in ("A1", "A2")
        else r
        for r in records
    ]
    unaged = {(p.left, p.right): p for p in find_pairs(bare, threshold=0.0)}
    assert unaged[("A1", "A2")].probability >= 0.5  # paired on the names alone
    assert ("R0", "R0b") in {k for k, p in scored.items() if p.probability >= 0.5}


def test_the_same_man_estimated_24_to_28_then_registered_with_his_date_of_birth_is_paired():
    records = _register()
    records += [
        MAN | {"record_id": "B1", "age_estimate_min": 24, "age_estimate_max": 28,
               "registered_on": "2024-03-01"},
        MAN | {"record_id": "B2", "birth_date": "1998-06-14", "registered_on": "2026-05-10"},
    ]  # fmt: skip
    pairs = {(p.left, p.right): p for p in find_pairs(records)}
    assert ("B1", "B2") in pairs
    reasons = {name: (level, weight) for name, level, weight in pairs[("B1", "B2")].reasons}
    assert reasons["estimated_age"][0] == "birth years overlap"
    assert reasons["estimated_age"][1] > 0
    assert "birth_date" not in reasons  # missing on one side: the estimate speaks instead
    # an estimate far from his date of birth speaks against
    records[-2] |= {"age_estimate_min": 44, "age_estimate_max": 48}
    assert ("B1", "B2") not in {(p.left, p.right) for p in find_pairs(records)}


def test_a_file_without_estimates_is_scored_as_before():
    records = [{k: v for k, v in r.items() if not k.startswith("age_")} for r in _register()]
    names = {name for pair in find_pairs(records, threshold=0.0) for name, _, _ in pair.reasons}
    assert "estimated_age" not in names and "birth_date" in names


def test_a_register_file_reports_bad_ages_and_registration_dates(tmp_path: Path):
    header = ("record_id", "given_name", "age_estimate_min", "age_estimate_max", "registered_on")
    rows = [
        ["1", "Awa", "24", "28", "2024-03-01"],
        ["2", "Awa", "about 20", "", ""],
        ["3", "Awa", "30", "25", "2024-3-1"],
        ["4", "Awa", "", "200", "2999-01-01"],
        ["5", "Awa", "", "", ""],
    ]
    register = read_register(write(tmp_path / "in.csv", rows, header=header))
    assert [r["record_id"] for r in register.records] == ["1", "5"]
    assert {(p.row, p.column) for p in register.problems} == {
        (3, "age_estimate_min"),
        (4, "age_estimate_max"),
        (4, "registered_on"),
        (5, "age_estimate_max"),
        (5, "registered_on"),
    }
