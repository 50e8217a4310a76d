from django.core.management.base import BaseCommand

from corridor.core.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new field-encryption key to put first in CORRIDOR_FIELD_KEYS."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
