"""`corridor linkage dedupe-file INPUT.csv --out PAIRS.csv [--threshold 0.5]`: the pairs of
rows of a register that are probably one person, before the register is imported. Bad rows
are listed on stderr (row and column) and left out; the run goes on without them.

`corridor linkage run`: the same model over every person record of the instance; the likely
pairs go to the coordinators' review queue."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from corridor.linkage.dedupe import Register, RegisterError, dedupe_file


class Command(BaseCommand):
    help = (
        "Record linkage. `linkage dedupe-file INPUT.csv --out PAIRS.csv` finds the rows of a "
        "register that are probably the same person (Splink, trained on the file itself) "
        "and writes record_id_l, record_id_r, match_probability."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        dedupe = actions.add_parser(
            "dedupe-file",
            help="pairs of rows of a register CSV that are probably one person",
            description=(
                "Columns (header names; all but record_id may be missing): record_id, "
                "given_name, family_name, sex, birth_date (YYYY, YYYY-MM or YYYY-MM-DD), "
                "nationality (ISO 3166 alpha-2), phone, document_number, agency, "
                "age_estimate_min and age_estimate_max (an age estimated in whole years, "
                "where the date of birth is not known), registered_on (YYYY-MM-DD, the day "
                "the age was estimated; today where missing)."
            ),
        )
        dedupe.add_argument(
            "input", metavar="INPUT", help="register CSV (UTF-8, comma- or semicolon-separated)"
        )
        dedupe.add_argument("--out", required=True, metavar="OUT", help="pairs CSV to write")
        # -v also after the action ("dedupe-file IN --out OUT -v 2"); kept only when given.
        dedupe.add_argument(
            "-v",
            "--verbosity",
            type=int,
            choices=[0, 1, 2, 3],
            default=argparse.SUPPRESS,
            help="0: only problems; 2: each pair with its reasons",
        )
        dedupe.add_argument(
            "--threshold",
            type=_probability,
            default=0.5,
            help="smallest match probability written (default 0.5)",
        )

        actions.add_parser(
            "run",
            help="every person record against the others; likely pairs to the review queue",
        )

    def handle(self, *args, action: str, **options) -> None:
        if action == "run":
            self.run(options["verbosity"])
        elif action == "dedupe-file":
            self.dedupe_file(
                options["input"], options["out"], options["threshold"], options["verbosity"]
            )

    def dedupe_file(self, source: str, out: str, threshold: float, verbosity: int) -> None:

        def on_read(register: Register) -> None:
            for problem in register.problems:
                self.stderr.write(
                    _("row {row}, {column}: {message}").format(
                        row=problem.row, column=problem.column, message=problem.message
                    )
                )
            if verbosity:
                self.stdout.write(
                    _("reading {rows:,} rows: {usable:,} usable, {bad:,} left out").format(
                        rows=register.rows,
                        usable=len(register.records),
                        bad=register.rows - len(register.records),
                    )
                )

        def progress(stage: str, done: int, total: int) -> None:
            if not verbosity:
                return
            if stage == "train" and total == 0:
                self.stdout.write(_("too few rows to train on: scoring with fixed weights"))
            elif stage == "train" and done == 0:
                self.stdout.write(_("training…"))
            elif stage == "score":
                self.stdout.write(_("scoring…"))

        try:
            result = dedupe_file(
                source, out, threshold=threshold, progress=progress, on_read=on_read
            )
        except RegisterError as error:
            raise CommandError(str(error)) from error
        if verbosity > 1:
            for pair in result.pairs:
                reasons = ", ".join(
                    f"{field} {label} ({weight:+.1f})" for field, label, weight in pair.reasons
                )
                self.stdout.write(f"  {pair.left} {pair.right} {pair.probability:.4f}: {reasons}")
        if verbosity:
            shown = f"{threshold:.2f}" if round(threshold, 2) == threshold else f"{threshold:g}"
            self.stdout.write(
                _("{count:,} pairs ≥ {threshold} written to {out}").format(
                    count=len(result.pairs), threshold=shown, out=out
                )
            )

    def run(self, verbosity: int) -> None:
        from corridor.linkage.services import run_linkage

        def progress(stage: str, done: int, total: int) -> None:
            if verbosity:
                self.stdout.write(f"\r{stage}: {done:,}/{total:,}", ending="")
                self.stdout.flush()

        result = run_linkage(progress=progress)
        if verbosity:
            self.stdout.write("")
            self.stdout.write(
                _(
                    "{records:,} records, {pairs:,} likely pairs, {new:,} new in the review queue"
                ).format(records=result.records, pairs=result.pairs, new=result.proposed)
            )


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(_("a probability between 0 and 1"))
    return number
