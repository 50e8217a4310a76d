"""Backups that can be restored and proven restored.

`corridor backup FILE` writes every record of the instance, encrypted with the backup key
(`CORRIDOR_BACKUP_KEY`, a Fernet key kept apart from the field keys and from the backups:
the file holds neither). The file is a header line (what, when, from which instance) and
then one Fernet token per chunk of records, gzip-compressed JSON in Django's serialisation,
ending with a token that lists how many records of each kind it holds: a chunk dropped,
reordered or altered is found on restore.

`corridor restore FILE` loads it into an empty database (refusing one that holds records),
all in one transaction, re-encrypting every sensitive field with this instance's field keys;
then it proves the result: record counts as in the backup, every encrypted field decrypts,
and the audit chain verifies.

Not in a backup: what is rebuilt or short-lived — sessions, login attempts, the job queue
and its history, uploads waiting for their column mapping, Django's content types and
permissions.
"""

from __future__ import annotations

import datetime
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from corridor.core.crypto import encrypted_fields

FORMAT = "corridor-backup/1"
CHUNK = 1000
# Sent inside the restore's transaction once every record is back, so that the apps that
# keep derived data (the people app's search index) rebuild it under this instance's keys.
restored = Signal()

LEFT_OUT = frozenset(
    {
        "auth.permission",
        "contenttypes.contenttype",
        "sessions.session",
        "axes.accessattempt",
        "axes.accessattemptexpiration",
        "axes.accessfailurelog",
        "axes.accesslog",
        "django_tasks_database.dbtaskresult",
        "jobs.job",
        "jobs.workerprocess",
        "jobs.scheduleentry",
        "intake.stagedupload",
        "people.personsearchkey",  # derived, under this instance's search key: rebuilt
    }
)
# Records whose presence means the database is in use: a restore refuses to mix.
IN_USE = ("accounts.Agency", "accounts.User", "people.Person")

Progress = Callable[[str], None]


class BackupError(Exception):
    """The backup cannot be written or restored; nothing was changed."""


class ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but times to the microsecond: the audit chain hashes them."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def backup_key(value: str | None = None) -> Fernet:
    key = (value or getattr(settings, "CORRIDOR_BACKUP_KEY", "") or "").strip()
    if not key:
        raise ImproperlyConfigured(
            "Set CORRIDOR_BACKUP_KEY (or CORRIDOR_BACKUP_KEY_FILE) to a Fernet key kept apart "
            "from the field keys and the backups: `corridor generate_field_key` makes one."
        )
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured("CORRIDOR_BACKUP_KEY is not a Fernet key.") from exc


class BackupCommand(BaseCommand):
    """What `corridor backup` and `corridor restore` share: a file, and the backup key."""

    def add_arguments(self, parser):
        parser.add_argument("file")

    def key_and_path(self, file: str) -> tuple[Fernet, Path]:
        try:
            key = backup_key()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        return key, Path(file).expanduser()


def backed_up_models() -> list:
    """Every model with data worth keeping, parents before children."""
    chosen = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in LEFT_OUT and not model._meta.proxy and model._meta.managed
    ]
    by_app: dict = {}
    for model in chosen:
        by_app.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)


@dataclass
class BackupReport:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.counts.values())


def write_backup(path: Path, *, key: Fernet, progress: Progress | None = None) -> BackupReport:
    report = BackupReport()
    header = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "country": settings.CORRIDOR_COUNTRY,
    }
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="ascii") as out:
        out.write(json.dumps(header) + "\n")
        for model in backed_up_models():
            label = model._meta.label
            count = 0
            for chunk in _chunks(model):
                data = json.dumps(serializers.serialize("python", chunk), cls=ExactEncoder)
                out.write(key.encrypt(gzip.compress(data.encode("utf-8"))).decode("ascii") + "\n")
                count += len(chunk)
            report.counts[label] = count
            if progress and count:
                progress(f"{label}: {count:,}")
        trailer = json.dumps({"counts": report.counts, "header": header}).encode()
        out.write(key.encrypt(gzip.compress(trailer)).decode("ascii") + "\n")
    partial.replace(path)  # a backup interrupted half-way never looks complete
    return report


def _chunks(model) -> Iterator[list]:
    manager = model._base_manager
    last = None
    while True:
        query = manager.order_by("pk")
        if last is not None:
            query = query.filter(pk__gt=last)
        chunk = list(query[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


@dataclass
class RestoreReport:
    counts: dict[str, int] = field(default_factory=dict)
    decrypted_fields: int = 0
    audit_events: int = 0
    header: dict = field(default_factory=dict)


def _read(path: Path, key: Fernet) -> tuple[dict, list[bytes], dict]:
    lines = path.read_text(encoding="ascii").splitlines()
    if len(lines) < 2:
        raise BackupError("This is not a Corridor backup (it is empty or cut short).")
    try:
        header = json.loads(lines[0])
    except ValueError:
        header = {}
    if header.get("format") != FORMAT:
        raise BackupError("This is not a Corridor backup, or of another format.")
    try:
        chunks = [gzip.decompress(key.decrypt(line.encode("ascii"))) for line in lines[1:]]
    except InvalidToken:
        raise BackupError(
            "The backup does not open with this backup key, or it was altered."
        ) from None
    trailer = json.loads(chunks.pop())
    if trailer.get("header") != header:
        raise BackupError("The backup's header was altered.")
    return header, chunks, trailer["counts"]


def restore_backup(path: Path, *, key: Fernet, progress: Progress | None = None) -> RestoreReport:
    """Load a backup into this empty database and prove it: counts, decryption, audit chain."""
    from corridor.audit.services import verify_chain

    header, chunks, expected = _read(path, key)
    for label in IN_USE:
        if apps.get_model(label)._base_manager.exists():
            raise BackupError(
                f"This database already holds records ({label}): restore into an empty one."
            )
    report = RestoreReport(header=header)
    models = backed_up_models()
    with transaction.atomic():
        # What migrations created (roles, the indicator lists, the chain head) is replaced.
        for model in reversed(models):
            model._base_manager.all().delete()
        for number, chunk in enumerate(chunks, start=1):
            for item in serializers.deserialize("python", json.loads(chunk)):
                item.save()
                label = item.object._meta.label
                report.counts[label] = report.counts.get(label, 0) + 1
            if progress and number % 50 == 0:
                progress(f"{number:,} of {len(chunks):,} chunks")
        if {k: v for k, v in expected.items() if v} != report.counts:
            raise BackupError("The backup is incomplete: a chunk is missing or was added.")
        _reset_sequences(models)
        report.decrypted_fields = _decrypt_everything(models)
        restored.send(sender=restore_backup)  # derived data (the search index) is rebuilt
        chain = verify_chain()
        if not chain.ok:
            raise BackupError(f"The restored audit trail does not verify: {chain.problem}.")
        report.audit_events = chain.checked
    return report


def _reset_sequences(models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _decrypt_everything(models) -> int:
    """Read back every encrypted field: a restore that cannot be read is no restore."""
    checked = 0
    for model in models:
        names = encrypted_fields(model)
        if not names:
            continue
        for row in model._base_manager.values_list(*names).iterator(chunk_size=2000):
            checked += sum(1 for value in row if value)
    return checked
