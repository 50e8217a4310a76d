"""PostgreSQL goes away in the middle of the working day: a served instance answers 503 with
Retry-After (JSON for the API, a plain page for people, never a traceback), a write cut off
before its COMMIT leaves nothing half-written and the audit chain whole, and when the
database is back the same server answers again without a restart — with one persistent
connection per thread, and with a pool of connections (CORRIDOR_DB_POOL_MAX).

A real server process talks to a real PostgreSQL through a TCP proxy the test can cut.
Runs where DATABASE_URL points at PostgreSQL (CI); skipped on SQLite."""

import json
import os
import re
import socket
import threading
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlsplit

import pytest

from corridor.crossborder.e2e import Node, free_port
from corridor.demo.loader import DEMO_PASSWORD

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL (DATABASE_URL)",
)

TOKEN_SCRIPT = """
import json, django
django.setup()
from corridor.accounts.models import User
from corridor.accounts.services import issue_api_token
_, raw = issue_api_token(actor=User.objects.get(username="responder"), name="faults")
print(json.dumps({"token": raw}))
"""


class CuttableProxy:
    """Forwards TCP to PostgreSQL until told to cut: at once (`cut`) or when the client's
    next message contains some bytes (`cut_on`), so a transaction dies before its COMMIT."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.cut_on: bytes | None = None
        self.cuts = 0
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections |= {client, upstream}
            pair = (client, upstream)
            threading.Thread(
                target=self._pipe, args=(client, upstream, pair, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, pair, False), daemon=True
            ).start()

    def _pipe(self, source, sink, pair, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_client and self.cut_on and self.cut_on in data:
                    self.cut_on = None
                    self.cuts += 1
                    break
                sink.sendall(data)
        except OSError:
            pass
        self._close(*pair)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self.lock:
                self.connections.discard(sock)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def cut(self) -> None:
        self.down = True
        with self.lock:
            live = list(self.connections)
        self._close(*live)

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _request(url: str, *, token: str = "", body: dict | None = None):
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url,
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode(errors="replace")


@pytest.fixture(params=["persistent connections", "connection pool"])
def served(request, tmp_path):
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = f"corridor_faults_{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    proxy = CuttableProxy((parts.hostname, parts.port or 5432))
    user = f"{parts.username}@" if parts.username else ""
    through_proxy = f"postgres://{user}127.0.0.1:{proxy.port}/{name}"
    env = {"DATABASE_URL": through_proxy}
    if request.param == "connection pool":
        env["CORRIDOR_DB_POOL_MAX"] = "4"
    node = Node("IT", tmp_path / "it", free_port(), extra_env=env)
    node.prepare(victims=5)
    token = json.loads(node.python("-c", TOKEN_SCRIPT))["token"]
    node.start()
    direct = parts._replace(path=f"/{name}").geturl()
    try:
        yield node, proxy, token, direct
    finally:
        node.stop()
        proxy.close()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sign_in(base_url: str) -> tuple[int, str]:
    """Sign in as a person would, in a browser with cookies: the page needs no database (it
    answers while PostgreSQL is away), checking the password does."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(f"{base_url}/accounts/login/", timeout=30) as response:  # noqa: S310
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.read().decode())
    form = urlencode(
        {"csrfmiddlewaretoken": token[1], "username": "responder", "password": DEMO_PASSWORD}
    )
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        f"{base_url}/accounts/login/", data=form.encode(), headers={"Referer": base_url}
    )
    try:
        with opener.open(request, timeout=30) as response:  # noqa: S310
            signed_in = "/accounts/logout/" in response.read().decode()
            return response.status, "signed in" if signed_in else "not signed in"
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _persons(direct_url: str) -> int:
    import psycopg

    with psycopg.connect(direct_url) as conn:
        return conn.execute("SELECT count(*) FROM people_person").fetchone()[0]


def test_a_lost_database_is_answered_503_and_the_server_recovers_without_restart(served):
    node, proxy, token, _ = served
    assert _request(f"{node.url}/api/persons", token=token)[0] == 200

    proxy.cut()
    status, headers, body = _request(f"{node.url}/api/persons", token=token)
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert json.loads(body)["error"] == "database_unavailable"
    status, _, body = _request(f"{node.url}/healthz")
    assert (status, json.loads(body)["status"]) == (503, "database_unavailable")
    status, page = _sign_in(node.url)
    assert status == 503
    assert "Temporarily unavailable" in page
    assert "Traceback" not in page

    proxy.restore()
    assert _request(f"{node.url}/healthz")[0] == 200
    assert _request(f"{node.url}/api/persons", token=token)[0] == 200
    assert _sign_in(node.url) == (200, "signed in")


def test_a_write_cut_off_before_its_commit_leaves_nothing_half_written(served):
    node, proxy, token, direct = served
    before = _persons(direct)
    person = {"given_name": "Amina", "family_name": "Faults", "nationality": "NG"}

    proxy.cut_on = b"COMMIT"
    status, _, body = _request(f"{node.url}/api/persons", token=token, body=person)
    assert proxy.cuts == 1
    assert status == 503, body
    assert _persons(direct) == before

    status, _, body = _request(f"{node.url}/api/persons", token=token, body=person)
    assert status == 201, body
    assert _persons(direct) == before + 1
    verify = node.manage("audit", "verify")
    assert "Audit chain intact" in verify, verify
