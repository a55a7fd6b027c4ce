"""History tables partitioned by month (PostgreSQL's declarative RANGE partitioning).

At a province's scale the follow-ups, visits, notifications and the audit log grow by
millions of rows a year. Partitioned by month, an old month leaves the table as one
``DETACH`` (no DELETE of millions of rows, no vacuum after it), and the queries that name
a time range read only the months in it. SQLite (the demo) keeps plain tables: every
function here does nothing there.

A partitioned table ``t`` keyed by column ``k`` is made of:

- ``t_pYYYY_MM``: the rows whose ``k`` falls in that month;
- ``t_default``: the DEFAULT partition, so that an insert for a month not created yet
  never fails (tests travel in time, a phone sends a visit dated years off). ``maintain``
  moves its rows into their month when it creates the month.

PostgreSQL enforces a unique index on a partitioned table only if it includes the key:
its primary key becomes ``(id, k)`` (ids still come from one sequence, so ``id`` alone
stays unique), a unique constraint that includes the key stays as it is, and one that
cannot include it (one open follow-up per household, whatever its period) is moved to a
``SideUnique``: a small table that is not partitioned, holding the constrained columns of
the rows the constraint applies to, with a unique index of the constraint's own name, kept
by a trigger in the same transaction. A duplicate raises the same IntegrityError (the
index is the constraint's name), and a concurrent duplicate waits on the index and then
fails, as it did. An ``INSERT ... ON CONFLICT DO NOTHING`` (the engine's writes,
``bulk_create(ignore_conflicts=True)``) cannot name an index of another table as its
arbiter: for those the trigger takes the row it has just inserted out again, so the
statement skips it as it did (its row count still counts it).
"""

import dataclasses
import datetime
import re

from django.db import connection, transaction

DEFAULT = "default"


@dataclasses.dataclass(frozen=True)
class SideUnique:
    """A unique constraint the partitioned table cannot hold (it lacks the key)."""

    name: str  # the constraint's (and so the side table's unique index's) name
    columns: tuple[str, ...]
    # The rows it applies to, as SQL over the row ``r`` (``r.status = 'open'``); None: all.
    condition: str | None = None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: datetime.date) -> str:
    return f"{table}_p{month:%Y_%m}"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _is_postgresql(conn) -> bool:
    return conn.vendor == "postgresql"


# --- Converting a table (in a migration) -------------------------------------------------


def convert(
    schema_editor,
    *,
    table: str,
    key: str,
    side: tuple[SideUnique, ...] = (),
    with_key: tuple[str, ...] = (),
    months_ahead: int = 3,
):
    """Make ``table`` partitioned by month of ``key``, with its rows, indexes, constraints,
    triggers and id sequence. For RunPython; does nothing on SQLite, nor on a table that
    is partitioned already.

    Refuses when a foreign key still points into the table (PostgreSQL cannot reference
    a partitioned table by ``id`` alone: make those ``db_constraint=False`` first), and
    when a unique constraint lacks the key and is not named in ``side`` (moved to a side
    table) or ``with_key`` (the key added to it: say in the migration why that is as
    strong). What each was is kept in a comment, for ``revert``."""
    if _is_postgresql(schema_editor.connection) and not _is_partitioned(schema_editor.connection, table):
        _rebuild(schema_editor.connection, table, key, side, with_key, months_ahead=months_ahead)


def revert(schema_editor, *, table: str, key: str, side: tuple[SideUnique, ...] = (), with_key=(), **_):
    """The way back (a migration's reverse): a plain table again, with the constraints it
    had before ``convert``, its side tables dropped."""
    if _is_postgresql(schema_editor.connection) and _is_partitioned(schema_editor.connection, table):
        _rebuild(schema_editor.connection, table, key, side, with_key, months_ahead=None)


def _is_partitioned(conn, table: str) -> bool:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)", [table]
        )
        return cursor.fetchone()[0]


