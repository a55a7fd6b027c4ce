"""Check the audit log's hash chain, in the database or in an archive file.

    manage.py verify_audit                 the rows in the database
    manage.py verify_audit --head HASH     ... and the row with that hash is still there
    manage.py verify_audit --archive FILE  an archive file (and its manifest, when beside it)

Exits non-zero at the first break, naming the row and what happened (changed, or rows
missing before it); on success prints how many rows and the last hash.

A deleted *last* row leaves a sound chain behind it: nothing after it names it. Keep the
last hash this prints somewhere the database's users cannot write (the scheduler's mail,
the central log), and give it back next time with ``--head``: a chain cut short behind it
no longer holds it.
"""

import hashlib
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.archive import read_archive
from audit.models import AuditEvent
from audit.verify import BATCH, ChainBroken, verify_database, walk


class Command(BaseCommand):
    help = "Check the audit log's hash chain (the database, or an archive file)."

    def add_arguments(self, parser):
        parser.add_argument("--archive", type=Path, help="an archive file (audit-….jsonl.gz)")
        parser.add_argument("--head", help="a last hash printed by an earlier run, which must still be there")
        parser.add_argument("--batch", type=int, default=BATCH, help="rows read at a time")

    def handle(self, *args, archive=None, head=None, batch=BATCH, **options):
        try:
            if archive is not None:
                count, last = self.check_archive(archive)
            else:
                count, last = verify_database(batch=batch)
                if head and not AuditEvent.objects.filter(hash=head).exists():
                    raise ChainBroken(
                        f"the row with hash {head[:16]}… is gone: rows were deleted from the end "
                        "of the chain (or archived since, see the ARCHIVED rows)"
                    )
        except ChainBroken as broken:
            raise CommandError(f"The audit chain is broken: {broken}.") from None
        self.stdout.write(f"The audit chain is sound: {count} rows, last hash {last}.")

    def check_archive(self, path: Path) -> tuple[int, str]:
        if not path.is_file():
            raise CommandError(f"--archive: no such file: {path}")
        first = next(read_archive(path), None)
        if first is None:
            raise ChainBroken(f"{path.name} holds no rows")
        count, last = walk(read_archive(path), start=first.previous_hash)
        manifest_path = Path(f"{path}.manifest.json")
        if manifest_path.is_file():
            manifest = json.loads(manifest_path.read_text())
            with path.open("rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()
            expected = {
                "count": count,
                "first_previous_hash": first.previous_hash,
                "last_hash": last,
                "sha256": digest,
            }
            for key, value in expected.items():
                if manifest.get(key) != value:
                    raise ChainBroken(f"the file does not match its manifest ({key})")
        else:
            self.stderr.write(f"No manifest beside {path.name}: only the chain inside it was checked.")
        return count, last
