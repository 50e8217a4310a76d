"""Write an encrypted backup of every record (see corridor.core.backup):

CORRIDOR_BACKUP_KEY_FILE=/secure/backup.key corridor backup /backups/corridor-$(date +%F).cbk
"""

from django.core.management.base import CommandError

from corridor.audit.services import Action, record_event
from corridor.core.backup import BackupCommand, write_backup


class Command(BackupCommand):
    help = "Write an encrypted backup of every record to FILE."

    def handle(self, *args, file, **options):
        key, path = self.key_and_path(file)
        if path.exists():
            raise CommandError(f"{path} exists already: backups are never overwritten.")
        self.stdout.write(f"Writing {path}…")
        report = write_backup(path, key=key, progress=lambda line: self.stdout.write(f"  {line}"))
        record_event(
            Action.EXPORT,
            object_type="backup",
            object_ref=path.name[:40],
            details={"records": report.records, "kinds": len(report.counts)},
        )
        self.stdout.write(
            self.style.SUCCESS(f"{report.records:,} records backed up to {path}, encrypted.")
        )
