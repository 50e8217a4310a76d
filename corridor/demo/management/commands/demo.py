"""`corridor demo`: a working instance in one command, with synthetic data and demo logins."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from corridor.accounts.models import Agency
from corridor.cases.models import ProtectionCase
from corridor.core.storage import static_files_changed
from corridor.demo.demo_work import prepare_demo_work
from corridor.demo.loader import (
    assign_demo_coordinator,
    ensure_demo_accounts,
    link_demo_partner,
    seed_database,
)
from corridor.demo.management.commands._options import country_code, whole_number
from corridor.jobs.worker import CorridorWorker
from corridor.linkage.models import MatchCandidate
from corridor.linkage.services import check_unchecked_persons
from corridor.people.models import Person
from corridor.referrals.models import Referral

DEMO_SEED = 2026
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - named, not bound, here


class Command(BaseCommand):
    help = (
        "Run a demonstration instance: create the data directory, migrate the database, load "
        "a synthetic data set and one demo account per role the first time, print the logins "
        "and serve the site with waitress. Refuses to run with CORRIDOR_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to serve on (default 127.0.0.1: this computer only)",
        )
        parser.add_argument("--port", default=8000, help="port to serve on (default 8000)")
        parser.add_argument(
            "--victims",
            default=400,
            metavar="N",
            help="synthetic victims loaded into a new database (default 400)",
        )
        parser.add_argument(
            "--seed",
            default=DEMO_SEED,
            metavar="S",
            help=f"random seed of the synthetic data (default {DEMO_SEED})",
        )
        parser.add_argument(
            "--data-dir",
            default=None,
            metavar="DIR",
            help="where the database lives (default ./corridor-data; set by "
            "the `corridor` launcher before Django starts)",
        )
        parser.add_argument(
            "--country",
            default=None,
            metavar="CC",
            help="instance country, ISO 3166-1 alpha-2 (default IT; set by the "
            "`corridor` launcher before Django starts)",
        )
        parser.add_argument(
            "--partner-of",
            default=None,
            metavar="DIR",
            help="data directory of another demo instance on this computer to register as a "
            "partner, both ways (default: ./corridor-data when --country is not IT and it "
            "exists)",
        )
        parser.add_argument(
            "--partner-url",
            default="http://127.0.0.1:8000",
            metavar="URL",
            help="where that instance is served (default http://127.0.0.1:8000)",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="stop once the database and the accounts are ready",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "The demo loads synthetic victims and accounts with a published password; it "
                "refuses to run with CORRIDOR_ENV=production. Run `corridor demo` without "
                "CORRIDOR_ENV, or with CORRIDOR_ENV=demo."
            )
        port = whole_number(options["port"], "--port", minimum=1, maximum=65535)
        victims = whole_number(options["victims"], "--victims", minimum=0, maximum=5_000_000)
        seed = whole_number(options["seed"], "--seed", minimum=0)
        host = str(options["host"]).strip()
        requested = country_code(options["country"]) if options["country"] else None
        country = country_code(settings.CORRIDOR_COUNTRY, "CORRIDOR_COUNTRY")
        if requested and requested != country:
            raise CommandError(
                f"--country {options['country']} differs from CORRIDOR_COUNTRY={country}, which "
                "Django read when it started: use `corridor demo --country ...` or set "
                "CORRIDOR_COUNTRY."
            )
        data_dir = Path(settings.CORRIDOR_DATA_DIR).expanduser().resolve()
        if options["data_dir"] and Path(options["data_dir"]).expanduser().resolve() != data_dir:
            raise CommandError(
                f"--data-dir {options['data_dir']} differs from CORRIDOR_DATA_DIR={data_dir}, "
                "which Django read when it started: use `corridor demo --data-dir ...` or set "
                "CORRIDOR_DATA_DIR."
            )
        serve = not options["no_serve"]
        if serve:
            problem = _cannot_bind(host, port)
            if problem:
                raise CommandError(
                    f"Cannot serve on {host}:{port} ({problem}). Is another "
                    "server running there? Try another --port."
                )

        self._step(f"Data directory: {data_dir}")
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create the data directory {data_dir}: {exc}") from exc

        self._step(f"Preparing the database ({_describe_database()})...")
        call_command("migrate", interactive=False, verbosity=0)
        self._step("Database ready.")

        if Agency.objects.exists():
            self._step(
                f"Reusing the data already there: {Person.objects.count():,} persons, "
                f"{ProtectionCase.objects.count():,} protection cases, "
                f"{Referral.objects.count():,} referrals (add more with `corridor seed "
                "--victims N`)."
            )
        else:
            self._step(
                f"Loading the synthetic data set: {victims:,} victims, country {country}, "
                f"seed {seed}..."
            )
            result = seed_database(
                victims=victims,
                seed=seed,
                country=country,
                batch=min(max(victims, 1), 5000),
                progress=lambda line: self._step("  " + line),
            )
            self._step(
                f"Loaded {result.victims:,} victims ({result.persons:,} person records), "
                f"{result.cases:,} protection cases, "
                f"{result.referrals:,} referrals, {result.rows['screenings']:,} screenings and "
                f"{result.rows['incidents']:,} incidents in {result.seconds:,.1f} s."
            )
            self._step("Checking the records for persons registered twice...")
            checked = check_unchecked_persons()
            pairs = MatchCandidate.objects.filter(status=MatchCandidate.Status.PROPOSED).count()
            self._step(
                f"Checked {checked:,} records: {pairs:,} pairs wait in the coordinator's review "
                "queue (Who is who)."
            )

        logins = ensure_demo_accounts(country)
        created = sum(login.created for login in logins)
        if created:
            assign_demo_coordinator()
            work = prepare_demo_work(country)
            self._step(
                f"Created {created} demo account(s), with their work and "
                f"{work.get('notifications', 0)} notifications."
            )
        else:
            self._step("Demo accounts already exist; kept as they are.")

        url = _url(host, port)
        partner_of = _partner_dir(options["partner_of"], country, data_dir)
        if partner_of:
            self._link_partner(partner_of, options["partner_url"], url)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Corridor demo: {url}"))
        self.stdout.write(
            "Synthetic data only: do not enter real personal data. "
            "Two-factor authentication is off in the demo."
        )
        self.stdout.write("")
        self.stdout.write(
            _table(
                ["username", "password", "role", "agency"],
                [[x.username, x.password, x.role, x.agency] for x in logins],
            )
        )
        self.stdout.write("")
        if not serve:
            self.stdout.write("Not serving (--no-serve).")
            return
        self._serve(host, port, url)

    def _link_partner(self, other_dir: Path, other_url: str, url: str) -> None:
        from django.core.exceptions import ValidationError

        self._step(f"Registering the demo instance in {other_dir} as a partner, both ways...")
        try:
            link = link_demo_partner(other_dir, other_url, own_url=url.rstrip("/"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        here = "registered" if link.registered_here else "already registered"
        there = "registered" if link.registered_there else "already registered"
        self._step(
            f"Partner {link.country} at {link.base_url} (key {link.key_id}): {here} here; "
            f"this instance ({settings.CORRIDOR_COUNTRY}, {url.rstrip('/')}) {there} there."
        )
        self._step(
            "Messages between the two are delivered by each demo's background worker while "
            "both are serving."
        )

    def _step(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _serve(self, host: str, port: int, url: str) -> None:
        from waitress import serve

        if settings.STATIC_COLLECTED and static_files_changed():
            self._step("Collecting and compressing static files (first start or an upgrade)...")
            call_command("collectstatic", interactive=False, verbosity=0)
        from corridor.wsgi import application  # after collecting: WhiteNoise lists the files

        data_dir = Path(settings.CORRIDOR_DATA_DIR)
        self.stdout.write(
            f"Background jobs (imports, deliveries to partners, overdue referrals, reminders) "
            f"run inside this process. Log: {settings.CORRIDOR_LOG_FILE or 'the terminal'}; "
            f"e-mails: {data_dir / 'mail'}."
        )
        self.stdout.write(f"Serving on {url} with waitress (8 threads). Press Ctrl+C to stop.")
        self.stdout.flush()
        worker = CorridorWorker(worker_id=f"demo-{os.getpid()}")
        threading.Thread(target=worker.run, name="corridor-worker", daemon=True).start()
        try:
            serve(
                application,
                host=host,
                port=port,
                threads=8,
                max_request_body_size=settings.CORRIDOR_MAX_REQUEST_BYTES,
            )
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        except OSError as exc:
            raise CommandError(f"Cannot serve on {host}:{port}: {exc}") from exc
        finally:
            worker.stop()


def _partner_dir(option: str | None, country: str, data_dir: Path) -> Path | None:
    """The other demo instance to link with: --partner-of, or ./corridor-data for a demo of
    another country than IT when that directory exists (and is not this instance's)."""
    if option:
        chosen = Path(option).expanduser().resolve()
    elif country != "IT":
        chosen = Path("corridor-data").resolve()
        if not (chosen / "corridor.sqlite3").is_file():
            return None
    else:
        return None
    if chosen == data_dir:
        raise CommandError(
            f"--partner-of {chosen} is this instance's own data directory: give the other "
            "demo's (e.g. --data-dir corridor-data-ng for this one)."
        )
    return chosen


def _cannot_bind(host: str, port: int) -> str:
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        return f"unknown host: {exc}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.strerror or str(exc)
    return ""


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def _describe_database() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite, {connection.settings_dict['NAME']}"
    return f"{connection.vendor}, {connection.settings_dict.get('NAME', '')}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
