"""Real Corridor instances in their own processes, for the end-to-end test and the bench.

Each `Node` is a demo instance with its own data directory and SQLite database, its own
country, signing key and loopback port; it is prepared, served and administered through
subprocesses with its own environment (`DATABASE_URL` is removed: never the caller's
database). Nothing here is used by a running instance.

    italy = Node("IT", tmp_path / "it", free_port())
    italy.prepare(victims=5)
    italy.start()
    status, data = italy.api("GET", "/crossborder/queue", token)
    italy.stop()
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Issues an API token for a demo user and names a case they may send: run inside a node.
_SETUP_SCRIPT = """
import json, django
django.setup()
from corridor.accounts import access
from corridor.accounts.models import User
from corridor.accounts.services import issue_api_token
user = User.objects.get(username="coordinator")
_, raw = issue_api_token(actor=user, name="end-to-end")
cases = [
    c for c in access.cases_visible_to(user).select_related("person", "owner_agency")
    .order_by("pk") if access.can_change_case(user, c)
]
print(json.dumps({
    "token": raw,
    "cases": [
        {"case": c.reference, "person": c.person.reference, "minor": bool(c.person.presumed_minor)}
        for c in cases
    ],
}))
"""

_SERVE_SCRIPT = """
import json, os, sys, django
django.setup()
from waitress import serve
from corridor.wsgi import application
echo_jwk = os.environ.get("CORRIDOR_BENCH_ECHO_JWK")
if echo_jwk:  # the bench's baseline: a signed POST checked and answered without Django
    from joserfc import jws
    from joserfc.jwk import OKPKey
    from corridor.crossborder.messages import ALGORITHM
    echo_key = OKPKey.import_key(json.loads(echo_jwk))
    django_app = application

    def application(environ, start_response):
        if environ.get("PATH_INFO") != "/bench/echo":
            return django_app(environ, start_response)
        size = int(environ.get("CONTENT_LENGTH") or 0)
        token = environ["wsgi.input"].read(size).decode("ascii")
        jws.deserialize_compact(token, echo_key, algorithms=[ALGORITHM])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']

serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
"""


def free_port() -> int:
    """A loopback port free now (OSError when none can be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Node:
    country: str
    directory: Path
    port: int
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="corridor.settings",
            CORRIDOR_ENV="demo",
            CORRIDOR_DATA_DIR=str(self.directory),
            CORRIDOR_COUNTRY=self.country,
            CORRIDOR_BASE_URL=self.url,
            CORRIDOR_REQUIRE_MFA="0",
            CORRIDOR_CROSSBORDER_RETRY_BASE_SECONDS="0",
            CORRIDOR_CROSSBORDER_TIMEOUT_SECONDS="5",
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        )
        env.pop("CORRIDOR_SIGNING_KEY_FILE", None)
        env.update(self.extra_env)
        return env

    # --- administration (one process per command) ---------------------------------------------

    def python(self, *args: str, stdin: str | None = None, timeout: float = 120) -> str:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, *args],
            env=self.env,
            cwd=REPO_ROOT,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(
                f"{self.country}: {' '.join(args)[:80]!r} failed ({done.returncode}):\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
            )
        return done.stdout

    def manage(self, *args: str, stdin: str | None = None) -> str:
        return self.python("-m", "corridor.cli", *args, stdin=stdin)

    def prepare(self, *, victims: int = 5) -> dict:
        """Data directory, database, demo accounts and a signing key; return the key card."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.manage("demo", "--no-serve", "--victims", str(victims))
        return json.loads(self.manage("crossborder_keys"))

    def register(self, card: dict, name: str) -> str:
        return self.manage(
            "crossborder_partner", "--admin", "admin", "--name", name, "-", stdin=json.dumps(card)
        )

    def coordinator_setup(self) -> dict:
        """An API token for the demo coordinator, and the cases they may send."""
        return json.loads(self.python("-c", _SETUP_SCRIPT))

    def deliver(self) -> str:
        return self.manage("crossborder_deliver", "--once")

    # --- serving --------------------------------------------------------------------------------

    def start(self, *, timeout: float = 30) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-c", _SERVE_SCRIPT, str(self.port)],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace")[-4000:]
                raise RuntimeError(f"{self.country} server exited: {error}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.country} server did not start within {timeout} s")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None

    # --- the JSON API ---------------------------------------------------------------------------

    def api(self, method: str, path: str, token: str, body: dict | None = None):
        """(status, JSON) of `/api<path>` called with the token."""
        request = urllib.request.Request(  # noqa: S310 - loopback http only
            f"{self.url}/api{path}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw or b"null")
            except ValueError:
                return exc.code, {"raw": raw.decode(errors="replace")[:2000]}
