"""`corridor reindex_search`: rebuild the blind index persons are searched by, after
CORRIDOR_SEARCH_KEY changed, after a restore or a bulk load that bypassed `save()`."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from corridor.audit.models import AuditEvent
from corridor.audit.services import record_event
from corridor.people.search import reindex_persons


class Command(BaseCommand):
    help = (
        "Rebuild the search index of every person under the current CORRIDOR_SEARCH_KEY "
        "(names, phones and document numbers as keyed digests; nothing in clear)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stderr.write(f"\r  {done:,}/{total:,} persons ({rate:,.0f}/s)", ending="")
                self.stderr.flush()

        keys = reindex_persons(progress=progress)
        if verbosity:
            self.stderr.write("")
        record_event(
            AuditEvent.Action.KEY_ROTATION, object_type="search_index", details={"keys": keys}
        )
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {keys:,} keys."))
