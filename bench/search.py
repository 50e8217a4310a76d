"""What a person search costs: `search_persons` as a coordinator (the whole country) and as a
first responder (one agency), by full name, by one common name, by name and year of birth,
by phone and for a name nobody has, against an indexed equality lookup (a person by
reference) measured in the same run, on a synthetic data set.

    python bench/search.py [--victims 5000] [--repeat 50]

Set DATABASE_URL to measure on PostgreSQL (use a scratch database: it is seeded when it
holds fewer persons than --victims; an existing bench database with a million persons is
reused as it is). Prints p50 and p95 in milliseconds per search and their ratio to the
equality lookup's p50, and how many persons each search found.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    os.environ.setdefault("CORRIDOR_ENV", "demo")
    os.environ.setdefault("CORRIDOR_DATA_DIR", tempfile.mkdtemp(prefix="corridor-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "corridor.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from corridor.accounts import access
    from corridor.accounts.models import User
    from corridor.demo.loader import ensure_demo_accounts, seed_database
    from corridor.people.models import Person, PersonSearchKey
    from corridor.people.search import search_persons

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    have = Person.objects.count()
    if have < args.victims:
        seed_database(
            victims=args.victims - have,
            seed=11,
            country="IT",
            progress=lambda line: print(f"\r  {line}", end="", file=sys.stderr),
        )
        print(file=sys.stderr)
    ensure_demo_accounts("IT")
    print(
        f"data set: {Person.objects.count():,} persons, {PersonSearchKey.objects.count():,} "
        f"search keys on {connection.vendor} (ready in {time.perf_counter() - started:.1f} s)"
    )

    rng = random.Random(5)
    sample = list(Person.objects.order_by("?")[:200])
    given = Counter(p.given_name for p in Person.objects.order_by("?")[:2000] if p.given_name)
    common = given.most_common(1)[0][0]
    with_year = [p for p in sample if p.date_of_birth and p.given_name]
    with_phone = [p for p in sample if p.phone]
    searches = {
        "full name": [f"{p.family_name} {p.given_name}" for p in sample if p.family_name],
        f"one common name ({common})": [common],
        "name and year of birth": [f"{p.given_name} {p.date_of_birth.year}" for p in with_year],
        "phone": [p.phone for p in with_phone],
        "a name nobody has": ["Zyxwvutsrq Qwertyuiop"],
    }
    references = [p.reference for p in sample]

    def timed(call, texts) -> tuple[float, float, float]:
        samples, found = [], []
        for _ in range(args.repeat):
            text = rng.choice(texts)
            t0 = time.perf_counter()
            found.append(call(text))
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        return (
            samples[len(samples) // 2],
            samples[int(len(samples) * 0.95) - 1],
            statistics.mean(found),
        )

    base_p50, base_p95, _ = timed(
        lambda ref: len(list(Person.objects.filter(reference=ref))), references
    )
    print(f"\n{'search':<34}{'user':<14}{'p50 ms':>8}{'p95 ms':>8}{'ratio':>8}{'found':>8}")
    print(f"{'by reference (indexed =, baseline)':<34}{'-':<14}{base_p50:>8.1f}{base_p95:>8.1f}")
    for username in ("coordinator", "responder"):
        user = User.objects.get(username=username)
        within = access.persons_visible_to(user)
        for name, texts in searches.items():
            if not texts:
                continue
            p50, p95, mean_found = timed(
                lambda text, user=user, within=within: len(
                    search_persons(text, actor=user, within=within).persons
                ),
                texts,
            )
            print(
                f"{name:<34}{username:<14}{p50:>8.1f}{p95:>8.1f}{p50 / base_p50:>8.1f}"
                f"{mean_found:>8.1f}"
            )


if __name__ == "__main__":
    main()