def _rebuild(conn, table, key, side, with_key, *, months_ahead):
    """Copy ``table`` into a new one, partitioned (``months_ahead`` given) or plain."""
    partitioning = months_ahead is not None
    old = f"{table}_unpartitioned" if partitioning else f"{table}_partitioned"
    side_names = {s.name for s in side}
    with conn.cursor() as cursor:
        # Before anything is read: a row committed between reading max(id) and the rename
        # would be copied while the sequence was set below it, and its id handed out again.
        cursor.execute(f"LOCK TABLE {_quote(table)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE confrelid = %s::regclass",
            [table],
        )
        if pointing := cursor.fetchall():
            raise RuntimeError(f"foreign keys point into {table}: {pointing}")
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM " + _quote(table) + ")", [table]
        )
        sequence, max_id = cursor.fetchone()
        # What to build again on the new table, read before the names are freed.
        cursor.execute(
            """SELECT c.conname, c.contype, pg_get_constraintdef(c.oid),
                      obj_description(c.oid, 'pg_constraint')
               FROM pg_constraint c
               WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u', 'f') AND c.conparentid = 0""",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """SELECT ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
               WHERE i.indrelid = %s::regclass
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            [table],
        )
        indexes = cursor.fetchall()
        sides = {s.name: side_table(table, s) for s in side}
        keeping = {
            f"{name}{end}" for name in sides.values() for end in ("_keep", "_keep_update", "_keep_delete")
        }
        keeping |= {f"{name}_truncate" for name in sides.values()}
        cursor.execute(
            """SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
               WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgparentid = 0""",
            [table],
        )
        triggers = [definition for name, definition in cursor.fetchall() if name not in keeping]
        originals = {}
        if not partitioning:
            for name, side_name in sides.items():
                cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [side_name])
                originals[name] = cursor.fetchone()[0]
        cursor.execute("SELECT min(" + _quote(key) + ") FROM " + _quote(table))
        first = cursor.fetchone()[0]

        cursor.execute(f"ALTER TABLE {_quote(table)} RENAME TO {_quote(old)}")
        if sequence:
            cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_quote(old + '_id_seq')}")
        cursor.execute(
            f"""CREATE TABLE {_quote(table)} (LIKE {_quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY
                INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING STORAGE)"""
            + (f" PARTITION BY RANGE ({_quote(key)})" if partitioning else "")
        )
        if partitioning:
            cursor.execute(
                f"CREATE TABLE {_quote(table + '_' + DEFAULT)} PARTITION OF {_quote(table)} DEFAULT"
            )
            today = datetime.date.today()
            start = month_start(_as_date(first) or today)
            for month in _months(
                min(start, month_start(today)), add_months(month_start(today), months_ahead)
            ):
                _create_month(cursor, table, month)
        cursor.execute(f"INSERT INTO {_quote(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_quote(old)}")
        # The old table goes with its indexes' names (and its months), which the new ones take.
        cursor.execute(f"DROP TABLE {_quote(old)} CASCADE")
        for side_name in sides.values():
            cursor.execute(f"DROP TABLE IF EXISTS {_quote(side_name)}")
            for function in (f"{side_name}_keep", f"{side_name}_truncate"):
                cursor.execute(f"DROP FUNCTION IF EXISTS {_quote(function)}()")
        if sequence:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
                [table, max_id or 1, max_id is not None],
            )
        kept = []  # (name, what it was) of the constraints and indexes that moved
        for name, kind, definition, comment in constraints:
            was = f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
            if kind == "p":
                definition = f"PRIMARY KEY (id, {_quote(key)})" if partitioning else "PRIMARY KEY (id)"
            elif not partitioning and (comment or name in with_key):
                # What it was before convert (or, without the note, the same less the key).
                definition = comment or re.sub(
                    rf",\s*{re.escape(_quote(key))}\)$|,\s*{re.escape(key)}\)$", ")", definition
                )
            elif kind == "u" and name in side_names:
                kept.append((name, was))
                continue
            elif kind == "u" and name in with_key:
                cursor.execute(
                    f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} "
                    + definition[: definition.rindex(")")]
                    + f", {_quote(key)})"
                )
                cursor.execute(f"COMMENT ON CONSTRAINT {_quote(name)} ON {_quote(table)} IS %s", [definition])
                continue
            elif kind == "u" and not _names_column(definition, key):
                raise RuntimeError(f"{table}.{name} lacks the partition key {key}: name it in side")
            cursor.execute(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
        for name, definition, unique in indexes:
            definition = _on_table(definition, old, table)
            if name in side_names:
                kept.append((name, definition))
                continue
            if unique and partitioning and not _names_column(definition.split(" USING ", 1)[1], key):
                raise RuntimeError(f"{table}.{name} lacks the partition key {key}: name it in side")
            cursor.execute(definition)
        for definition in triggers:
            cursor.execute(_on_table(definition, old, table))
        if partitioning:
            for constraint in side:
                _create_side(cursor, table, key, constraint, recheck=len(side) > 1)
            for name, was in kept:
                cursor.execute(f"COMMENT ON TABLE {_quote(sides[name])} IS %s", [was])
        else:
            for constraint in side:
                if originals.get(constraint.name):
                    cursor.execute(originals[constraint.name])
                else:  # converted without the note: the same rule, as a unique index
                    where = f" WHERE {constraint.condition.replace('r.', '')}" if constraint.condition else ""
                    columns = ", ".join(_quote(c) for c in constraint.columns)
                    cursor.execute(
                        f"CREATE UNIQUE INDEX {_quote(constraint.name)} ON {_quote(table)} ({columns}){where}"
                    )
        cursor.execute(f"ANALYZE {_quote(table)}")


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.astimezone(LOCAL).date()
    return value


def _months(first: datetime.date, last: datetime.date):
    month = first
    while month <= last:
        yield month
        month = add_months(month, 1)


def _names_column(definition: str, column: str) -> bool:
    columns = definition[definition.index("(") + 1 : definition.index(")")]
    return column in [c.strip().strip('"').split(" ")[0] for c in columns.split(",")]


def _on_table(definition: str, old: str, table: str) -> str:
    """An index's or trigger's definition, read before the rename, for the new table (an
    index of a partitioned table reads ``ON ONLY``: the new one recurses, or is plain)."""
    return re.sub(r"\bON ONLY\b", "ON", definition, count=1)


# A month is the project's (Asia/Shanghai, which keeps no summer time): a timestamp key's
# bounds are its local midnights, whatever the session's time zone.
LOCAL = datetime.timezone(datetime.timedelta(hours=8))


def _bounds(cursor, table: str, month: datetime.date) -> tuple:
    """The month's bounds as values of the key's type."""
    cursor.execute(
        """SELECT t.typname FROM pg_partitioned_table p
           JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
           JOIN pg_type t ON t.oid = a.atttypid WHERE p.partrelid = %s::regclass""",
        [table],
    )
    after = add_months(month, 1)
    if cursor.fetchone()[0] == "date":
        return month, after
    return tuple(datetime.datetime.combine(d, datetime.time(), LOCAL) for d in (month, after))


def _create_month(cursor, table: str, month: datetime.date):
    low, high = _bounds(cursor, table, month)
    cursor.execute(
        f"CREATE TABLE {_quote(partition_name(table, month))} PARTITION OF {_quote(table)} "
        f"FOR VALUES FROM ('{low.isoformat()}') TO ('{high.isoformat()}')"
    )


# --- Uniqueness the partitioned table cannot hold ----------------------------------------


def side_table(table: str, constraint: SideUnique) -> str:
    return f"{table}_{constraint.name}"


# What an INSERT statement says when it skips a duplicate: ``ON CONFLICT DO NOTHING``, as
# Django's bulk_create(ignore_conflicts=True) and the engine write it, or with a conflict
# target (``ON CONFLICT (household_id, period_start, period_end) WHERE status <> 'cancelled'
# DO NOTHING``, ``ON CONFLICT ON CONSTRAINT name DO NOTHING``). A trigger cannot ask the
# executor how the statement ends: the statement's text is what it has.
ON_CONFLICT_DO_NOTHING = (
    r"on\s+conflict\s*(\([^)]*\)\s*(where\s+[^;]*?)?|on\s+constraint\s+\S+\s+)?do\s+nothing"
)


def _holds(constraint: SideUnique, row: str) -> str:
    """SQL: whether the constraint applies to ``row`` (NEW, OLD)."""
    return f"({constraint.condition.replace('r.', row + '.')})" if constraint.condition else "true"


def _values(constraint: SideUnique, row: str) -> str:
    return ", ".join(f"{row}.{_quote(c)}" for c in constraint.columns)


def _keep_function(cursor, table: str, key: str, constraint: SideUnique, *, recheck: bool):
    """The trigger function that keeps ``constraint``'s side table. With ``recheck`` (a
    table with more than one side table) it first asks whether the row is still there: a
    duplicate skipped under ON CONFLICT DO NOTHING by one side table's trigger is deleted
    before the next side table's trigger, already queued for it, runs."""
    side = side_table(table, constraint)
    columns = ", ".join(_quote(c) for c in constraint.columns)

    gone = ""
    if recheck:
        gone = f"""
                IF TG_OP = 'INSERT' AND NOT EXISTS (
                    SELECT 1 FROM {_quote(table)} WHERE id = NEW.id AND {_quote(key)} = NEW.{_quote(key)}
                ) THEN
                    RETURN NULL;
                END IF;"""
    applies_old, applies_new = _holds(constraint, "OLD"), _holds(constraint, "NEW")
    old, new = _values(constraint, "OLD"), _values(constraint, "NEW")
    function = _quote(f"{side}_keep")
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND {applies_old} AND {applies_new} AND OLD.id = NEW.id
               AND ({old}) IS NOT DISTINCT FROM ({new}) THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                DELETE FROM {_quote(side)} WHERE row_id = OLD.id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND {applies_new} THEN{gone}
                -- Waits, as the index of the table itself did, for a transaction that holds
                -- the same values, and finds them once it commits.
                INSERT INTO {_quote(side)} (row_id, {columns}) VALUES (NEW.id, {new})
                    ON CONFLICT DO NOTHING;
                -- Already there under its own id: the row is being moved between
                -- partitions (``maintain``), not duplicated.
                IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM {_quote(side)} WHERE row_id = NEW.id) THEN
                    IF TG_OP = 'INSERT' AND current_query() ~* {_literal(ON_CONFLICT_DO_NOTHING)} THEN
                        DELETE FROM {_quote(table)} WHERE id = NEW.id AND {_quote(key)} = NEW.{_quote(key)};
                        RETURN NULL;
                    END IF;
                    RAISE unique_violation USING
                        MESSAGE = 'duplicate key value violates unique constraint "{constraint.name}"',
                        CONSTRAINT = '{constraint.name}', TABLE = '{table}';
                END IF;
            END IF;
            RETURN NULL;
        END $$
        """
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def refresh_side_functions(schema_editor, *, table: str, key: str, side: tuple[SideUnique, ...]):
    """Write the side tables' trigger functions of ``table`` again, as ``convert`` now
    writes them (for a migration after a change here); nothing on SQLite or a table that
    is not partitioned."""
    conn = schema_editor.connection
    if _is_postgresql(conn) and _is_partitioned(conn, table):
        with conn.cursor() as cursor:
            for constraint in side:
                _keep_function(cursor, table, key, constraint, recheck=len(side) > 1)


def _create_side(cursor, table: str, key: str, constraint: SideUnique, *, recheck: bool):
    side = side_table(table, constraint)
    cursor.execute(
        """SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
           WHERE attrelid = %s::regclass AND attname = ANY(%s) AND NOT attisdropped""",
        [table, list(constraint.columns)],
    )
    types = dict(cursor.fetchall())
    columns = ", ".join(_quote(c) for c in constraint.columns)
    cursor.execute(
        f"CREATE TABLE {_quote(side)} (row_id bigint PRIMARY KEY, "
        + ", ".join(f"{_quote(c)} {types[c]}" for c in constraint.columns)
        + ")"
    )
    cursor.execute(f"CREATE UNIQUE INDEX {_quote(constraint.name)} ON {_quote(side)} ({columns})")
    _keep_function(cursor, table, key, constraint, recheck=recheck)
    function = _quote(f"{side}_keep")

    # The WHEN clauses spare the function call for the rows the constraint is not about
    # (a follow-up written done or missed, an update of an open one's assignee).
    applies_old, applies_new = _holds(constraint, "OLD"), _holds(constraint, "NEW")
    old, new = _values(constraint, "OLD"), _values(constraint, "NEW")
    unchanged = f"{applies_old} AND {applies_new} AND ({old}) IS NOT DISTINCT FROM ({new})"
    for event, when in [
        ("INSERT", applies_new),
        ("UPDATE", f"({applies_old} OR {applies_new}) AND NOT ({unchanged})"),
        ("DELETE", applies_old),
    ]:
        name = _quote(f"{side}_keep" + ("" if event == "INSERT" else f"_{event.lower()}"))
        cursor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {_quote(table)} "
            f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {function}()"
        )
    # A TRUNCATE (the test suite's flush, the bench) fires no row trigger.
    truncate = _quote(f"{side}_truncate")
    cursor.execute(
        f"""CREATE FUNCTION {truncate}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN TRUNCATE {_quote(side)}; RETURN NULL; END $$"""
    )
    cursor.execute(
        f"CREATE TRIGGER {truncate} AFTER TRUNCATE ON {_quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {truncate}()"
    )
    cond = f"WHERE {constraint.condition}" if constraint.condition else ""
    cursor.execute(
        f"INSERT INTO {_quote(side)} (row_id, {columns}) SELECT r.id, "
        + ", ".join(f"r.{_quote(c)}" for c in constraint.columns)
        + f" FROM {_quote(table)} r {cond}"
    )


# --- Months ahead, and old months out ----------------------------------------------------


def partitioned_tables() -> dict[str, str]:
    """Every table partitioned here, with its key column."""
    if not _is_postgresql(connection):
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, a.attname FROM pg_partitioned_table p
               JOIN pg_class c ON c.oid = p.partrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
               ORDER BY c.relname"""
        )
        return dict(cursor.fetchall())


