"""Each role's pages and API calls under concurrent load, against the framework's ceiling
measured on the same server in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/corridor_bench \
        python bench/load.py [--victims 20000] [--seconds 10] [--connections 10 50]
                             [--server serve|waitress] [--only home queue ...]

Seeds the database when it holds fewer persons than --victims (use a scratch database), runs
ANALYZE, then serves it as production would (`corridor serve`: gunicorn, processes × threads)
or as `corridor demo` does (waitress, 8 threads). Two ceiling views run through the same
middleware: `bare` (a view that answers at once) and `select` (one primary-key SELECT).
Each target is driven by N keep-alive connections for --seconds; prints req/s, p50/p95/p99,
errors and the share of the bare view's throughput. The load generator runs on the same
machine and takes some of its cores: compare ratios, not absolute figures, across machines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from corridor.accounts.models import User
from corridor.accounts.services import SEEN_KEY, SIGNED_IN_KEY, issue_api_token
from corridor.cases.models import ProtectionCase
import time
out = {"sessions": {}, "tokens": {}}
for name in ("coordinator", "responder", "analyst"):
    user = User.objects.get(username=name)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "corridor.accounts.backends.ActiveAgencyBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SIGNED_IN_KEY] = store[SEEN_KEY] = int(time.time()) + 86400  # never idle in a run
    store.create()
    out["sessions"][name] = store.session_key
    out["tokens"][name] = issue_api_token(actor=user, name="bench")[1]
case = ProtectionCase.objects.select_related("person").order_by("-pk").first()
out["case"], out["person"] = case.reference, case.person.reference
print(json.dumps(out))
"""

SERVE_WAITRESS = """
import sys, django
django.setup()
from waitress import serve
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
"""


def targets(setup: dict) -> list[tuple[str, str, str, str]]:
    """(name, role, path, kind): kind is 'page' (session cookie) or 'api' (token)."""
    case, person = setup["case"], setup["person"]
    return [
        ("bare", "coordinator", "/bench/bare", "page"),
        ("select", "coordinator", "/bench/select", "page"),
        ("home", "coordinator", "/", "page"),
        ("queue", "coordinator", "/referrals/queue/", "page"),
        ("queue-api", "coordinator", "/api/referrals/queue", "api"),
        ("persons", "coordinator", "/people/", "page"),
        ("persons-responder", "responder", "/people/", "page"),
        ("case", "coordinator", f"/cases/{case}/", "page"),
        ("person", "coordinator", f"/people/{person}/", "page"),
        ("case-api", "coordinator", f"/api/cases/{case}", "api"),
        ("person-api", "coordinator", f"/api/persons/{person}", "api"),
        ("figures", "analyst", "/incidents/", "page"),
        ("figures-api", "analyst", "/api/statistics/counts", "api"),
    ]


def drive(port: int, path: str, headers: dict, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": errors[0],
        "mean": statistics.fmean(latencies) * 1000 if latencies else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--server", choices=["serve", "waitress"], default="serve")
    parser.add_argument("--only", nargs="*", help="target names (bare and select always run)")
    parser.add_argument("--port", type=int, default=8811)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database.")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.ceiling_settings",
        "CORRIDOR_ENV": "demo",
        "CORRIDOR_REQUIRE_MFA": "0",
        "CORRIDOR_ACCESS_LOG": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.setdefault("CORRIDOR_DATA_DIR", str(ROOT / "bench" / ".data"))
    cli = [sys.executable, "-m", "corridor.cli"]

    def run(*command: str) -> str:
        return subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, env=env, cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    run(*cli, "migrate", "-v0")
    count = int(
        run(
            sys.executable,
            "-c",
            "import django; django.setup(); from corridor.people.models import Person; "
            "print(Person.objects.count())",
        ).strip()
    )
    if count < args.victims:
        print(f"seeding {args.victims - count:,} victims…", flush=True)
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [*cli, "seed", "--victims", str(args.victims - count)], env=env, cwd=ROOT, check=True
        )
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    run(
        sys.executable,
        "-c",
        "import django; django.setup(); from corridor.demo.loader import ensure_demo_accounts, "
        "assign_demo_coordinator; from django.db import connection; ensure_demo_accounts('IT'); "
        "assign_demo_coordinator(); connection.cursor().execute('ANALYZE')",
    )
    setup = json.loads(run(sys.executable, "-c", SETUP))

    if args.server == "serve":
        command = [*cli, "serve", "--bind", f"127.0.0.1:{args.port}"]
    else:
        command = [sys.executable, "-c", SERVE_WAITRESS, str(args.port)]
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=2).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.5)
        print(
            f"{count if count >= args.victims else args.victims:,} victims, server: {args.server}, "
            f"{args.seconds:.0f} s per run"
        )
        print(
            f"{'target':18} {'conn':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'err':>5} {'× bare':>7}"
        )
        for connections in args.connections:
            bare_rps = None
            for name, role, path, kind in targets(setup):
                if args.only and name not in args.only and name not in ("bare", "select"):
                    continue
                if kind == "page":
                    headers = {"Cookie": f"sessionid={setup['sessions'][role]}"}
                else:
                    headers = {"Authorization": f"Bearer {setup['tokens'][role]}"}
                drive(args.port, path, headers, 2, 1)  # warm up
                result = drive(args.port, path, headers, connections, args.seconds)
                if name == "bare":
                    bare_rps = result["rps"]
                ratio = result["rps"] / bare_rps if bare_rps else 0
                print(
                    f"{name:18} {connections:>4} {result['rps']:>8.1f} {result['p50']:>8.1f} "
                    f"{result['p95']:>8.1f} {result['p99']:>8.1f} {result['errors']:>5} {ratio:>7.3f}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
