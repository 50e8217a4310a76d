"""Production refuses to start with missing or published demo secrets, and says which."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from corridor.settings import DEMO_FIELD_KEY, DEMO_SECRET_KEY, production_secret_problems

REAL_SECRET = "k3c9-production-secret-that-is-long-enough-0123456789"


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
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
