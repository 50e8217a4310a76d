"""Deliver the messages waiting for partner instances, in order, with retries:

    corridor crossborder_deliver --once       # one pass, e.g. from cron every minute
    corridor crossborder_deliver --forever    # a worker: a pass every --interval seconds

Safe to run several at once (one deliverer per partner at a time) and to stop at any moment:
a message is marked delivered only once the partner acknowledged it, and the partner
processes a message id once.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from corridor.crossborder.models import Partner
from corridor.crossborder.outbox import deliver_pending


class Command(BaseCommand):
    help = "Deliver pending messages to partner instances (retries with backoff)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="One pass, then stop (default).")
        mode.add_argument("--forever", action="store_true", help="Keep delivering.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between passes (--forever)."
        )
        parser.add_argument("--partner", help="Only the partner of this country (ISO code).")
        parser.add_argument("--quiet", action="store_true", help="Print only the summaries.")

    def handle(
        self, *args, once=False, forever=False, interval=1.0, partner=None, quiet=False, **options
    ):
        target = None
        if partner:
            target = (
                Partner.objects.exclude(status=Partner.Status.REVOKED)
                .filter(country=partner.upper())
                .first()
            )
            if target is None:
                raise CommandError(f"No partner of {partner.upper()} is registered.")
        log = None if quiet else (lambda line: self.stdout.write(f"  {line}"))
        try:
            while True:
                report = deliver_pending(partner=target, log=log)
                if report.attempted or not forever:
                    self.stdout.write(str(report))
                if not forever:
                    return
                time.sleep(max(interval, 0.05))
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
