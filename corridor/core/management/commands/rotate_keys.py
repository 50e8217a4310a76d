"""Re-encrypt every sensitive field under the first key of CORRIDOR_FIELD_KEYS.

Rotation: put the new key first (`CORRIDOR_FIELD_KEYS=new,old`), run this command, then
remove the old key. Each model is rewritten inside one transaction, so an interrupted run
leaves every row readable with the key list it started with.
"""

import sys
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from corridor.audit.services import Action, record_event
from corridor.core import crypto


def _stored_tokens(model, fields: list[str], batch: int):
    """Yield (pk, tokens) pages straight from the table, bypassing decryption."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    first = f"SELECT {pk}, {columns} FROM {table} ORDER BY {pk} LIMIT %s"  # noqa: S608
    after = f"SELECT {pk}, {columns} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"  # noqa: S608
    last = None  # keys of any type (integers, UUIDs), compared as the database stores them
    with connection.cursor() as cursor:
        while True:
            if last is None:
                cursor.execute(first, [batch])
            else:
                cursor.execute(after, [last, batch])
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


def _write_tokens(model, updates: list[tuple[int, dict[str, str]]]) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for row_pk, values in updates:
            sets = ", ".join(f"{quote(model._meta.get_field(f).column)} = %s" for f in values)
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                [*values.values(), row_pk],
            )


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields with the newest key (first entry of CORRIDOR_FIELD_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument(
            "--check", action="store_true", help="Only count the rows not yet on the newest key."
        )

    def handle(self, *args, batch, check, **options):
        total = 0
        for model in apps.get_models():
            fields = crypto.encrypted_fields(model)
            if not fields:
                continue
            count = model._base_manager.count()
            done = stale_rows = 0
            started = time.monotonic()
            with transaction.atomic():
                for page in _stored_tokens(model, fields, batch):
                    updates = []
                    for pk, *tokens in page:
                        stale = {
                            f: t
                            for f, t in zip(fields, tokens, strict=True)
                            if t and not crypto.is_on_primary_key(t)
                        }
                        if stale:
                            updates.append((pk, {f: crypto.rotate(t) for f, t in stale.items()}))
                    stale_rows += len(updates)
                    if not check:
                        _write_tokens(model, updates)
                    done += len(page)
                    rate = done / max(time.monotonic() - started, 1e-6)
                    sys.stderr.write(
                        f"\r  {model._meta.label}: {done:,}/{count:,} rows ({rate:,.0f}/s)"
                    )
            if count:
                sys.stderr.write("\n")
            verb = "need rotation" if check else "re-encrypted"
            self.stdout.write(f"{model._meta.label}: {stale_rows:,} of {count:,} rows {verb}")
            total += stale_rows
        if check:
            return
        record_event(Action.KEY_ROTATION, object_type="field_keys", details={"rows": total})
        self.stdout.write(self.style.SUCCESS(f"Done: {total:,} rows re-encrypted."))
