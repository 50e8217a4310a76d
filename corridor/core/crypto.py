"""Field encryption at rest.

Sensitive person fields are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256 from the
`cryptography` package). Keys come from `CORRIDOR_FIELD_KEYS`, newest first: every key
decrypts, only the first encrypts, so a new key can be added, data rotated onto it with
`corridor rotate_keys`, and the old key removed without losing anything.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models

from corridor.core.text import validate_unicode


@functools.cache
def _keyring() -> tuple[MultiFernet, Fernet]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    if not keys:
        raise ImproperlyConfigured("CORRIDOR_FIELD_KEYS is empty: no key to encrypt fields with")
    try:
        fernets = [Fernet(key) for key in keys]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CORRIDOR_FIELD_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes); "
            "make one with `corridor generate_field_key`"
        ) from exc
    return MultiFernet(fernets), fernets[0]


def _reset_keyring(*, setting: str, **kwargs) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _keyring.cache_clear()


setting_changed.connect(_reset_keyring)


def encrypt(plaintext: str) -> str:
    return _keyring()[0].encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _keyring()[0].decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise InvalidToken(
            "a field could not be decrypted with any key in CORRIDOR_FIELD_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return _keyring()[0].rotate(token.encode("ascii")).decode("ascii")


def is_on_primary_key(token: str) -> bool:
    try:
        _keyring()[1].decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; the empty string is stored as is.

    It cannot be searched or ordered in SQL: search needs a separate keyed index.
    """

    default_validators = [validate_unicode]

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        validate_unicode(value)  # a save that skipped validation is refused, not a 500
        return encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # tokens are randomised: equality in SQL would silently match nothing
        return super().get_lookup(lookup_name)


def encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def _is_token(value: str) -> bool:
    try:
        _keyring()[0].decrypt(value.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return False
    return True


def encrypt_existing(app_label: str, model_name: str, fields: list[str]):
    """A migration step for a text field that becomes an EncryptedTextField: encrypts the
    values written in clear before, in place; values already encrypted are left alone, so
    running it twice changes nothing."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        for name in fields:
            column = quote(model._meta.get_field(name).column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
                )
                rows = cursor.fetchall()
                for row_pk, value in rows:
                    if value is None or _is_token(value):
                        continue
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                        [encrypt(value), row_pk],
                    )

    return migrations.RunPython(forwards, migrations.RunPython.noop)
