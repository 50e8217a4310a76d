"""Telling the people who must act: in the app, and by e-mail through Django's mail backend.

Messages never carry personal data of victims — only record references and a link — since
e-mail leaves the instance.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from corridor.notifications.models import Notification

logger = logging.getLogger(__name__)


def _render(message: Callable[[], str] | str, user) -> str:
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        return str(message() if callable(message) else message)[:300]


def notify(
    recipients: Iterable,
    message: Callable[[], str] | str,
    *,
    url: str = "",
    email: bool = True,
) -> None:
    """Notify each active recipient once the current transaction commits.

    `message` is a callable returning the (translated, formatted) text, so each recipient
    reads it in their own language, e.g. `lambda: _("Referral {ref} declined").format(ref=r)`.
    """
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not people:
        return

    def deliver() -> None:
        notes = [
            Notification(recipient=user, message=_render(message, user), url=url)
            for user in people.values()
        ]
        Notification.objects.bulk_create(notes)
        if not email:
            return
        for note in notes:
            if not note.recipient.email:
                continue
            link = f"{settings.CORRIDOR_BASE_URL}{url}" if url else ""
            try:
                send_mail(
                    subject=f"[Corridor] {note.message[:120]}",
                    message=f"{note.message}\n\n{link}".strip(),
                    from_email=None,
                    recipient_list=[note.recipient.email],
                )
            except OSError:
                logger.exception("could not e-mail notification %s", note.pk)

    transaction.on_commit(deliver)


def unread_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def mark_read(user, *, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's notifications read; other users' are untouchable."""
    qs = unread_for(user)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def mark_read_at(user, path: str) -> int:
    """Mark read the user's notifications that point to `path`: she has opened it."""
    return unread_for(user).filter(url=path).update(read_at=timezone.now())
