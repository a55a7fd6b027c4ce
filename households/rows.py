"""Writing many rows fast, for demo data and benchmarks.

On PostgreSQL rows go in with ``COPY``, which is several times faster than
``bulk_create`` (no model instances, no per-value preparation); elsewhere (the embedded
SQLite) through ``bulk_create``. Ids are taken up front, so that child rows can point at
their parents without reading anything back.
"""

from django.db import connection
from django.utils import timezone

from common.fields import BlindIndexField, EncryptedResidentIdField


def _as_stored(model, columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """COPY writes values as given, past the fields: encrypt what an encrypted field would,
    and add the digest its blind index would compute (what save() and bulk_create do)."""
    by_column = {f.column: f for f in model._meta.concrete_fields}
    encrypted = [i for i, c in enumerate(columns) if isinstance(by_column.get(c), EncryptedResidentIdField)]
    digests = [
        (f, columns.index(model._meta.get_field(f.source).column))
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField)
        and f.column not in columns
        and model._meta.get_field(f.source).column in columns
    ]
    if not encrypted and not digests:
        return columns, rows
    stored = []
    for row in rows:
        values = list(row)
        for field, source in digests:
            values.append(field.digest_of(row[source]))
        for i in encrypted:
            values[i] = by_column[columns[i]].get_db_prep_save(row[i], connection)
        stored.append(tuple(values))
    return columns + [f.column for f, _source in digests], stored


def _stamped(model, columns: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
    """COPY knows no auto_now: the times save() and bulk_create would set, set here."""
    stamps = [
        f.column
        for f in model._meta.concrete_fields
        if (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)) and f.column not in columns
    ]
    if not stamps:
        return columns, rows
    now = (timezone.now(),) * len(stamps)
    return columns + stamps, [tuple(row) + now for row in rows]


class RowWriter:
    batch_size = 2000

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self._next_id = {}

    def allocate_ids(self, model, count: int) -> list[int]:
        table = model._meta.db_table
        if self.copy:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
        if table not in self._next_id:
            with connection.cursor() as cursor:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
                self._next_id[table] = cursor.fetchone()[0]
        first = self._next_id[table]
        self._next_id[table] = first + count
        return list(range(first, first + count))

    def insert(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.copy:
            columns, rows = _stamped(model, columns, rows)
            columns, rows = _as_stored(model, columns, rows)
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        attnames = {f.column: f.attname for f in model._meta.concrete_fields}
        fields = [attnames[c] for c in columns]
        model.objects.bulk_create(
            [model(**dict(zip(fields, row))) for row in rows], batch_size=self.batch_size
        )
