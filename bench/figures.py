"""What the national figures cost: `count_for` an analyst (every incident of the instance,
counted and suppressed) against the counting rules as first written in Python, victim by
victim, and against a bare COUNT(*) of the victim links, on a synthetic data set in a
throw-away database.

    python bench/figures.py [--victims 2000] [--repeat 5]

Set DATABASE_URL to measure on PostgreSQL (the tables are created in that database with
`migrate`; use an empty scratch database). Prints milliseconds per call and the ratio to the
bare count measured in the same run, and checks that the two implementations agree.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="corridor-bench-")
    os.environ.setdefault("CORRIDOR_ENV", "demo")
    os.environ.setdefault("CORRIDOR_DATA_DIR", scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from corridor.accounts.models import User
    from corridor.demo.loader import ensure_demo_accounts, seed_database
    from corridor.incidents import counting
    from corridor.incidents.models import Incident, IncidentVictim
    from corridor.incidents.tests import python_counting
    from corridor.people.models import Person

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not Person.objects.exists():
        seed_database(victims=args.victims, seed=7, country="IT")
    ensure_demo_accounts("IT")
    links = IncidentVictim.objects.filter(role=IncidentVictim.Role.VICTIM)
    print(
        f"data set: {Person.objects.count():,} persons, {Incident.objects.count():,} incidents, "
        f"{links.count():,} victim links on {connection.vendor} "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )
    analyst = User.objects.get(username="analyst")

    def timed(call) -> tuple[float, int]:
        samples = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                call()
                samples.append(time.perf_counter() - t0)
        return statistics.median(samples) * 1000, len(queries)

    def in_python():
        return counting.suppress(python_counting.count(Incident.objects.all()))

    assert counting.count_for(analyst) == in_python(), "the SQL and Python counts differ"
    baseline, baseline_queries = timed(links.count)
    rows = [
        ("bare COUNT(*) (baseline)", baseline, baseline_queries),
        ("Python, victim by victim", *timed(in_python)),
        ("count_for(analyst), SQL", *timed(lambda: counting.count_for(analyst))),
    ]
    print(f"{'figures':<28}{'queries':>8}{'ms/call':>10}{'ratio':>9}")
    for name, ms, queries in rows:
        print(f"{name:<28}{queries:>8}{ms:>10.1f}{ms / baseline:>9.1f}")
    python_ms, sql_ms = rows[1][1], rows[2][1]
    print(f"speed-up of the SQL counts over the Python ones: {python_ms / sql_ms:.1f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
