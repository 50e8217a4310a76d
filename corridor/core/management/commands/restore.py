"""Restore an encrypted backup into an empty database, and prove it (see corridor.core.backup):

corridor migrate && CORRIDOR_BACKUP_KEY_FILE=/secure/backup.key corridor restore FILE
"""

from django.core.management import call_command
from django.core.management.base import CommandError

from corridor.core.backup import BackupCommand, BackupError, restore_backup


class Command(BackupCommand):
    help = "Restore a backup into an empty database; verify counts, decryption and the audit chain."

    def handle(self, *args, file, **options):
        key, path = self.key_and_path(file)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Restoring {path}…")
        try:
            report = restore_backup(
                path, key=key, progress=lambda line: self.stdout.write(f"  {line}")
            )
        except BackupError as exc:
            raise CommandError(f"{exc} Nothing was restored.") from exc
        records = sum(report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {records:,} records of {len(report.counts)} kinds from the backup of "
                f"{report.header.get('created_at')} ({report.header.get('country')}): counts "
                f"as in the backup, {report.decrypted_fields:,} encrypted values read back, "
                f"audit chain intact ({report.audit_events:,} events)."
            )
        )