def months_of(table: str) -> list[datetime.date]:
    """The months attached to ``table``, oldest first (not its DEFAULT partition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = %s::regclass""",
            [table],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{table}_p"
    return sorted(
        datetime.date(int(n[len(prefix) :][:4]), int(n[len(prefix) :][5:7]), 1)
        for n in names
        if n.startswith(prefix)
    )


def create_months(
    table: str, key: str, through: datetime.date, *, since: datetime.date | None = None
) -> list[datetime.date]:
    """Create the months of ``table`` up to the one of ``through`` (from ``since``, or the
    month after its last one) that do not exist yet; rows already in DEFAULT for them move
    in. Safe to run twice or concurrently (the second waits for the first's lock, then
    finds the months there)."""
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Making a month locks the table against every reader for a moment, after those
        # already in it: a long report would queue the pages behind this job. Better to
        # give up and be retried (the task retries on DatabaseError), months ahead of need.
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        # Taken first, so that two runs do not both decide a month is missing.
        cursor.execute(f"LOCK TABLE {_quote(table)} IN SHARE UPDATE EXCLUSIVE MODE")
        existing = set(months_of(table))
        first = since or (add_months(max(existing), 1) if existing else month_start(through))
        missing = [m for m in _months(month_start(first), month_start(through)) if m not in existing]
        if not missing:
            return created
        default = _quote(f"{table}_{DEFAULT}")
        waiting = []
        for month in missing:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {_quote(key)} >= %s AND {_quote(key)} < %s)",
                _bounds(cursor, table, month),
            )
            (waiting if cursor.fetchone()[0] else created).append(month)
        for month in created:
            _create_month(cursor, table, month)
        if waiting:
            _move_out_of_default(cursor, table, waiting)
            created += waiting
    return sorted(created)


