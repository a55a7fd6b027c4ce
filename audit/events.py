"""Writing the audit log: ``record(Action.VIEWED, request=request, target=member)``."""

import hashlib
import hmac

from django.db import connection, models, transaction

from audit.models import GENESIS, Action, AuditEvent, Outcome, audit_key
from common import http

# One writer at a time extends the chain (PostgreSQL: a transaction-level advisory lock;
# SQLite writes one at a time anyway), held for one SELECT and one INSERT.
CHAIN_LOCK = 0x68686C_617564  # "hhl" "aud"

# The reads every card and every API response records commit without waiting for the disk
# to flush (PostgreSQL's synchronous_commit off, for their own transaction only): the wait
# was two thirds of a row's cost (2.5 of ~4 ms on the bench's database, the lock, the last
# hash and the insert ~0.3 ms each; make bench's "audit" line prints a row's cost) and,
# since it came while the chain's lock was held, it also capped how many rows a second
# the whole site could add. What it risks is bounded and visible: a server crash can lose
# the last fraction of a second of such rows (3 x wal_writer_delay at most), never corrupt
# or reorder the chain, and the next synchronous commit (a login, a reveal, an export,
# any change) flushes every row before it. Everything else waits for the disk as before.
ASYNC_COMMIT = frozenset({"viewed", "api_read"})


def client_address(request) -> str | None:
    """The client's address (common.http.client_address), None without a request or when
    it cannot be told."""
    if request is None:
        return None
    return http.client_address(request) or None


def label(target) -> str:
    model = target if isinstance(target, type) else type(target)
    return model._meta.label_lower if issubclass(model, models.Model) else str(target)


def record(
    action: Action,
    *,
    request=None,
    user=None,
    username: str = "",
    target=None,
    ids=(),
    outcome: Outcome = Outcome.OK,
    detail: dict | None = None,
) -> AuditEvent:
    """Add one row to the audit log and chain it to the one before.

    ``target`` is a model instance (its id is taken) or a model class with ``ids``;
    ``detail`` holds what else an auditor needs (a reveal's reason, a search's kind, the
    fields read), never a resident ID or phone number.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if target is not None and not isinstance(target, type) and isinstance(target, models.Model):
        ids = [target.pk, *ids]
    ids = list(ids)
    event = AuditEvent(
        user_id=user.pk if user is not None else None,
        username=user.get_username() if user is not None else username,
        address=client_address(request),
        action=action,
        target_type=label(target) if target is not None else "",
        target_ids=list(ids),
        target_id=str(ids[0]) if ids else "",
        outcome=outcome,
        detail=detail or {},
    )
    # Inside the caller's transaction when there is one: a row for an action that rolls
    # back goes with it. Refusals are recorded outside the refused action's atomic block.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if own_transaction and action in ASYNC_COMMIT and outcome == Outcome.OK:
                    # SET LOCAL, in the same round trip as the lock.
                    cursor.execute(
                        "SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(%s)",
                        [CHAIN_LOCK],
                    )
                else:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        # A statement after the lock's: under READ COMMITTED it sees the row of the writer
        # that held the lock before. Raw SQL: the ORM's queryset cost a third of a millisecond.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT hash FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1")
            last = cursor.fetchone()
        event.previous_hash = last[0] if last else GENESIS
        event.hash = expected_hash(event)
        event.save(force_insert=True)
    return event


def expected_hash(event: AuditEvent) -> str:
    return hmac.new(audit_key(), event.canonical(), hashlib.sha256).hexdigest()
