"""Register a partner from the card its administrator printed with `crossborder_keys`:

    corridor crossborder_partner --admin alice --name "NAPTIP Nigeria" nigeria-card.json

The card is JSON: {"country": "NG", "base_url": "https://…", "key_id": "…", "public_jwk": {…}};
`-` reads it from standard input. The registration is audited as the administrator named.
Check the key id with the partner's administrator through another channel first.

`--linkage-secret-file FILE` also sets the secret agreed with the partner for finding the
persons known to both without names (the same on both instances; read from a file so that it
stays out of the shell's history and the process list).
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from corridor.accounts.models import User
from corridor.crossborder.services import register_partner, set_pprl_secret


class Command(BaseCommand):
    help = "Register a partner instance from the key card it handed over."

    def add_arguments(self, parser):
        parser.add_argument("card", help="The partner's card (JSON file), or - for stdin.")
        parser.add_argument("--admin", required=True, help="Username of the administrator.")
        parser.add_argument("--name", help="The partner's name (default: its country).")
        parser.add_argument("--base-url", help="Override the address written on the card.")
        parser.add_argument(
            "--linkage-secret-file",
            help="A file holding the linkage secret agreed with the partner (16+ characters).",
        )

    def handle(
        self, *args, card, admin, name=None, base_url=None, linkage_secret_file=None, **options
    ):
        try:
            text = sys.stdin.read() if card == "-" else Path(card).read_text(encoding="utf-8")
            data = json.loads(text)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the card: {exc}") from exc
        secret = ""
        if linkage_secret_file:
            try:
                secret = Path(linkage_secret_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"Cannot read the linkage secret: {exc}") from exc
        actor = User.objects.filter(username=admin, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {admin!r}.")
        try:
            with transaction.atomic():  # a refused secret registers no partner either
                partner = register_partner(
                    actor=actor,
                    country=data.get("country", ""),
                    name=name or data.get("name") or data.get("country", ""),
                    base_url=base_url or data.get("base_url", ""),
                    public_jwk=data.get("public_jwk") or {},
                    key_id=data.get("key_id", ""),
                )
                if linkage_secret_file:
                    set_pprl_secret(partner, actor=actor, secret=secret)
        except PermissionDenied as exc:
            raise CommandError(f"{admin} is not an administrator.") from exc
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Partner {partner.name} ({partner.country}) registered, key {partner.key_id}."
            )
        )
