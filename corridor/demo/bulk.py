"""Fast inserts for the synthetic data set: COPY, or one prepared INSERT per table and batch.

`Model.objects.bulk_create` spends most of its time preparing every value of every object
(a million victims make some twenty million values). `Table` prepares each column once: the
value goes into the database as the model field itself prepares it — an encrypted field
encrypts it (`EncryptedTextField.get_db_prep_save`), a JSON field serialises it, a date-time
is adapted by the database backend — and plain columns (text, numbers, booleans, foreign
keys) go in as they are. Rows are tuples in the order of the table's `fields`; the other
columns get their model default, which must then be a constant. No signal is sent and no
`save()` runs, exactly as with `bulk_create`.

On PostgreSQL the rows go in by `COPY … FROM STDIN`: a multi-row INSERT of a million rows
spends most of its time in psycopg splitting the statement's placeholders, COPY none. Tables
whose ids other rows need draw them first from the table's sequence (`nextval`, one query per
batch) and copy them with the rows.

On SQLite, such tables insert with `RETURNING id` (SQLite 3.35+), as `bulk_create` does. The
ids of one statement are sorted before they are matched with its rows: an id is drawn from an
increasing counter as each row is inserted, in the order of the VALUES list, whatever order
RETURNING reports them in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC

from django.conf import settings
from django.db import connection, models

from corridor.core.crypto import EncryptedTextField

Converter = Callable[[object], object] | None


def _sqlite_datetime(value):
    """What SQLite's adapt_datetimefield_value stores for an aware date-time, in UTC."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # without "+00:00"
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _converter(field: models.Field) -> Converter:
    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return field.get_prep_value  # encrypts; the database takes the token as text
    if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    if isinstance(field, models.JSONField | models.DecimalField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone == UTC:
            return _sqlite_datetime
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def _max_parameters() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return connection.features.max_query_params or 999
    return connection.features.max_query_params or 65535


class Table:
    """Inserts rows of `model` given as tuples of `fields` (attribute names: `case_id`)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]):
        self.model = model
        self.fields = tuple(fields)
        concrete = {
            f.attname: f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.fields.AutoFieldMixin)
        }
        unknown = [name for name in self.fields if name not in concrete]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
        self.constants: list[tuple[str, object]] = []
        for name, field in concrete.items():
            if name in self.fields:
                continue
            if field.has_default():
                if callable(field.default) and field.default not in (list, dict):
                    raise ValueError(
                        f"{model.__name__}.{name} has a computed default: give it in each row"
                    )
            elif not (field.null or field.empty_strings_allowed):
                raise ValueError(f"{model.__name__}.{name} needs a value in each row")
            value = field.get_default()  # the default, else None or "" as Django would
            self.constants.append((name, field.get_db_prep_save(value, connection)))
        columns = [concrete[name].column for name in self.fields] + [
            concrete[name].column for name, _ in self.constants
        ]
        self.converters = [_converter(concrete[name]) for name in self.fields]
        self.constant_values = tuple(value for _, value in self.constants)
        quote = connection.ops.quote_name
        self.table = quote(model._meta.db_table)
        self.db_table = model._meta.db_table
        self.columns = ", ".join(quote(c) for c in columns)
        self.placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        self.width = len(columns)
        self.pk_column = quote(model._meta.pk.column)

    def _prepare(self, rows) -> list[tuple]:
        converters, constants = self.converters, self.constant_values
        plain = all(c is None for c in converters)
        if plain:
            return [tuple(row) + constants for row in rows]
        return [
            tuple(
                [
                    value if convert is None else convert(value)
                    for convert, value in zip(converters, row, strict=True)
                ]
            )
            + constants
            for row in rows
        ]

    def _copy(self, params: list[tuple], ids: list[int] | None = None) -> None:
        columns = self.columns if ids is None else f"{self.pk_column}, {self.columns}"
        if ids is not None:
            params = [(pk, *row) for pk, row in zip(ids, params, strict=True)]
        # Table and column names come from the model, quoted; values travel as COPY data.
        sql = f"COPY {self.table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in params:
                copy.write_row(row)

    def _next_ids(self, n: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.db_table, self.model._meta.pk.column, n],
            )
            return sorted(row[0] for row in cursor.fetchall())

    def insert(self, rows) -> int:
        """Insert the rows; nothing comes back."""
        params = self._prepare(rows)
        if params and connection.vendor == "postgresql":
            self._copy(params)
        elif params:
            # Table and column names come from the model, quoted; values are parameters.
            sql = f"INSERT INTO {self.table} ({self.columns}) VALUES {self.placeholders}"  # noqa: S608
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
        return len(params)

    def insert_returning(self, rows) -> list[int]:
        """Insert the rows and return their ids, in the order of the rows."""
        params = self._prepare(rows)
        ids: list[int] = []
        if not params:
            return ids
        if connection.vendor == "postgresql":
            ids = self._next_ids(len(params))
            self._copy(params, ids)
            return ids
        per_statement = max(1, min(_max_parameters() // self.width, 2000))
        with connection.cursor() as cursor:
            for start in range(0, len(params), per_statement):
                chunk = params[start : start + per_statement]
                values = ", ".join([self.placeholders] * len(chunk))
                sql = (
                    f"INSERT INTO {self.table} ({self.columns}) VALUES {values} "  # noqa: S608
                    f"RETURNING {self.pk_column}"
                )
                cursor.execute(sql, [value for row in chunk for value in row])
                ids.extend(sorted(row[0] for row in cursor.fetchall()))
        if len(ids) != len(params):
            raise RuntimeError(f"{self.model.__name__}: {len(params)} rows, {len(ids)} ids")
        return ids
