"""`corridor seed --victims N`: append a synthetic data set (for demos, tests, benchmarks)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from corridor.demo.loader import seed_database
from corridor.demo.management.commands._options import country_code, moment, whole_number

DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = (
        "Append a synthetic, deterministic data set: agencies of the instance country and of "
        "the partner countries along the routes and the country's service directory (created "
        "when missing), and N victims with their screenings, age assessments, protection "
        "cases in every stage with their history, consents, referrals, service deliveries and "
        "the incidents they were found in, spread over about three years; about one in eleven "
        "is registered again by other agencies, spelt their way (duplicates, with the ground "
        "truth kept for benchmarks in SeededIdentity). The same --seed on "
        "the same starting database and --as-of gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--victims",
            required=True,
            metavar="N",
            help="how many persons (victims) to add, at least 1",
        )
        parser.add_argument(
            "--seed",
            default=DEFAULT_SEED,
            metavar="S",
            help=f"random seed (default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--country",
            default=None,
            metavar="CC",
            help="instance country, ISO 3166-1 alpha-2 (default CORRIDOR_COUNTRY)",
        )
        parser.add_argument(
            "--batch",
            default=5000,
            metavar="N",
            help="victims written per transaction (default 5000)",
        )
        parser.add_argument(
            "--as-of",
            default=None,
            metavar="WHEN",
            help="the moment the data set is dated from, ISO date or date-time "
            "(default now); fix it to reproduce a data set exactly",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="seed even though CORRIDOR_ENV is production (a benchmark "
            "database, never one that holds real victims)",
        )

    def handle(self, *args, **options):
        victims = whole_number(options["victims"], "--victims", minimum=1, maximum=50_000_000)
        seed = whole_number(options["seed"], "--seed", minimum=0)
        batch = whole_number(options["batch"], "--batch", minimum=1, maximum=100_000)
        country = country_code(options["country"] or settings.CORRIDOR_COUNTRY)
        as_of = moment(options["as_of"])
        if settings.PRODUCTION and not options["allow_production"]:
            raise CommandError(
                "Refusing to add synthetic victims to a production instance "
                "(CORRIDOR_ENV=production): they would mix with real records and statistics. "
                "Use a demo or test instance, or pass --allow-production for a benchmark "
                "database."
            )
        verbose = options["verbosity"] > 0

        def progress(line: str) -> None:
            if verbose:
                self.stderr.write(line)

        result = seed_database(
            victims=victims, seed=seed, country=country, batch=batch, as_of=as_of, progress=progress
        )
        # Fresh statistics for the query planner: without them a bulk-loaded PostgreSQL picks
        # plans for empty tables (a queue took 58 s at 20,000 victims before ANALYZE).
        progress("Updating the database's statistics (ANALYZE)…")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if verbose:
            self.stdout.write(
                f"Added {result.victims:,} victims ({result.persons:,} person records, "
                f"{result.duplicates:,} of them the same victims registered again by other "
                f"agencies), {result.cases:,} protection cases, "
                f"{result.referrals:,} referrals, {result.rows['screenings']:,} screenings and "
                f"{result.rows['incidents']:,} incidents ({result.agencies_created:,} new "
                f"agencies, {result.offers_created:,} new service offers; "
                f"country {country}, seed {seed}, dated {result.as_of:%Y-%m-%d %H:%M} UTC) in "
                f"{result.seconds:,.1f} s ({result.rate:,.0f} victims/s)."
            )
