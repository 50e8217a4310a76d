"""Which records are the same person: probabilistic linkage with Splink on DuckDB (in memory).

Plain Python on plain dicts, no Django model, so that a register file before import
(`dedupe.py`) and a later run over the database share one model. Each record is prepared in
Python into what Splink compares: names as words in Latin letters and as consonant skeletons
(`corridor.people.names`), so that "محمد ديالو", "Mohamed Diallo" and "Muhammad Jallow" agree;
the skeletons of each word and of adjacent words, so that a second given name left out or
"Abdoulaye" / "عبد الله" still meet, and given and family names swapped between the fields
agree too; birth year, month and day apart, so that "1990" and "1990-04-12" agree as far as
both go; phones in E.164 and documents as letters and digits.

Splink weighs each field's agreement by how much likelier it is between records of one person
(m) than between two people (u), trained without labels: u from random pairs, m by
expectation maximisation (EM) over pairs whose names sound the same and pairs born the same
year. Agreement on a common name counts for less (term-frequency adjustment) and birth years
far apart count against, so that two men called Mohamed Diallo born 18 years apart stay two
people. An age estimated at registration ("24-28" on a record made in 2024) is a range of
birth years (1995-2000): where one record has no date of birth, the ranges of the two (or the
range and the other's year of birth) overlapping counts for, and far apart against. Where names tell the nationality (two Fatoumata Diarra are both Malian), agreeing on
it counts only for what the names did not say; a date typed with one digit wrong, even an
impossible one (a month 15), is one digit apart; phones agree on their last digits.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from corridor.people.names import document_key, e164, skeleton, words

# The columns a record carries (a register file's header, a person in the database).
FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "phone",
    "document_number",
    "agency",
)
# Optional, where the date of birth is not known: an age estimated by eye (whole years, either
# bound may be missing) and the day it was estimated, the record's registration (YYYY-MM-DD;
# today where missing).
AGE_FIELDS = ("age_estimate_min", "age_estimate_max", "registered_on")

SEED = 2026
# Below this many records the model is not trained: see `_untrained_model`.
MIN_RECORDS_TO_TRAIN = 100
# Random pairs sampled to estimate u; more than a register of a few thousand rows has.
MAX_U_PAIRS = 2_000_000
# Blocked pairs EM trains on at most (Splink samples records to stay near it).
MAX_EM_PAIRS = 1_000_000
# The share of all true pairs that the deterministic rules of `_deterministic_rules` find.
DETERMINISTIC_RECALL = 0.6
# The share of records assumed to have a duplicate in the file, where it cannot be counted.
DUPLICATE_SHARE = 0.1
# Trained values below these are what a small sample could not measure, not a certainty.
M_FLOOR = 1e-3
U_FLOOR_PAIRS = 1.0  # u is at least this many pairs among those sampled
# Trained m this close to u (total variation distance) tells nothing: see `_settle`.
MIN_SEPARATION = 0.3

# Phones are compared on their last digits (country codes written or not).
PHONE_DIGITS = 9
# Where few other records have a pair's names, the file's usual share counts as this many.
NATIONALITY_SHRINK = 5.0
# Ages estimated by eye are taken as they are written, between these (an age of 200 is not
# an estimate; a range written upside down is read the right way up).
MAX_AGE = 120

BIRTH_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
# Arabic script writes Diallo ديالو, which transliterates to "dylw": read a leading "dy" as
# the "j" of Jallow, as `skeleton` reads a leading "dia" (Latin names rarely start with dy).
ARABIC_DI = re.compile(r"^dy")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Pair:
    """Two records that are probably one person, and why: `reasons` holds, for each field
    both records have, the level Splink put the pair in ("same", "different", ...) and its
    match weight (log2 of the Bayes factor, term-frequency adjustment included): positive
    weights speak for one person, negative ones against."""

    left: str
    right: str
    probability: float
    reasons: list[tuple[str, str, float]] = field(default_factory=list)


def parse_birth_date(value: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of "YYYY", "YYYY-MM" or "YYYY-MM-DD"; (None, None, None) for an
    empty value; ValueError when it is none of these or not a date of the calendar."""
    value = (value or "").strip()
    if not value:
        return None, None, None
    found = BIRTH_DATE.match(value)
    if not found:
        raise ValueError(value)
    year, month, day = (int(part) if part else None for part in found.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(value)
    if day is not None:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        if not 1 <= day <= days:
            raise ValueError(value)
    return year, month, day


def find_pairs(
    records: list[dict[str, Any]],
    *,
    threshold: float = 0.5,
    progress: Progress | None = None,
) -> list[Pair]:
    """The pairs of records whose match probability is at least `threshold`, most probable
    first. Records are dicts with the keys of `FIELDS` and `AGE_FIELDS` (any may be missing but record_id,
    which must be unique). `progress(stage, done, total)` hears of "prepare", "train" (one
    step per EM session; total 0 when the model is not trained), "score" and "explain"."""
    report = progress or (lambda stage, done, total: None)
    rows = [prepare(record) for record in records]
    report("prepare", len(rows), len(rows))
    active = [c for c in COMPARISONS if c.compares(rows)]
    if len(rows) < 2 or not active:
        return []
    trained = len(rows) >= MIN_RECORDS_TO_TRAIN
    db_api = DuckDBAPI(":memory:")
    try:
        with _quiet_splink():
            # DuckDB's own random(), for whatever Splink samples without a seed of its own.
            db_api.duckdb_con.execute(f"SELECT setseed({1 / SEED})").fetchall()
            # DuckDB draws a progress bar on standard output for long queries: not in logs.
            db_api.duckdb_con.execute("SET enable_progress_bar = false").fetchall()
            table = db_api.register(pa.Table.from_pylist(rows, schema=SCHEMA))
            lookups = _frequencies(db_api, rows)
            model = None
            if trained:
                model = _trained_model(table, active, len(rows), report, lookups)
            if model is None:
                report("train", 0, 0)
                model = _untrained_model(table, active, len(rows))
            linker = _linker(table, model, lookups)
            report("score", 0, 0)
            scored = linker.inference.predict(
                threshold_match_probability=threshold, warning_mode="never"
            ).as_record_list()
    finally:
        db_api.duckdb_con.close()
    labels = _level_labels(model)
    pairs = []
    for done, row in enumerate(scored, start=1):
        pairs.append(_explained(row, labels))
        if done % 1000 == 0:
            report("explain", done, len(scored))
    report("explain", len(scored), len(scored))
    pairs.sort(key=lambda pair: (-pair.probability, pair.left, pair.right))
    return pairs


def prepare(record: dict[str, Any]) -> dict[str, Any]:
    """One record as Splink compares it (see `SCHEMA`); None where a value is missing."""
    given = words(record.get("given_name") or "")
    family = words(record.get("family_name") or "")
    given_keys, family_keys = _keys(given), _keys(family)
    year, month, day, digits = _lenient_birth_date(record.get("birth_date") or "")
    nationality = (record.get("nationality") or "").strip().upper()
    phone = (record.get("phone") or "").strip()
    if phone.startswith("00"):  # 00 is the international prefix of most countries
        phone = "+" + phone[2:]
    given_sk, family_sk = _skeletons(given), _skeletons(family)
    born_from, born_to = _birth_years(record, year)
    return {
        "record_id": str(record["record_id"]).strip(),
        "given": " ".join(given) or None,
        "family": " ".join(family) or None,
        "given_sk": given_sk,
        "family_sk": family_sk,
        "given_keys": given_keys or None,
        "family_keys": family_keys or None,
        "name_key": " ".join(sorted({_skeleton(w) for w in given + family} - {""})) or None,
        "birth_year": year,
        "birth_month": month,
        "birth_day": day,
        "birth_digits": digits,
        "born_from": born_from,
        "born_to": born_to,
        "sex": _sex(record.get("sex") or ""),
        "nationality": nationality or None,
        "nationality_names": "|".join((nationality, given_sk, family_sk))
        if nationality and given_sk and family_sk
        else None,
        "phone": _phone_key(phone, nationality),
        "document": document_key(record.get("document_number") or "") or None,
    }


SCHEMA = pa.schema(
    [("record_id", pa.string())]
    + [(c, pa.string()) for c in ("given", "family", "given_sk", "family_sk")]
    + [(c, pa.list_(pa.string())) for c in ("given_keys", "family_keys")]
    + [("name_key", pa.string())]
    + [(c, pa.int32()) for c in ("birth_year", "birth_month", "birth_day")]
    + [("birth_digits", pa.string())]
    + [(c, pa.int32()) for c in ("born_from", "born_to")]
    + [(c, pa.string()) for c in ("sex", "nationality", "nationality_names", "phone", "document")]
)


def _phone_key(phone: str, nationality: str) -> str | None:
    """The last `PHONE_DIGITS` digits of the number in E.164, or as written where it does not
    read as a number of the person's country: "3455784751", a number of the country the
    agency works in written without its code, is "+39 345 578 4751" (a pair that shares that
    many final digits is one phone, whatever the two records made of its country code)."""
    number = e164(phone, nationality if len(nationality) == 2 else "") or phone
    digits = re.sub(r"\D", "", number)
    return digits[-PHONE_DIGITS:] if len(digits) >= PHONE_DIGITS else None


def _skeleton(word: str) -> str:
    """`skeleton`, and a final t dropped: the tā' marbūṭa Arabic script ends Fatima and Amina
    with (فاطمة, "ftm") and West African spellings sound (Fatimata, Aminata: "ftmt")."""
    shape = skeleton(ARABIC_DI.sub("j", word))
    return shape[:-1] if len(shape) >= 3 and shape.endswith("t") else shape


def _skeletons(found: list[str]) -> str | None:
    return " ".join(shape for word in found if (shape := _skeleton(word))) or None


def _keys(found: list[str]) -> list[str]:
    """Each word's skeleton and that of adjacent words joined ("Abdoulaye" meets "عبد الله")."""
    keys = [_skeleton(word) for word in found]
    keys += [_skeleton(left + right) for left, right in zip(found, found[1:], strict=False)]
    return sorted({key for key in keys if key})


def _lenient_birth_date(value: str) -> tuple[int | None, int | None, int | None, str | None]:
    """(year, month, day, digits) of a date as written: what of it is a date of the calendar
    (a month 13 or a day 75 is left out, not the year with it), and its digits YYYYMMDD as
    written when all three parts are there, so that "2007-04-75" is one digit from
    "2007-04-15" (a date typed with one digit wrong)."""
    found = BIRTH_DATE.match(value or "")
    if not found:
        return None, None, None, None
    year, month, day = (int(part) if part else None for part in found.groups())
    digits = None
    if month is not None and day is not None:
        digits = f"{year:04d}{month:02d}{day:02d}"
    try:
        parse_birth_date(value)
    except ValueError:
        if month is not None and not 1 <= month <= 12:
            month = None
        day = None
    return year, month, day, digits


def _birth_years(record: dict[str, Any], year: int | None) -> tuple[int | None, int | None]:
    """The years of birth a record allows: its year of birth where it has one, else those of
    its estimated age on the day it was registered (aged 24 to 28 on 2024-03-01: born from
    1995, the year a 28-year-old turning 29 that year was born, to 2000); (None, None) where
    neither is known or the estimate is not a number of years."""
    if year is not None:
        return year, year
    low, high = _age(record.get("age_estimate_min")), _age(record.get("age_estimate_max"))
    if low is None and high is None:
        return None, None
    low, high = (low if low is not None else high), (high if high is not None else low)
    low, high = min(low, high), max(low, high)  # type: ignore[type-var]
    on = _registered_on(record.get("registered_on"))
    return on.year - high - 1, on.year - low


def _age(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        age = int(str(value).strip())
    except ValueError:
        return None
    return age if 0 <= age <= MAX_AGE else None


def _registered_on(value: Any) -> date:
    """The date of "YYYY-MM-DD" (a datetime's date, a date, or ISO text with a time after it);
    today where it is missing or not a date."""
    if isinstance(value, date):  # a datetime is a date too
        return value if type(value) is date else value.date()
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return datetime.now(UTC).date()


def _sex(value: str) -> str | None:
    """F or M from the first letter (female, femme, feminino; male, masculin, homme); any
    other value ("unknown", "?") is missing rather than a third value that agrees."""
    first = value.strip().upper()[:1]
    return {"F": "F", "M": "M", "H": "M"}.get(first)


@dataclass(frozen=True)
class Comparison:
    """One field compared: `levels` are (label, SQL condition, prior m, prior u), most alike
    first, ending with ELSE; `column` is the prepared column that must be present;
    `tf_columns` maps a level's index to the column whose term frequency adjusts it;
    `fixed_m` holds the levels whose m training leaves at the prior; `null_also` is an SQL
    condition under which the pair is not compared either (another comparison weighs it);
    `needs` a prepared column that at least one record must have for the comparison to be
    made at all."""

    name: str
    column: str
    levels: list[tuple[str, str, float, float]]
    tf_columns: dict[int, str] = field(default_factory=dict)
    fixed_m: frozenset[int] = frozenset()
    null_also: str | None = None
    needs: Callable[[dict[str, Any]], bool] | None = None

    def compares(self, rows: list[dict[str, Any]]) -> bool:
        """Whether the file gives this comparison anything to compare."""
        if sum(1 for row in rows if row[self.column] is not None and row[self.column] != "") < 2:
            return False
        return self.needs is None or any(self.needs(row) for row in rows)

    def settings(self, *, priors: bool, tf: bool) -> dict[str, Any]:
        missing = f"{self.column}_l IS NULL OR {self.column}_r IS NULL"
        if self.null_also:
            missing += f" OR ({self.null_also})"
        null = {
            "sql_condition": missing,
            "label_for_charts": "missing",
            "is_null_level": True,
        }
        levels: list[dict[str, Any]] = [null]
        for index, (label, condition, m, u) in enumerate(self.levels):
            level: dict[str, Any] = {"sql_condition": condition, "label_for_charts": label}
            if priors:
                level |= {"m_probability": m, "u_probability": u}
            if index in self.fixed_m:
                level |= {"m_probability": m, "fix_m_probability": True}
            if tf and index in self.tf_columns:
                level |= {"tf_adjustment_column": self.tf_columns[index]}
                # Not an exact match of that column: adjust from this level's own u.
                exact = condition == f"{self.tf_columns[index]}_l = {self.tf_columns[index]}_r"
                level |= {
                    "tf_adjustment_weight": 1.0,
                    "disable_tf_exact_match_detection": not exact,
                }
            levels.append(level)
        return {"output_column_name": self.name, "comparison_levels": levels}


def _name_comparison(name: str, column: str, same_u: float) -> Comparison:
    """Same words; else same skeleton (another script or spelling: Jallow, ديالو), or both
    names swapped between the given and family name fields; else close skeletons or words
    (Fatoumata, Fatima); else one word in common (a second given name left out)."""
    sk, keys = f"{column}_sk", f"{column}_keys"
    return Comparison(
        name=name,
        # a name of vowels only (Uwe, Eva) has no skeleton but is still compared
        column=column,
        tf_columns={0: column, 1: sk},
        levels=[
            ("same", f"{column}_l = {column}_r", 0.45, same_u),
            (
                "same sound or swapped",
                f"{sk}_l = {sk}_r OR (given_sk_l = family_sk_r AND family_sk_l = given_sk_r)",
                0.30,
                0.02,
            ),
            (
                "similar spelling",
                f"jaro_winkler_similarity({sk}_l, {sk}_r) >= 0.9 "
                f"OR jaro_winkler_similarity({column}_l, {column}_r) >= 0.9",
                0.12,
                0.01,
            ),
            # a short name with one typo (Bauer, Bzuer), which Jaro-Winkler puts below 0.9
            ("one letter apart", f"damerau_levenshtein({column}_l, {column}_r) <= 1", 0.05, 0.003),
            ("one name in common", f"list_has_any({keys}_l, {keys}_r)", 0.05, 0.02),
            ("different", "ELSE", 0.08, 0.95 - same_u),
        ],
    )


def _exact_comparison(
    name: str, column: str, same: tuple[float, float], different: tuple[float, float]
) -> Comparison:
    return Comparison(
        name=name,
        column=column,
        levels=[
            ("same", f"{column}_l = {column}_r", *same),
            ("different", "ELSE", *different),
        ],
    )


# Prior m and u: what a register typically shows (m: among records of one person; u: among
# records of two people). They are EM's starting point and the untrained model's weights.
COMPARISONS = [
    _name_comparison("given_name", "given", same_u=0.03),
    _name_comparison("family_name", "family", same_u=0.04),
    Comparison(
        name="birth_date",
        column="birth_year",
        levels=[
            (
                "same date",
                "birth_year_l = birth_year_r AND birth_month_l = birth_month_r "
                "AND birth_day_l = birth_day_r",
                0.55,
                0.0005,
            ),
            # a date typed with one digit wrong (1925 for 1975, 03-21 for 03-12, 04-75 for
            # 04-15): before the same year, so that a month mistyped is not just the year
            (
                "one digit apart",
                "damerau_levenshtein(birth_digits_l, birth_digits_r) <= 1",
                0.12,
                0.001,
            ),
            (
                "same year and month",
                "birth_year_l = birth_year_r AND birth_month_l = birth_month_r",
                0.06,
                0.003,
            ),
            ("same year", "birth_year_l = birth_year_r", 0.18, 0.03),
            ("1-2 years apart", "abs(birth_year_l - birth_year_r) <= 2", 0.08, 0.10),
            # the day and month kept and the year written wrong (1951-12-05, 1973-12-05):
            # one random pair in 365 shares them, one person's records more often
            (
                "same day and month",
                "birth_month_l = birth_month_r AND birth_day_l = birth_day_r",
                0.02,
                0.0025,
            ),
            ("3-10 years apart", "abs(birth_year_l - birth_year_r) <= 10", 0.027, 0.40),
            ("more than 10 years apart", "ELSE", 0.003, 0.464),
        ],
        # A year written ten years off is rarer in one person's records than EM on a
        # register of a few hundred rows can tell: it fills these levels with the
        # namesakes it took for matches, and then a decade apart hardly counts against.
        fixed_m=frozenset({4, 6, 7}),
    ),
    Comparison(
        # The years of birth an estimated age allows, against the other record's estimate or
        # year of birth; two dates of birth are `birth_date`'s alone.
        name="estimated_age",
        column="born_from",
        null_also="birth_year_l IS NOT NULL AND birth_year_r IS NOT NULL",
        needs=lambda row: row["born_from"] is not None and row["birth_year"] is None,
        levels=[
            (
                "birth years overlap",
                "born_from_l <= born_to_r AND born_from_r <= born_to_l",
                0.85,
                0.15,
            ),
            (
                "1-2 years apart",
                "greatest(born_from_l - born_to_r, born_from_r - born_to_l) <= 2",
                0.1,
                0.15,
            ),
            (
                "3-5 years apart",
                "greatest(born_from_l - born_to_r, born_from_r - born_to_l) <= 5",
                0.04,
                0.2,
            ),
            ("more than 5 years apart", "ELSE", 0.01, 0.5),
        ],
        # m is not trained: the pairs EM sees here are mostly namesakes (on seeded data one
        # record in two has neither a date of birth nor a phone to tell them apart), and it
        # takes them for matches (m 0.71 for ranges that overlap, 0.20 for 1-2 years apart,
        # where 94% of one person's pairs overlap). An age misjudged by a year or two is
        # common, by more than five rare, whatever EM over namesakes says; u is measured.
        fixed_m=frozenset({0, 1, 2, 3}),
    ),
    _exact_comparison("sex", "sex", (0.97, 0.5), (0.03, 0.5)),
    Comparison(
        name="nationality",
        column="nationality",
        # Names tell the nationality: two Malian women called Fatoumata Diarra share it as
        # surely as one woman's two records, so agreeing on it where the names sound the
        # same weighs only what the names did not already say (see `_frequencies`).
        tf_columns={0: "nationality_names"},
        levels=[
            (
                "same",
                "nationality_l = nationality_r AND given_sk_l = given_sk_r "
                "AND family_sk_l = family_sk_r",
                0.5,
                0.19,  # as much as the other "same" untrained (no term frequencies there)
            ),
            ("same", "nationality_l = nationality_r", 0.42, 0.16),
            ("different", "ELSE", 0.08, 0.65),
        ],
    ),
    _exact_comparison("phone", "phone", (0.6, 0.001), (0.4, 0.999)),
    Comparison(
        name="document_number",
        column="document",
        levels=[
            ("same", "document_l = document_r", 0.7, 0.0001),
            ("one character apart", "damerau_levenshtein(document_l, document_r) <= 1", 0.1, 0.001),
            ("different", "ELSE", 0.2, 0.9989),
        ],
    ),
]


def _columns(active: list[Comparison]) -> set[str]:
    """The prepared columns the blocking and training rules may read: those of the active
    comparisons, and a name's skeletons with it (a file where no name has a consonant
    blocks on the other rules)."""
    columns = {c.column for c in active}
    return columns | {f"{c}_sk" for c in ("given", "family") if c in columns}


def _settings(
    active: list[Comparison], *, priors: bool, tf: bool, prior_match: float
) -> SettingsCreator:
    columns = _columns(active)
    # Each rule pairs a name with a second thing, so that a common family name ("tr" is one
    # record in fourteen) does not make the comparisons grow with the square of the records.
    rules: list[Any] = [block_on("name_key")]
    if {"family_sk", "birth_year"} <= columns:
        rules.append(block_on("family_sk", "birth_year"))
    if {"family_sk", "given_sk"} <= columns:
        rules.append(
            "l.family_sk = r.family_sk AND substr(l.given_sk, 1, 1) = substr(r.given_sk, 1, 1)"
        )
        # Given and family names swapped (either record may be the left one).
        rules.append("l.given_sk = r.family_sk AND l.family_sk = r.given_sk")
    if {"given_sk", "birth_year"} <= columns:
        rules.append(block_on("given_sk", "birth_year"))
    rules += [block_on(column) for column in ("phone", "document") if column in columns]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[c.settings(priors=priors, tf=tf) for c in active],
        blocking_rules_to_generate_predictions=rules,
        probability_two_random_records_match=prior_match,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


def _untrained_model(table: Any, active: list[Comparison], count: int) -> dict[str, Any]:
    """The prior weights, untrained, for files too small to train on (or where training
    failed). With a few dozen records, random pairs are too few for u: a rare agreement (one
    shared document) is never seen among them, and Splink then reads it as near-certain
    proof; EM over the handful of pairs that share a family name fails outright ("no record
    pairs") or fits two or three people. Term frequencies are left out too: in a file of 20
    rows, a name written three times is the duplicate being looked for, not a common name.
    The share of duplicates is assumed (`DUPLICATE_SHARE`)."""
    prior_match = min(0.5, DUPLICATE_SHARE * 2 / max(count - 1, 1))
    settings = _settings(active, priors=True, tf=False, prior_match=prior_match)
    return Linker(table, settings, log_level=None).misc.save_model_to_json()


def _frequencies(db_api: DuckDBAPI, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Term frequencies Splink could not count itself, registered as lookups.

    The name skeletons, for the "same sound" level: how often a
    random record has this skeleton *spelt another way* than a record that has it. Splink
    would divide the level's u by the skeleton's own frequency, so that "Muellor" and
    "Mueller" (skeleton "mllr", one record in forty, nearly always spelt Mueller) counted
    against; the frequency of the skeleton times the chance that two of its records differ
    in spelling is what a random pair at this level shows."""
    lookups = {}
    for column, spelt in (("given_sk", "given"), ("family_sk", "family")):
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            if row[column]:
                spellings = counts.setdefault(row[column], {})
                spellings[row[spelt] or ""] = spellings.get(row[spelt] or "", 0) + 1
        total = sum(sum(s.values()) for s in counts.values())
        if not total:
            continue
        frequencies = []
        for value, spellings in counts.items():
            n = sum(spellings.values())
            apart = 1 - sum((k / n) ** 2 for k in spellings.values())
            frequencies.append({column: value, f"tf_{column}": n / total * max(apart, 1 / n)})
        lookups[column] = _lookup(db_api, column, frequencies)
    # The nationality among records whose names sound the same: the share of the others
    # with these names (the pair's own two records left out) that have this nationality.
    names: dict[tuple[str, str], int] = {}
    together: dict[str, int] = {}
    for row in rows:
        if row["nationality_names"]:
            _, given_sk, family_sk = row["nationality_names"].split("|")
            names[(given_sk, family_sk)] = names.get((given_sk, family_sk), 0) + 1
            together[row["nationality_names"]] = together.get(row["nationality_names"], 0) + 1
    # Drawn towards how often two records with the same names share a nationality in the
    # whole file (pairs counted), where the others with these names are few.
    shared = sum(k * (k - 1) / 2 for k in together.values())
    alike = sum(k * (k - 1) / 2 for k in names.values())
    usual = shared / alike if alike else 0.0
    frequencies = []
    for value, count in together.items():
        _, given_sk, family_sk = value.split("|")
        others = max(names[(given_sk, family_sk)] - 2, 0)
        tf = (max(count - 2, 0) + NATIONALITY_SHRINK * usual) / (others + NATIONALITY_SHRINK)
        frequencies.append({"nationality_names": value, "tf_nationality_names": max(tf, 1e-3)})
    if frequencies:
        lookups["nationality_names"] = _lookup(db_api, "nationality_names", frequencies)
    return lookups


def _lookup(db_api: DuckDBAPI, column: str, frequencies: list[dict[str, Any]]) -> Any:
    schema = pa.schema([(column, pa.string()), (f"tf_{column}", pa.float64())])
    return db_api.register(pa.Table.from_pylist(frequencies, schema=schema))


def _linker(table: Any, settings: Any, lookups: dict[str, Any]) -> Linker:
    linker = Linker(table, settings, log_level=None)
    for column, frequencies in lookups.items():
        linker.table_management.register_term_frequency_lookup(frequencies, column)
    return linker


def _trained_model(
    table: Any, active: list[Comparison], count: int, report: Progress, lookups: dict[str, Any]
) -> dict[str, Any] | None:
    """Trained on the file itself; None when training fails, so that the caller falls back
    to the prior weights rather than stopping a run over a spreadsheet."""
    assumed = DUPLICATE_SHARE * 2 / (count - 1)
    settings = _settings(active, priors=True, tf=True, prior_match=assumed)
    linker = _linker(table, settings, lookups)
    columns = _columns(active)
    sessions = _training_rules(columns)
    log = logging.getLogger(__name__)
    try:
        rules = _deterministic_rules(columns)
        if rules:
            linker.training.estimate_probability_two_random_records_match(
                rules, recall=DETERMINISTIC_RECALL
            )
            estimated = linker.misc.save_model_to_json()["probability_two_random_records_match"]
            if not 0 < estimated < 1:  # no pair found by the rules: keep the assumed share
                linker = _linker(table, settings, lookups)
        report("train", 0, len(sessions) + 1)
        linker.training.estimate_u_using_random_sampling(max_pairs=MAX_U_PAIRS, seed=SEED)
    except Exception as error:  # any Splink or DuckDB failure: use the priors
        log.warning("estimating u failed, using the prior weights: %s", error)
        log.debug("estimating u failed", exc_info=True)
        return None
    trained = 0
    for done, rule in enumerate(sessions, start=1):
        report("train", done, len(sessions) + 1)
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=MAX_EM_PAIRS
            )
            trained += 1
        except Exception as error:  # EM can fail on odd data; the other sessions stand
            # A failed session leaves the linker's settings without the comparisons it
            # blocked on (Splink 5 filters them in place): go on from the model before it.
            log.warning("EM session %d of %d failed, skipped: %s", done, len(sessions), error)
            log.debug("EM session failed", exc_info=True)
            linker = _linker(table, before, lookups)
    if not trained:
        return None
    report("train", len(sessions) + 1, len(sessions) + 1)
    model = linker.misc.save_model_to_json()
    pairs = min(MAX_U_PAIRS, count * (count - 1) / 2)
    _settle(model, active, u_floor=U_FLOOR_PAIRS / pairs)
    return model


def _training_rules(columns: set[str]) -> list[Any]:
    """EM sessions: one on pairs whose given and family names sound the same (it trains the
    other fields), one on pairs born the same year (it trains the names). Splink does not
    train a comparison on pairs blocked by a column its SQL reads."""
    names = [column for column in ("given_sk", "family_sk") if column in columns]
    sessions = [block_on(*names)] if names else []
    if "birth_year" in columns:
        sessions.append(block_on("birth_year"))
    return sessions


def _deterministic_rules(columns: set[str]) -> list[str]:
    """Agreements that almost only records of one person share, to count how many pairs there
    are (`probability_two_random_records_match`)."""
    rules = []
    if "document" in columns:
        rules.append("l.document = r.document")
    if {"phone", "given_sk"} <= columns:
        rules.append("l.phone = r.phone AND l.given_sk = r.given_sk")
    if {"given_sk", "family_sk", "birth_year"} <= columns:
        rules.append(
            "l.given_sk = r.given_sk AND l.family_sk = r.family_sk "
            "AND l.birth_year = r.birth_year AND l.birth_month = r.birth_month "
            "AND l.birth_day = r.birth_day"
        )
    return rules


def _settle(model: dict[str, Any], active: list[Comparison], u_floor: float) -> None:
    """Trained m and u made safe to score with. A comparison whose trained m is no longer
    apart from its u (total variation under `MIN_SEPARATION`), or that finds full agreement
    likelier between two people than within one or rarer than full disagreement, goes back
    to its prior m: EM settled on something other than persons (typically every blocked pair
    taken for a match), which a register of a few hundred rows easily lets it do. A level EM
    never saw has at least `M_FLOOR`; a level random pairs never showed has a u of at least
    one pair among those sampled."""
    priors = {c.name: c for c in active}
    for comparison in model["comparisons"]:
        spec = priors[comparison["output_column_name"]]
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level, (_, _, m, u) in zip(levels, spec.levels, strict=True):
            level["m_probability"] = max(level.get("m_probability") or m, M_FLOOR)
            level["u_probability"] = max(level.get("u_probability") or u, u_floor)
        apart = sum(abs(lv["m_probability"] - lv["u_probability"]) for lv in levels) / 2
        first, last = levels[0], levels[-1]
        if (
            apart < MIN_SEPARATION
            or first["m_probability"] <= first["u_probability"]
            or first["m_probability"] < last["m_probability"]
        ):
            for level, (_, _, m, _) in zip(levels, spec.levels, strict=True):
                level["m_probability"] = m


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison → its levels' labels by comparison vector value (the `gamma_` column):
    -1 for the null level, then counting down to 0 for the last, as Splink numbers them."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        values = labels.setdefault(comparison["output_column_name"], {})
        counter = sum(1 for level in levels if not level.get("is_null_level")) - 1
        for level in levels:
            if level.get("is_null_level"):
                values[-1] = level["label_for_charts"]
            else:
                values[counter] = level["label_for_charts"]
                counter -= 1
    return labels


def _explained(row: dict[str, Any], labels: dict[str, dict[int, str]]) -> Pair:
    """A scored row of `predict` as a Pair: each compared field's level (gamma_*) and weight
    (mw_* plus its term-frequency adjustment mw_tf_adj_*), strongest first."""
    reasons = []
    for name, levels in labels.items():
        gamma = row.get(f"gamma_{name}")
        if gamma is None or gamma == -1:
            continue
        weight = (row.get(f"mw_{name}") or 0.0) + (row.get(f"mw_tf_adj_{name}") or 0.0)
        reasons.append((name, levels.get(gamma, str(gamma)), round(weight, 2)))
    reasons.sort(key=lambda reason: -reason[2])
    left, right = sorted((str(row["record_id_l"]), str(row["record_id_r"])))
    return Pair(
        left=left, right=right, probability=float(row["match_probability"]), reasons=reasons
    )


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs every step at INFO and warns about small samples; the caller reports
    progress itself."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
