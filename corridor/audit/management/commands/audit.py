import sys

from django.core.management.base import BaseCommand, CommandError

from corridor.audit.services import verify_chain


class Command(BaseCommand):
    help = "Work with the audit trail. `audit verify` checks the hash chain end to end."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        def progress(count: int) -> None:
            sys.stderr.write(f"\r  checked {count:,} events")
            sys.stderr.flush()

        report = verify_chain(progress=progress)
        if report.checked >= 10000:
            sys.stderr.write("\n")
        if report.ok:
            waiting = (
                f" ({report.waiting:,} just written, not sealed yet)" if report.waiting else ""
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Audit chain intact: {report.checked:,} events checked.{waiting}"
                )
            )
            return
        where = f"at event {report.broken_at}" if report.broken_at else "after the last event"
        raise CommandError(
            f"Audit chain broken {where}: {report.problem} "
            f"({report.checked:,} events before it are intact)."
        )
