"""`corridor demo --country NG --port 8001` beside the default IT demo: a second instance,
in its own data directory, registered as a partner of the first, both ways, so a newcomer
can watch a case cross a border."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

REPO_ROOT = Path(__file__).resolve().parents[3]


def corridor(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CORRIDOR_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), clean.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "corridor.cli", *args],  # noqa: S603
        capture_output=True,
        text=True,
        env=clean,
        cwd=cwd,
        timeout=300,
    )


def partners(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "corridor.sqlite3") as db:
        return db.execute(
            "SELECT country, base_url, status FROM crossborder_partner ORDER BY id"
        ).fetchall()


def test_a_nigerian_demo_beside_the_italian_one_is_its_partner(tmp_path):
    italy = corridor("demo", "--no-serve", "--victims", "3", cwd=tmp_path)
    assert italy.returncode == 0, italy.stderr

    nigeria = corridor(
        "demo", "--country", "NG", "--port", "8001", "--no-serve", "--victims", "0", cwd=tmp_path
    )
    assert nigeria.returncode == 0, nigeria.stderr
    assert (tmp_path / "corridor-data-ng" / "corridor.sqlite3").is_file()
    assert "Partner IT at http://127.0.0.1:8000" in nigeria.stdout
    assert "registered here; this instance (NG, http://127.0.0.1:8001) registered there" in (
        nigeria.stdout
    )
    assert partners(tmp_path / "corridor-data") == [("NG", "http://127.0.0.1:8001", "active")]
    assert partners(tmp_path / "corridor-data-ng") == [("IT", "http://127.0.0.1:8000", "active")]

    again = corridor("demo", "--country", "NG", "--port", "8001", "--no-serve", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "already registered here" in again.stdout
    assert len(partners(tmp_path / "corridor-data")) == 1


def test_an_italian_demo_alone_registers_no_partner(tmp_path):
    italy = corridor("demo", "--no-serve", "--victims", "0", cwd=tmp_path)
    assert italy.returncode == 0, italy.stderr
    assert "Partner" not in italy.stdout
    assert partners(tmp_path / "corridor-data") == []
