"""Text that people type or import, made safe to store and to show."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that change how a name looks without being part of it: bidirectional overrides
# and isolates (which can display "Ali" as "ilA"), zero-width spaces, the byte-order mark and
# control characters (NUL included). ZWNJ and ZWJ are kept: Persian, Arabic and Indic names
# are spelled with them.
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def visible_text(value: str) -> str:
    """`value` without the characters that would disguise it on screen."""
    return INVISIBLE.sub("", value or "").strip()


def validate_unicode(value) -> None:
    """Refuse text that cannot be stored as UTF-8 (a lone surrogate from a JSON client)."""
    if not isinstance(value, str):
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            _("This text holds a character that is not valid Unicode; type it again."),
            code="invalid_unicode",
        ) from None
