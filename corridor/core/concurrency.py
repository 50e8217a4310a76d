"""Optimistic locking: an edit based on an old version is refused, never silently merged."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _


class ConcurrentEdit(Exception):
    def __init__(self, obj: models.Model):
        super().__init__(
            _(
                "{record} was changed by someone else while you were editing it. "
                "Reload it to see their change, then make yours again."
            ).format(record=obj)
        )
        self.obj = obj


def save_versioned(obj: models.Model, expected_version: int, fields: list[str]) -> None:
    """Write `fields` only if the row is still at `expected_version`, and bump the version."""
    model = type(obj)
    values = {f: getattr(obj, f) for f in fields}
    extra = {}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        extra["updated_at"] = timezone.now()
    updated = model._base_manager.filter(pk=obj.pk, version=expected_version).update(
        version=F("version") + 1, **values, **extra
    )
    if updated != 1:
        raise ConcurrentEdit(obj)
    obj.version = expected_version + 1
