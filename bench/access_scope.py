"""What need-to-know costs: the first page of each role's person list against an unscoped
query over the same table, on a synthetic data set in a throw-away database.

    python bench/access_scope.py [--victims 20000] [--repeat 20]

Set DATABASE_URL to measure on PostgreSQL (the tables are created in that database with
`migrate`; use an empty scratch database). Prints milliseconds per query and the ratio to
the baseline measured in the same run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="corridor-bench-")
    os.environ.setdefault("CORRIDOR_ENV", "demo")
    os.environ.setdefault("CORRIDOR_DATA_DIR", scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.accounts import access
    from corridor.accounts.models import User
    from corridor.demo.loader import ensure_demo_accounts, seed_database
    from corridor.people.models import Person

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not Person.objects.exists():
        seed_database(victims=args.victims, seed=7, country="IT")
    ensure_demo_accounts("IT")
    print(
        f"data set: {Person.objects.count():,} persons on {connection.vendor} "
        f"(ready in {time.perf_counter() - started:.1f} s)"
    )

    def timed(make_queryset) -> float:
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            page = list(make_queryset().order_by("-created_at")[:50])
            samples.append(time.perf_counter() - t0)
            assert len(page) <= 50
        return statistics.median(samples) * 1000

    baseline = timed(lambda: Person.objects.all())
    print(f"{'query':<28}{'visible':>10}{'ms/page':>10}{'ratio':>8}")
    print(f"{'unscoped (baseline)':<28}{Person.objects.count():>10,}{baseline:>10.2f}{1:>8.2f}")
    for username in (
        "responder",
        "coordinator",
        "provider",
        "investigator",
        "prosecutor",
        "analyst",
    ):
        user = User.objects.get(username=username)
        visible = access.persons_visible_to(user).count()
        ms = timed(lambda user=user: access.persons_visible_to(user))
        print(f"{username:<28}{visible:>10,}{ms:>10.2f}{ms / baseline:>8.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
