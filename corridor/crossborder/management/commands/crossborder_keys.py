"""Make (or show) this instance's signing key and print what partners need:

    corridor crossborder_keys            # make a key if there is none; print the public part
    corridor crossborder_keys --rotate   # retire the current key and make a new one

Hand the printed JSON to each partner's administrator out of band (in person, or through a
channel you already trust) and check the key id with them by phone: whoever holds the
matching private key can send referrals to them in this country's name. The private half is
stored encrypted with CORRIDOR_FIELD_KEYS and never printed. When CORRIDOR_SIGNING_KEY_FILE
is set, that file's key signs instead, and this command only prints its public part.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from corridor.audit.services import Action, record_event
from corridor.crossborder import keys


class Command(BaseCommand):
    help = "Make or show this instance's signing key; print the public key for partners."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Retire the current key and make a new one (partners must register it).",
        )

    def handle(self, *args, rotate=False, **options):
        if keys.key_file_path():
            if rotate:
                raise CommandError(
                    "CORRIDOR_SIGNING_KEY_FILE is set: rotate by replacing that file."
                )
            signing = keys.instance_signing_key()
            self.stderr.write(f"Signing with the key in {keys.key_file_path()}.")
        else:
            row, created = keys.create_instance_key(rotate=rotate)
            if created:
                record_event(
                    Action.KEY_ROTATION,
                    object_type="instance_key",
                    object_ref=row.key_id[:40],
                    details={"crossborder_signing_key": "rotated" if rotate else "created"},
                )
                self.stderr.write(self.style.SUCCESS(f"New signing key {row.key_id}."))
            else:
                self.stderr.write(f"Current signing key {row.key_id} (--rotate to replace it).")
            signing = keys.instance_signing_key()
        card = {
            "country": settings.CORRIDOR_COUNTRY,
            "base_url": settings.CORRIDOR_BASE_URL,
            "key_id": signing.key_id,
            "public_jwk": signing.public_jwk,
        }
        self.stdout.write(json.dumps(card, indent=2))