def _move_out_of_default(cursor, table: str, months: list[datetime.date]):
    """A month cannot be attached while DEFAULT holds rows of it. DEFAULT is taken off
    (rows and all), the months and a new DEFAULT are created, and its rows inserted
    again, each into its partition: an insert, not a DELETE (which the audit log's
    guard refuses, rightly), under the same ids (the side tables know them already)."""
    default = f"{table}_{DEFAULT}"
    moving = f"{table}_moving"
    cursor.execute(f"ALTER TABLE {_quote(table)} DETACH PARTITION {_quote(default)}")
    cursor.execute(f"ALTER TABLE {_quote(default)} RENAME TO {_quote(moving)}")
    for month in months:
        _create_month(cursor, table, month)
    cursor.execute(f"CREATE TABLE {_quote(default)} PARTITION OF {_quote(table)} DEFAULT")
    cursor.execute(f"INSERT INTO {_quote(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_quote(moving)}")
    cursor.execute(f"DROP TABLE {_quote(moving)}")


def detach_before(table: str, month: datetime.date) -> list[str]:
    """Detach the months of ``table`` before ``month``: each stays a table of its own
    (``<table>_pYYYY_MM``, readable, to be dumped and dropped by whoever archives it),
    gone from ``table``. Their rows leave the side tables' uniqueness with them."""
    detached = []
    for old in [m for m in months_of(table) if m < month]:
        name = partition_name(table, old)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '10s'")  # as in create_months
            cursor.execute(f"ALTER TABLE {_quote(table)} DETACH PARTITION {_quote(name)}")
            for side in _side_tables(cursor, table):
                cursor.execute(f"DELETE FROM {_quote(side)} WHERE row_id IN (SELECT id FROM {_quote(name)})")
        detached.append(name)
    return detached


