"""An instance is backed up, its machine lost, and the backup restored on a new one with other
field keys: every record is back, readable, and the audit trail verifies. A backup opened
with the wrong key, or altered, restores nothing."""

import json

import pytest
from cryptography.fernet import Fernet

from corridor.crossborder.e2e import Node

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

SNAPSHOT = """
import json, django
django.setup()
from django.apps import apps
from corridor.core.backup import backed_up_models
from corridor.people.models import Person
counts = {m._meta.label: m._base_manager.count() for m in backed_up_models()}
names = sorted(f"{p.reference} {p.given_name} {p.family_name} {p.phone}" for p in Person.objects.all())
print(json.dumps({"counts": counts, "names": names}))
"""


@pytest.fixture
def backup_key():
    return Fernet.generate_key().decode()


REAL_SEARCH_KEY = "another-instance-search-key-0123456789-abcdefgh"  # noqa: S105


def node(tmp_path, name, **env):
    instance = Node("IT", tmp_path / name, 0, extra_env=env)
    instance.directory.mkdir(parents=True)
    return instance


def test_a_backup_restores_on_a_new_machine_with_other_field_keys(tmp_path, backup_key):
    old = node(tmp_path, "old", CORRIDOR_BACKUP_KEY=backup_key)
    old.manage("demo", "--no-serve", "--victims", "40")
    before = json.loads(old.python("-c", SNAPSHOT))
    backup = tmp_path / "corridor.cbk"
    old.manage("backup", str(backup))
    some_family_name = before["names"][0].split()[2]
    assert some_family_name not in backup.read_text()  # nothing readable without the key

    new = node(
        tmp_path,
        "new",
        CORRIDOR_BACKUP_KEY=backup_key,
        CORRIDOR_FIELD_KEYS=Fernet.generate_key().decode(),
        CORRIDOR_SEARCH_KEY=REAL_SEARCH_KEY,
    )
    said = new.manage("restore", str(backup))
    assert "audit chain intact" in said
    after = json.loads(new.python("-c", SNAPSHOT))
    assert after["names"] == before["names"]
    assert after["counts"] == before["counts"]
    assert "intact" in new.manage("audit", "verify")


def test_the_wrong_key_or_an_altered_backup_restores_nothing(tmp_path, backup_key):
    old = node(tmp_path, "old", CORRIDOR_BACKUP_KEY=backup_key)
    old.manage("demo", "--no-serve", "--victims", "5")
    backup = tmp_path / "corridor.cbk"
    old.manage("backup", str(backup))

    stranger = node(tmp_path, "stranger", CORRIDOR_BACKUP_KEY=Fernet.generate_key().decode())
    with pytest.raises(RuntimeError, match="does not open with this backup key"):
        stranger.manage("restore", str(backup))

    lines = backup.read_text().splitlines()
    cut = tmp_path / "cut.cbk"
    cut.write_text("\n".join(lines[:2] + lines[3:]) + "\n")  # one chunk dropped
    new = node(tmp_path, "new", CORRIDOR_BACKUP_KEY=backup_key)
    with pytest.raises(RuntimeError, match="incomplete"):
        new.manage("restore", str(cut))
    empty = json.loads(new.python("-c", SNAPSHOT))
    assert empty["counts"]["people.Person"] == 0 and empty["counts"]["accounts.Agency"] == 0


def test_a_restore_refuses_a_database_in_use(tmp_path, backup_key):
    old = node(tmp_path, "old", CORRIDOR_BACKUP_KEY=backup_key)
    old.manage("demo", "--no-serve", "--victims", "5")
    backup = tmp_path / "corridor.cbk"
    old.manage("backup", str(backup))
    with pytest.raises(RuntimeError, match="already holds records"):
        old.manage("restore", str(backup))
