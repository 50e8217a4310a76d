"""corridor load_indicators FILE [--publish]: load a national variant of an indicator list.

The file is checked completely first; every problem is reported with the entry it is in,
and nothing is written unless the whole file is right.
"""

from django.core.management.base import BaseCommand, CommandError

from corridor.screening import loader, services


class Command(BaseCommand):
    help = (
        "Load an indicator catalogue (JSON, format corridor-indicator-catalogue/1) as a new "
        "version. It stays a draft for administrators to review unless --publish is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the catalogue file (JSON)")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="offer it at once, replacing the version offered for the same list",
        )

    def handle(self, *args, path, publish, **options):
        try:
            data = loader.read_file(path)
            catalogue = services.load_catalogue(data, publish=publish)
        except loader.CatalogueFileError as exc:
            lines = "\n".join(f"  - {error}" for error in exc.errors)
            raise CommandError(
                f"{path}: nothing was loaded; {len(exc.errors)} problem(s):\n{lines}"
            ) from None
        state = "published" if catalogue.published else "loaded as a draft"
        self.stdout.write(
            self.style.SUCCESS(
                f"{catalogue} ({catalogue.list_kind}, {catalogue.indicators.count()} indicators) "
                f"{state}."
            )
        )
