"""manage.py restore FILE: a sealed backup into an empty database and the media folder."""

from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.sealed import SealError
from config.backups import BackupError, restore_backup
from config.management.commands.backup import backup_key


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into an empty database (DATABASE_URL, or "
        "--database-url) and MEDIA_ROOT (or --media-root), then compare every table's row count "
        "with the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-url", help="The database to restore into (default: DATABASE_URL).")
        parser.add_argument(
            "--media-root", type=Path, help="Where to put the media files (default: MEDIA_ROOT)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even if the target database has our tables: the backup's replace them.",
        )

    def handle(self, *args, file, database_url=None, media_root=None, force=False, **options):
        key = backup_key()
        if not file.is_file():
            raise CommandError(f"No such backup file: {file}")
        database = dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        media_root = Path(media_root or settings.MEDIA_ROOT)
        try:
            manifest = restore_backup(file, key=key, database=database, media_root=media_root, force=force)
        except SealError as error:
            raise CommandError(f"Refused: {error}") from None
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: {len(manifest['tables'])} tables and "
            f"{rows} rows, each table's count as in the manifest; {manifest['media_files']} media files "
            f"into {media_root}."
        )
        self.stdout.write(
            "If this code is newer than the backup, run `manage.py migrate` now; then start the site."
        )
