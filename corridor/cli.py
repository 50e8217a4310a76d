"""The `corridor` command.

corridor demo [--port 8000] [--host 127.0.0.1] [--data-dir DIR] [--country IT]
              [--victims N] [--seed S] [--no-serve] [--partner-of DIR] [--partner-url URL]
    A demonstration instance with synthetic data and demo logins, in one command.
    Another country than IT: its own ./corridor-data-<cc>, registered as a partner of the
    ./corridor-data demo when there is one (see `corridor demo --help`).
    CORRIDOR_ENV defaults to demo here (and only here).

corridor <command> [options]     (seed, migrate, rotate_keys, audit verify, ...)
    Any Django management command, with DJANGO_SETTINGS_MODULE=corridor.settings.
    CORRIDOR_ENV defaults to production, which needs real secrets.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HELP_WORDS = {"-h", "--help", "help"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - compared with, not bound to

USAGE = """\
Corridor: identify, protect and refer victims of trafficking and smuggled migrants.

  corridor demo [--port 8000] [--host 127.0.0.1] [--data-dir DIR] [--country IT]
                [--victims 400] [--seed 2026] [--no-serve]
      Start a demonstration instance: creates DIR (default ./corridor-data), migrates,
      loads a synthetic data set and one demo login per role, and serves the site.
      `corridor demo --country NG --port 8001` beside it: a Nigerian instance in
      ./corridor-data-ng, registered as a partner of the ./corridor-data one, both ways.

  corridor seed --victims N [--seed S] [--country CC] [--batch 5000] [--as-of WHEN]
      Append a synthetic data set (demo, test and benchmark databases).

  corridor <command>
      Any command below (migrate, rotate_keys, audit verify, ...). Outside the demo,
      CORRIDOR_ENV=production is the default and real secrets are required.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.settings")
    if args and args[0] == "demo":
        _demo_environment(args[1:])
    elif not args or (args[0] in HELP_WORDS and len(args) == 1):
        # Listing commands reads no data; load the demo settings so every command is listed
        # even where production secrets are not set.
        os.environ.setdefault("CORRIDOR_ENV", "demo")
        sys.stdout.write(USAGE + "\n")
        args = ["help"]
    elif args[0] == "help":
        os.environ.setdefault("CORRIDOR_ENV", "demo")

    from django.core.management import execute_from_command_line

    execute_from_command_line(["corridor", *args])


def _demo_environment(args: list[str]) -> None:
    """Set what Django reads at start-up from the demo's options (the rest is the command's)."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--country")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    known, _ = parser.parse_known_args(args)

    os.environ.setdefault("CORRIDOR_ENV", "demo")
    if "--no-serve" not in args:  # the demo's server sends hashed, compressed static files
        os.environ.setdefault("CORRIDOR_STATIC_COLLECTED", "1")
    country = (known.country or os.environ.get("CORRIDOR_COUNTRY") or "IT").strip().upper()
    os.environ["CORRIDOR_COUNTRY"] = country
    # A demo of another country gets its own directory, so it can run beside the IT one.
    default_dir = "corridor-data" if country == "IT" else f"corridor-data-{country.lower()}"
    data_dir = known.data_dir or os.environ.get("CORRIDOR_DATA_DIR") or default_dir
    os.environ["CORRIDOR_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    host = (known.host or "").strip()
    if "CORRIDOR_BASE_URL" not in os.environ:  # what partners are told to post to
        shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
        shown = f"[{shown}]" if ":" in shown else shown
        os.environ["CORRIDOR_BASE_URL"] = f"http://{shown}:{str(known.port).strip()}"
    if host not in LOCAL_HOSTS and "CORRIDOR_ALLOWED_HOSTS" not in os.environ:
        # Served beyond this computer: accept the names it will be reached by.
        extra = "*" if host in WILDCARD_HOSTS else (f"[{host}]" if ":" in host else host)
        os.environ["CORRIDOR_ALLOWED_HOSTS"] = f"127.0.0.1,localhost,testserver,{extra}"


if __name__ == "__main__":
    main()