def drop_empty_before(table: str, month: datetime.date) -> list[str]:
    """Drop the months of ``table`` before ``month`` that hold no row (the audit log's,
    once ``audit.archive`` has moved their rows to files)."""
    dropped = []
    for old in [m for m in months_of(table) if m < month]:
        name = partition_name(table, old)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(name)})")
            if cursor.fetchone()[0]:
                continue
            cursor.execute(f"ALTER TABLE {_quote(table)} DETACH PARTITION {_quote(name)}")
            cursor.execute(f"DROP TABLE {_quote(name)}")
        dropped.append(name)
    return dropped


def _side_tables(cursor, table: str) -> list[str]:
    """Found by their triggers on ``table`` (``<side>_keep``)."""
    cursor.execute(
        "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
        [table, r"%\_keep"],
    )
    return [name.removesuffix("_keep") for (name,) in cursor.fetchall()]


def maintain(today: datetime.date, *, ahead: int, attached: int = 0, kept: tuple[str, ...] = ()) -> dict:
    """The periodic job's work: every partitioned table gets its months through ``ahead``
    months after ``today``'s; with ``attached``, each table but those ``kept`` keeps that
    many months before today's attached and detaches older ones. Safe to run twice."""
    done = {}
    this_month = month_start(today)
    for table, key in partitioned_tables().items():
        created = create_months(table, key, add_months(this_month, ahead), since=this_month)
        detached = []
        if attached and table not in kept:
            detached = detach_before(table, add_months(this_month, -attached))
        done[table] = {"created": [f"{m:%Y-%m}" for m in created], "detached": detached}
    return done
