"""`corridor serve`, the production server: several gunicorn processes answer, and the static
files they serve carry a content hash, come compressed and may be cached for a year."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from cryptography.fernet import Fernet

from corridor.crossborder.e2e import REPO_ROOT, free_port

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

SECRET = "k3c9-production-secret-that-is-long-enough-0123456789"
REAL_SEARCH_KEY = "s7q2-production-search-key-long-enough-9876543210"  # noqa: S105


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(  # noqa: S310 - loopback http only
        url, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1", **headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def production_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="corridor.settings",
        CORRIDOR_ENV="production",
        CORRIDOR_SECRET_KEY=SECRET,
        CORRIDOR_FIELD_KEYS=Fernet.generate_key().decode(),
        CORRIDOR_SEARCH_KEY=REAL_SEARCH_KEY,
        CORRIDOR_ALLOWED_HOSTS="127.0.0.1",
        CORRIDOR_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(REPO_ROOT),
    )
    cli = [sys.executable, "-m", "corridor.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300, cwd=tmp_path)
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [*cli, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # the first start collects and compresses static files
    while time.monotonic() < deadline:
        try:
            _get(f"{base}/healthz")
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(server.stderr.read()[-3000:])
            time.sleep(0.3)
    try:
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def test_the_production_server_serves_pages_and_cacheable_compressed_static_files(
    production_server,
):
    base, server = production_server
    status, _, body = _get(f"{base}/accounts/login/")
    assert status == 200
    stylesheet = re.search(r'href="(/static/corridor/corridor\.[0-9a-f]{12}\.css)"', body.decode())
    assert stylesheet, "the stylesheet's name carries a hash of its content"

    status, headers, css = _get(f"{base}{stylesheet[1]}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]

    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    log = server.stderr.read()
    assert len(re.findall(r"Booting worker with pid", log)) == 2, log[-2000:]
