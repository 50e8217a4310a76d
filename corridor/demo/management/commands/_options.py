"""Checking command options: a clear error naming the option, before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.core.management.base import CommandError
from django.utils import timezone

from corridor.vocabularies import is_country


def whole_number(value, option: str, *, minimum: int, maximum: int | None = None) -> int:
    text = str(value).strip()
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(text)
    except ValueError:
        raise CommandError(f"{option} must be a whole number, not {text!r}.") from None
    if number < minimum:
        raise CommandError(f"{option} must be at least {minimum:,}, not {number:,}.")
    if maximum is not None and number > maximum:
        raise CommandError(f"{option} must be at most {maximum:,}, not {number:,}.")
    return number


def country_code(value, option: str = "--country") -> str:
    code = str(value or "").strip().upper()
    if not is_country(code):
        raise CommandError(
            f"{option} must be an ISO 3166-1 alpha-2 country code such as IT, ES or NG, "
            f"not {value!r}."
        )
    return code


def moment(value, option: str = "--as-of") -> datetime | None:
    """An ISO date (midnight UTC) or date-time; a time without a zone is taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(
                f"{option} must be an ISO date or date-time such as 2026-01-31 or "
                f"2026-01-31T12:00:00Z, not {text!r}."
            ) from None
        if len(text) == 10:
            parsed = datetime.combine(parsed.date(), time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed
