"""Sensitive person fields are encrypted at rest, and keys rotate without losing data."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from corridor.core.testing import PersonFactory
from corridor.people.models import Person

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def _raw(person, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM people_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_names_documents_and_narratives_are_not_stored_in_clear(db):
    person = PersonFactory(
        given_name="Blessing",
        family_name="Okafor",
        document_number="A1234567",
        narrative="Recruited in Benin City",
    )
    for column, clear in (
        ("given_name", "Blessing"),
        ("family_name", "Okafor"),
        ("document_number", "A1234567"),
        ("narrative", "Benin City"),
    ):
        stored = _raw(person, column)
        assert clear not in stored
        assert stored.startswith("gAAAA")
    assert Person.objects.get(pk=person.pk).given_name == "Blessing"


def test_encrypted_fields_cannot_be_searched_in_sql(db):
    with pytest.raises(Exception, match="Unsupported lookup"):
        list(Person.objects.filter(given_name__icontains="Bless"))


def test_rotation_moves_every_row_to_the_new_key(db, settings, capsys):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    people = [PersonFactory(given_name=f"Name{i}", phone=f"+23480{i:08d}") for i in range(5)]
    empty = PersonFactory(given_name="", narrative="")

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(InvalidToken):
        Person.objects.get(pk=people[0].pk)

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_keys", "--check")
    assert "people.Person: 6 of 6 rows need rotation" in capsys.readouterr().out
    call_command("rotate_keys")
    assert "re-encrypted" in capsys.readouterr().out

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for i, person in enumerate(people):
        fresh = Person.objects.get(pk=person.pk)
        assert fresh.given_name == f"Name{i}" and fresh.phone == f"+23480{i:08d}"
    assert Person.objects.get(pk=empty.pk).given_name == ""
    call_command("rotate_keys", "--check")
    assert "0 of 6 rows need rotation" in capsys.readouterr().out


def test_rotation_reaches_tables_keyed_by_uuid(db, settings, capsys):
    from corridor.jobs.models import Job

    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    jobs = [Job.objects.create(task_name="import", outcome=f'{{"row": {i}}}') for i in range(3)]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("rotate_keys", "--batch", "1")
    capsys.readouterr()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert [Job.objects.get(pk=job.pk).outcome for job in jobs] == [
        f'{{"row": {i}}}' for i in range(3)
    ]
