"""Production refuses to start with missing or published demo secrets, and says which."""

import json
import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from corridor.settings import DEMO_FIELD_KEY, DEMO_SECRET_KEY, production_secret_problems

REAL_SECRET = "k3c9-production-secret-that-is-long-enough-0123456789"
REAL_SEARCH_KEY = "s7q2-production-search-key-long-enough-9876543210"  # noqa: S105


def _start(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="corridor.settings", CORRIDOR_ENV="production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Fixed at import so the test ids are the same in every pytest-xdist worker.
FRESH_KEY = Fernet.generate_key().decode()


@pytest.mark.parametrize(
    ("secret", "keys", "expected"),
    [
        ("", "", ["CORRIDOR_SECRET_KEY is missing", "CORRIDOR_FIELD_KEYS is missing"]),
        (
            DEMO_SECRET_KEY,
            FRESH_KEY,
            ["CORRIDOR_SECRET_KEY is the published demo secret"],
        ),
        (REAL_SECRET, DEMO_FIELD_KEY, ["CORRIDOR_FIELD_KEYS contains the published demo key"]),
        (
            "short",
            FRESH_KEY,
            ["CORRIDOR_SECRET_KEY is shorter than 32 characters"],
        ),
        (
            "ab" * 20,
            FRESH_KEY,
            ["CORRIDOR_SECRET_KEY has fewer than 12 different characters: it is guessable"],
        ),
        (
            REAL_SECRET,
            "not-a-fernet-key-but-32-characters!",
            [
                "CORRIDOR_FIELD_KEYS holds a key that is not a Fernet key "
                "(make one with `corridor generate_field_key`)"
            ],
        ),
    ],
    ids=[
        "missing",
        "demo-secret-key",
        "demo-field-key",
        "short-secret-key",
        "low-entropy-secret-key",
        "not-a-fernet-key",
    ],
)
def test_production_names_the_bad_secret(secret, keys, expected):
    problems = production_secret_problems(secret, [k for k in keys.split(",") if k])
    assert problems == expected


def test_production_cannot_be_talked_into_debug():
    result = _start(
        CORRIDOR_SECRET_KEY=REAL_SECRET,
        CORRIDOR_FIELD_KEYS=Fernet.generate_key().decode(),
        CORRIDOR_SEARCH_KEY=REAL_SEARCH_KEY,
        CORRIDOR_DEBUG="1",
    )
    assert result.returncode != 0
    assert "CORRIDOR_DEBUG is on" in result.stderr


def test_production_refuses_to_start_with_demo_secrets():
    result = _start(CORRIDOR_SECRET_KEY=DEMO_SECRET_KEY, CORRIDOR_FIELD_KEYS=DEMO_FIELD_KEY)
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr
    assert "CORRIDOR_SECRET_KEY is the published demo secret" in result.stderr
    assert "CORRIDOR_FIELD_KEYS contains the published demo key" in result.stderr


def test_production_refuses_to_start_without_secrets():
    result = _start()
    assert result.returncode != 0
    assert "CORRIDOR_SECRET_KEY is missing" in result.stderr


def test_production_starts_with_real_secrets(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(REAL_SECRET)
    result = _start(
        CORRIDOR_SECRET_KEY_FILE=str(secret_file),
        CORRIDOR_FIELD_KEYS=Fernet.generate_key().decode(),
        CORRIDOR_SEARCH_KEY=REAL_SEARCH_KEY,
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


COOKIE_SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/accounts/login/", secure=True, HTTP_HOST="corridor.example.org")
cookie = response.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "status": response.status_code,
    "hsts": response.get("Strict-Transport-Security", ""),
    "csrf": {"secure": bool(cookie["secure"]), "httponly": bool(cookie["httponly"]),
             "samesite": cookie["samesite"]},
    "session": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.SESSION_COOKIE_SAMESITE],
    "plain_http": Client().get("/accounts/login/", HTTP_HOST="corridor.example.org").status_code,
}))
"""


def test_production_cookies_are_secure_http_only_and_same_site(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CORRIDOR_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="corridor.settings",
        CORRIDOR_ENV="production",
        CORRIDOR_SECRET_KEY=REAL_SECRET,
        CORRIDOR_FIELD_KEYS=Fernet.generate_key().decode(),
        CORRIDOR_SEARCH_KEY=REAL_SEARCH_KEY,
        CORRIDOR_ALLOWED_HOSTS="corridor.example.org",
        CORRIDOR_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", COOKIE_SCRIPT],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["hsts"].startswith("max-age=31536000")
    assert seen["csrf"] == {"secure": True, "httponly": True, "samesite": "Strict"}
    assert seen["session"] == [True, True, "Lax"]
    assert seen["plain_http"] == 301  # plain HTTP is redirected to HTTPS


@pytest.mark.django_db
def test_requests_do_not_take_every_core_of_the_database():
    """Parallel query is off for Corridor's PostgreSQL connections (CORRIDOR_DB_PARALLEL_WORKERS):
    the queue's plans stay on the indexes, and one request never takes all the cores."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
