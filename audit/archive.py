"""Moving audit rows older than the retention (AUDIT_RETENTION_DAYS, at least 180) out of
the database into files in AUDIT_ARCHIVE_DIR, in chain order, so that the chain can still
be checked across them (``verify_audit --archive FILE``).

A file ``audit-<first id>-<last id>.jsonl.gz`` holds one row a line (what its hash covers,
its id and its hash); ``<file>.manifest.json`` next to it holds the hash before the first
row, the last row's hash, the count and the file's SHA-256. The ARCHIVED row written in
the same transaction as the deletion holds the same, and is where the chain left in the
database starts (``audit.verify.anchor``).
"""

import datetime
import gzip
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.events import CHAIN_LOCK, record
from audit.models import Action, AuditEvent
from common import partitions

ARCHIVE_LOCK = CHAIN_LOCK + 1


def cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def archive() -> AuditEvent | None:
    """Archive what is older than the retention; the ARCHIVED row, or None when nothing
    was old enough (or another run is at it). Safe to run twice or concurrently."""
    with _only_one() as alone:
        if not alone:
            return None
        before = cutoff()
        directory = Path(settings.AUDIT_ARCHIVE_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".audit-{os.getpid()}.partial"
        written = _write(partial, before)
        if written is None:
            return None
        path = directory / f"audit-{written['first_id']}-{written['last_id']}.jsonl.gz"
        partial.replace(path)
        manifest = {"file": path.name, **written}
        try:
            with transaction.atomic():
                event = record(Action.ARCHIVED, detail=manifest)
                deleted = _delete_through_the_guard(last_id=written["last_id"], before=before)
                if deleted != written["count"]:
                    raise RuntimeError(f"archived {written['count']} rows but {deleted} were deleted")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        Path(f"{path}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        _drop_emptied_months(before)
        return event


def _drop_emptied_months(before: datetime.datetime):
    """On PostgreSQL the log is partitioned by month (audit/migrations/0004): the months
    wholly before the cutoff are now empty, and go as tables rather than stay as husks.
    Their rows are in the files; detaching a month with rows in it would take them out of
    the chain's reach, so a month with any row left stays."""
    table = AuditEvent._meta.db_table
    if table in partitions.partitioned_tables():
        partitions.drop_empty_before(table, partitions.month_start(timezone.localtime(before).date()))


def _write(partial: Path, before: datetime.datetime) -> dict | None:
    """The rows older than ``before``, from the first, up to the first one that is not
    (ids and times agree but for microseconds between concurrent writers; the chain's
    order is the ids')."""
    count, first, last = 0, None, None
    digest = hashlib.sha256()
    with partial.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            if row.at >= before:
                break
            out.write(json.dumps(row.as_record(), ensure_ascii=False, sort_keys=True).encode() + b"\n")
            first = first or row
            last = row
            count += 1
    if not count:
        partial.unlink()
        return None
    with partial.open("rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    return {
        "count": count,
        "first_id": first.pk,
        "last_id": last.pk,
        "first_at": first.as_record()["at"],
        "last_at": last.as_record()["at"],
        "first_previous_hash": first.previous_hash,
        "last_hash": last.hash,
        "sha256": digest.hexdigest(),
    }


def _delete_through_the_guard(*, last_id: int, before: datetime.datetime) -> int:
    """The one deletion the database allows (audit/migrations/0002): this transaction
    names the instant before which it deletes; the database still keeps 180 days."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('hhl.audit_archive_before', %s, true)", [before.isoformat()])
        else:
            cursor.execute(
                "INSERT INTO audit_archive_permit (before) VALUES (%s)",
                [connection.ops.adapt_datetimefield_value(before)],
            )
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [last_id])
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('hhl.audit_archive_before', '', true)")
        else:
            cursor.execute("DELETE FROM audit_archive_permit")
    return deleted


@contextmanager
def _only_one():
    if connection.vendor != "postgresql":
        yield True  # SQLite (the demo): one writer at a time anyway
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ARCHIVE_LOCK])
        alone = cursor.fetchone()[0]
    try:
        yield alone
    finally:
        if alone:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ARCHIVE_LOCK])


def read_archive(path: Path):
    """The rows of an archive file, in order, as unsaved AuditEvents."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield AuditEvent.from_record(json.loads(line))
