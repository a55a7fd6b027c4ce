"""manage.py backup: one sealed file of the database and the photos, in BACKUP_DIR."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.events import record
from audit.models import Action, Outcome
from common.sealed import SealError, parse_key
from config.backups import BackupError, make_backup, prune


def backup_key() -> bytes:
    """The deployment's key, or a refusal that says where it goes.

    Production settings start without it on purpose: only the backup job (and whoever
    restores) holds the key that opens every backup, not the web or the worker.
    """
    if not settings.BACKUP_KEY:
        raise CommandError(
            "BACKUP_KEY is not set: give this command the deployment's backup key (base64 text of "
            "32 random bytes; make one with: python -c 'import base64, os; "
            "print(base64.b64encode(os.urandom(32)).decode())'), and keep a copy away from the backups."
        )
    try:
        return parse_key(settings.BACKUP_KEY)
    except ValueError as error:
        raise CommandError(str(error)) from None


WHO = "manage.py backup"


class Command(BaseCommand):
    help = "Write a sealed (encrypted, authenticated) backup of the database and media files to BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, help="Where to write it (default: BACKUP_DIR).")
        parser.add_argument(
            "--keep", type=int, help="How many backups to keep, the newest (default: BACKUP_KEEP)."
        )

    def handle(self, *args, directory=None, keep=None, **options):
        key = backup_key()
        directory = Path(directory or settings.BACKUP_DIR)
        keep = settings.BACKUP_KEEP if keep is None else keep
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        try:
            path, manifest = make_backup(key=key, directory=directory, media_root=Path(settings.MEDIA_ROOT))
        except (BackupError, SealError, OSError) as error:
            record(Action.EXPORTED, username=WHO, outcome=Outcome.FAILED, detail={"what": "backup"})
            raise CommandError(f"The backup failed, nothing was kept: {error}") from None
        rows = sum(manifest["tables"].values())
        # A copy of everything leaves the database: the audit log says when, and how much.
        record(
            Action.EXPORTED,
            username=WHO,
            detail={
                "what": "backup",
                "file": path.name,
                "rows": rows,
                "media_files": manifest["media_files"],
            },
        )
        self.stdout.write(
            f"Wrote {path} ({path.stat().st_size} bytes, {manifest['cipher']}): "
            f"{len(manifest['tables'])} tables, {rows} rows, {manifest['media_files']} media files."
        )
        for old in prune(directory, keep):
            self.stdout.write(f"Deleted {old.name} (keeping the newest {keep}).")
