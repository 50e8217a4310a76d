"""`corridor demo`: set-up, logins, reuse, refusals, and the `corridor` launcher."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory

from corridor.accounts.models import Agency, Role, User
from corridor.cases.models import ProtectionCase
from corridor.demo.loader import DEMO_PASSWORD, DEMO_ROLE
from corridor.demo.models import SeededIdentity
from corridor.people.models import Person

USERNAMES = [
    "responder",
    "coordinator",
    "provider",
    "investigator",
    "prosecutor",
    "analyst",
    "admin",
]


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.CORRIDOR_DATA_DIR = tmp_path / "corridor-data"
    settings.CORRIDOR_COUNTRY = "IT"
    return settings.CORRIDOR_DATA_DIR


@pytest.mark.django_db
def test_demo_sets_up_data_and_accounts_that_can_log_in(data_dir):
    output = run_demo("--victims", "40")
    assert data_dir.is_dir()
    assert "http://127.0.0.1:8000/" in output
    # 40 victims, a few of them registered again by other agencies (corridor.demo.duplicates)
    assert SeededIdentity.objects.filter(original=True).count() == 40
    assert Person.objects.count() == SeededIdentity.objects.count() >= 40
    for username in USERNAMES:
        assert username in output
        user = User.objects.get(username=username)
        assert user.has_role(DEMO_ROLE[username])
        assert user.agency.country == "IT"
        client = Client()
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=username, password=DEMO_PASSWORD)
    assert output.count(DEMO_PASSWORD) == len(USERNAMES)
    assert "Polizia di Frontiera Lampedusa" in output
    assert User.objects.get(username="responder").agency.sector == Agency.Sector.IMMIGRATION
    assert User.objects.get(username="prosecutor").agency.name.endswith("DDA")
    assert User.objects.get(username="provider").agency.sector == Agency.Sector.SHELTER
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.has_role(Role.COORDINATOR)
    assert ProtectionCase.objects.filter(coordinator=coordinator).exists()


HOME_MARKERS = {
    "responder": ['data-section="responder"', 'href="/screening/S-', 'href="/cases/C-'],
    "coordinator": ['data-section="coordinator"', 'href="/cases/C-', 'href="/referrals/R-'],
    "provider": ['data-section="provider"', 'href="/referrals/R-'],
    "investigator": ['data-section="investigator"', 'href="/incidents/I-', 'href="/cases/C-'],
    "prosecutor": ['data-section="investigator"', 'href="/incidents/I-', 'href="/cases/C-'],
    "analyst": ['data-section="analyst"'],
    "admin": ['data-section="administrator"'],
}


def signed_in(username: str) -> Client:
    client = Client()
    request = RequestFactory().post("/accounts/login/")
    assert client.login(request=request, username=username, password=DEMO_PASSWORD)
    return client


@pytest.mark.django_db
def test_every_demo_user_finds_work_on_the_home_page(data_dir, settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    output = run_demo("--victims", "300")
    assert "notifications" in output
    for username, markers in HOME_MARKERS.items():
        response = signed_in(username).get("/")
        assert response.status_code == 200, username
        page = response.content.decode()
        for marker in markers:
            assert marker in page, (username, marker)
    coordinator = signed_in("coordinator")
    page = coordinator.get("/").content.decode()
    assert "Case reviews due" in page
    assert coordinator.get("/referrals/queue/").status_code == 200
    directory = coordinator.get("/referrals/directory/").content.decode()
    assert "Il Faro" in directory and "protected shelter for women" in directory
    incidents = signed_in("investigator").get("/incidents/").content.decode()
    assert "70 workers in forced labour" in incidents
    for username in ("coordinator", "provider", "responder"):
        assert User.objects.get(username=username).notifications.filter(read_at__isnull=True)
    pages = signed_in("provider").get("/notifications/").content.decode()
    assert "New referral R-" in pages


@pytest.mark.django_db
def test_running_the_demo_twice_reuses_the_data(data_dir):
    run_demo("--victims", "30")
    agencies, users, persons = Agency.objects.count(), User.objects.count(), Person.objects.count()
    output = run_demo("--victims", "30")
    assert "Reusing the data already there" in output
    assert "already exist" in output
    assert (Agency.objects.count(), User.objects.count(), Person.objects.count()) == (
        agencies,
        users,
        persons,
    )
    assert "coordinator" in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_accounts_follow_the_instance_country(data_dir, settings):
    settings.CORRIDOR_COUNTRY = "NG"
    output = run_demo("--victims", "20")
    assert User.objects.get(username="coordinator").agency.short_name == "NAPTIP"
    assert "NAPTIP" in output
    assert Person.objects.filter(owner_agency__country="NG").exists()


@pytest.mark.django_db
def test_demo_refuses_production(data_dir, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with CORRIDOR_ENV=production"):
        run_demo()
    assert not Agency.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--victims", "-5"], "--victims must be at least 0"),
        (["--victims", "many"], "--victims must be a whole number"),
        (["--port", "70000"], "--port must be at most 65,535"),
        (["--country", "ES"], "--country ES differs from CORRIDOR_COUNTRY=IT"),
        (["--country", "Italy"], "--country must be an ISO 3166-1 alpha-2"),
        (["--data-dir", "/elsewhere"], "--data-dir /elsewhere differs"),
    ],
)
def test_demo_bad_options_write_nothing(data_dir, args, message):
    with pytest.raises(CommandError, match=message):
        run_demo(*args)
    assert not Agency.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_demo_says_when_the_port_is_taken(data_dir):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot serve on 127.0.0.1:{port}"):
            call_command("demo", "--port", str(port), stdout=StringIO())
    assert not Agency.objects.exists()


# --- the `corridor` launcher, as a user runs it ------------------------------------------


def corridor(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CORRIDOR_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-m", "corridor.cli", *args],  # noqa: S603
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=300,
    )


def test_corridor_demo_no_serve_end_to_end(tmp_path):
    data = tmp_path / "demo-data"
    first = corridor("demo", "--no-serve", "--data-dir", str(data), "--victims", "25")
    assert first.returncode == 0, first.stderr
    assert (data / "corridor.sqlite3").is_file()
    assert "Loading the synthetic data set: 25 victims" in first.stdout
    assert "victims 25/25" in first.stdout
    loaded = re.search(r"Loaded 25 victims \((\d+) person records\)", first.stdout)
    assert loaded and int(loaded[1]) >= 25  # and the other agencies' records of some
    for username in USERNAMES:
        assert username in first.stdout
    second = corridor("demo", "--no-serve", "--data-dir", str(data))
    assert second.returncode == 0, second.stderr
    assert f"Reusing the data already there: {loaded[1]} persons" in second.stdout


def test_corridor_help_lists_demo_and_django_commands():
    done = corridor("--help")
    assert done.returncode == 0, done.stderr
    assert "corridor demo" in done.stdout
    for command in ("demo", "seed", "migrate"):
        assert f"    {command}\n" in done.stdout


def test_other_commands_run_in_production_by_default():
    done = corridor("seed", "--victims", "5")
    assert done.returncode != 0
    assert "refuses to start in production" in done.stderr
