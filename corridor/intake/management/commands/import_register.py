"""Import a paper register (CSV or XLSX) of persons: all rows or none, never the same file twice.

    corridor import_register register.xlsx --agency 3 --as responder --mapping mapping.json

The mapping file is JSON, file column → Corridor field, e.g. {"Nom": "family_name",
"Prénom": "given_name", "Âge": "age"}; without it the agency's saved mappings and the known
English and French column names are used. `--check` reports the problems without importing.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from corridor.accounts.models import Agency, User
from corridor.intake import services
from corridor.intake.importers import TARGETS


class Command(BaseCommand):
    help = "Import persons (and optionally a protection case each) from a CSV or XLSX register."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--agency", required=True, help="The importing agency: its id or short name."
        )
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="The user the import is done as (audited); must belong to the agency.",
        )
        parser.add_argument("--mapping", type=Path, help="JSON file: column → Corridor field.")
        parser.add_argument("--save-mapping", metavar="NAME", help="Save the mapping under NAME.")
        parser.add_argument(
            "--open-cases", action="store_true", help="Open a protection case for every person."
        )
        parser.add_argument("--check", action="store_true", help="Check every row; import nothing.")
        parser.add_argument(
            "--fields", action="store_true", help="List the Corridor fields a column can fill."
        )

    def handle(self, *args, file, agency, username, mapping, save_mapping, **options):
        if options["fields"]:
            for target in TARGETS:
                self.stdout.write(f"{target.name:22} {target.label}")
            return
        actor = self._actor(username, agency)
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        columns = self._mapping(mapping) if mapping else None
        # progress goes to stderr, so that stdout stays a clean summary for scripts
        self.stderr.write(f"Reading {file.name} ({len(content):,} bytes)…")
        last = [0]
        doing = "checked" if options["check"] else "written"

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r  {done:,} of {total:,} rows {doing}", ending="")
            self.stderr.flush()
            last[0] = done

        try:
            result = services.import_register(
                actor=actor,
                content=content,
                file_name=file.name,
                mapping=columns,
                open_cases=options["open_cases"],
                dry_run=options["check"],
                progress=progress,
            )
        except services.AlreadyImported as exc:
            self._end_progress(last)
            raise CommandError(str(exc)) from exc
        except services.ImportRejected as exc:
            self._end_progress(last)
            for error in exc.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f" column “{error.column}”" if error.column else ""
                target = f" ({error.field})" if error.field else ""
                self.stderr.write(f"  {where}{column}{target}: {error.message}")
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {file.name}; nothing was imported."
            ) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self._end_progress(last)
        self.stdout.write("Mapping: " + ", ".join(f"{c} → {t}" for c, t in result.mapping.items()))
        if options["check"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.rows:,} rows checked, no problem found; nothing was imported (--check)."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {file.name}: {result.persons:,} persons and {result.cases:,} cases "
                    f"from {result.rows:,} rows (import #{result.batch.pk})."
                )
            )
        if save_mapping:
            try:
                services.save_mapping(actor=actor, name=save_mapping, columns=result.mapping)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"Mapping saved as “{save_mapping}”.")

    def _end_progress(self, last: list[int]) -> None:
        if last[0]:
            self.stderr.write("")

    def _actor(self, username: str, agency_key: str) -> User:
        user = User.objects.select_related("agency").filter(username=username).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user “{username}”.")
        lookup = {"pk": int(agency_key)} if agency_key.isdigit() else {"short_name": agency_key}
        agency = Agency.objects.filter(**lookup).first()
        if agency is None:
            raise CommandError(f"No agency “{agency_key}”.")
        if user.agency_id != agency.pk:
            raise CommandError(
                f"{username} belongs to {user.agency or 'no agency'}, not to {agency}: "
                "records are imported into the importer's own agency."
            )
        if not services.can_import(user):
            raise CommandError(f"{username}'s role does not register persons.")
        return user

    def _mapping(self, path: Path) -> dict[str, str]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the mapping {path}: {exc}") from exc
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = data["columns"]
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str | None) for k, v in data.items()
        ):
            raise CommandError(
                'The mapping must be a JSON object of column → field, e.g. {"Nom": "family_name"}.'
            )
        return {k: v or "" for k, v in data.items()}
