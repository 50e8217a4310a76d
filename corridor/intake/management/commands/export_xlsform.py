"""Write the screening form of a published indicator list as an XLSForm (.xlsx).

    corridor export_xlsform ilo-ec-2009-adult-labour -o adult-labour.xlsx
    corridor export_xlsform --all --output-dir forms/

Upload the file to ODK Central or KoBoToolbox; import their export of the submissions with
the Import page or `POST /api/intake/submissions`.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from corridor.intake import xlsform


class Command(BaseCommand):
    help = "Export the screening form of a published indicator catalogue as an XLSForm."

    def add_arguments(self, parser):
        parser.add_argument("catalogue", nargs="?", help="The catalogue's code.")
        parser.add_argument(
            "--catalogue-version",
            dest="catalogue_version",
            type=int,
            help="Default: the version in use.",
        )
        parser.add_argument("-o", "--output", type=Path, help="The .xlsx file to write.")
        parser.add_argument(
            "--all", dest="all_lists", action="store_true", help="One form for every list in use."
        )
        parser.add_argument("--output-dir", type=Path, default=Path("."))

    def handle(self, *args, catalogue, catalogue_version, output, all_lists, output_dir, **options):
        if all_lists:
            catalogues = list(xlsform.catalogues_for_forms())
            if not catalogues:
                raise CommandError("No indicator list is published.")
        elif catalogue:
            try:
                catalogues = [xlsform.get_catalogue(catalogue, catalogue_version)]
            except Http404:
                raise CommandError(
                    f"No published catalogue {catalogue}"
                    + (f" version {catalogue_version}" if catalogue_version else "")
                    + ". In use: "
                    + ", ".join(c.code for c in xlsform.catalogues_for_forms())
                ) from None
        else:
            raise CommandError("Name a catalogue code, or use --all.")
        for item in catalogues:
            path = output if output and not all_lists else output_dir / xlsform.file_name(item)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(xlsform.build_xlsform(item))
            self.stdout.write(
                f"{path}: {item} — form_id {xlsform.form_id(item)}, "
                f"version {xlsform.form_version(item)}"
            )
