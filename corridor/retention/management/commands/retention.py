"""`corridor retention`: erase what is past its retention period now (the daily background
job does the same); `--dry-run` only says what would be erased, rule by rule."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from corridor.retention.services import apply_retention


class Command(BaseCommand):
    help = (
        "Erase the records past their retention period (CORRIDOR_RETAIN_* settings), except "
        "those under a legal hold or that the law requires to be kept; each erasure is "
        "audited. --dry-run counts them per rule and erases nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list what would be erased (counts per rule; references with -v 2)",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        verbosity = options["verbosity"]
        translation.activate("en")
        now = timezone.now()
        shown = {"progress": False}

        def progress(done: int, total: int) -> None:
            if verbosity and total:
                self.stderr.write(f"\r  erased {done:,}/{total:,} persons", ending="")
                self.stderr.flush()
                shown["progress"] = True

        report = apply_retention(dry_run=dry_run, now=now, progress=progress)
        if shown["progress"]:
            self.stderr.write("")
        self.stdout.write(f"Retention rules on {now:%Y-%m-%d %H:%M} UTC:")
        for item in report.rules:
            rule = item.rule
            count = item.due if dry_run else item.erased
            verb = "to erase" if dry_run else "erased"
            self.stdout.write(
                f"  {rule.code}: {rule.description} ({rule.period_display()}): "
                f"{count:,} {verb}, {item.held:,} kept under a legal hold"
            )
            if dry_run and verbosity > 1:
                for reference in (
                    rule.due(now).order_by("reference").values_list("reference", flat=True)
                ):
                    self.stdout.write(f"    {reference}")
        if dry_run:
            self.stdout.write(f"Dry run: {report.due:,} persons would be erased; nothing was.")
        elif report.erased:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Erased the records of {report.erased:,} persons (one audit event each)."
                )
            )
        else:
            self.stdout.write("Nothing is past its retention period.")
