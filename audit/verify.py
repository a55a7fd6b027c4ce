"""Checking the chain: each row's keyed hash matches its content, and each row names the
hash of the row before it. A row edited behind the application's back fails the first
test; a row deleted from the middle fails the second at the row after it."""

from collections.abc import Iterable, Iterator

from audit.events import expected_hash
from audit.models import GENESIS, Action, AuditEvent

BATCH = 5000


class ChainBroken(Exception):
    pass


def walk(rows: Iterable[AuditEvent], *, start: str) -> tuple[int, str]:
    """(how many rows, the last hash) of a sound chain beginning after ``start``; else
    ChainBroken naming the first row where it breaks."""
    previous, count = start, 0
    for row in rows:
        if expected_hash(row) != row.hash:
            raise ChainBroken(
                f"row {row.pk} was changed after it was written: its hash does not match its content"
            )
        if row.previous_hash != previous:
            raise ChainBroken(
                f"rows are missing before row {row.pk}: it follows {row.previous_hash[:16]}…, "
                f"but the row before it is {previous[:16]}…"
            )
        previous = row.hash
        count += 1
    return count, previous


def anchor() -> str:
    """Where the chain in the database starts: after the rows the latest archive moved
    out (its ARCHIVED row, itself in the chain, names the last one), else at the start.
    Deleting the first rows leaves the next one naming a hash that is neither."""
    archived = (
        AuditEvent.objects.filter(action=Action.ARCHIVED)
        .order_by("-id")
        .values_list("detail", flat=True)
        .first()
    )
    return archived["last_hash"] if archived else GENESIS


def in_batches(batch: int = BATCH) -> Iterator[AuditEvent]:
    """Every row in chain order, a batch at a time by id (keyset, no long-open cursor):
    constant memory at ten million rows."""
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def verify_database(*, batch: int = BATCH) -> tuple[int, str]:
    return walk(in_batches(batch), start=anchor())
