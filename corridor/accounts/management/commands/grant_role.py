"""Grant a role from the server's command line, without a second administrator: how the
first administrators of a new instance are made (whoever runs this already holds the
server). Audited like any grant.

    corridor grant_role amina administrator
"""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from corridor.accounts.models import Role, User
from corridor.audit.services import Action, record_event


class Command(BaseCommand):
    help = "Grant a role to an existing account from the server (bootstrap; audited)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args, username, role, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is named {username!r}.")
        with transaction.atomic():
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            record_event(
                Action.CHANGE,
                obj=user,
                details={"fields": ["roles"], "roles_added": [role], "via": "command line"},
            )
        self.stdout.write(f"{username} now holds the role {Role(role).label}.")
