"""The history tables are partitioned by month on PostgreSQL (common.partitions): a row
for a month not made yet waits in DEFAULT and moves into its month when the daily job
makes it; the job can run twice; old months leave the table as tables of their own; and
the audit log drops the months its archive has emptied."""

import datetime

import pytest
import time_machine
from django.db import connection

from audit.events import record
from audit.models import Action, AuditEvent
from audit.verify import verify_database
from common import partitions
from config.partitions import maintain

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite (the demo) keeps plain tables"),
]

AUDIT = "audit_auditevent"


def where(table, pk):
    """The partition a row is in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row and row[0]


def partitioned():
    with connection.cursor() as cursor:
        cursor.execute("SELECT partrelid::regclass::text FROM pg_partitioned_table")
        return {name for (name,) in cursor.fetchall()}


def test_the_history_tables_are_partitioned_by_month():
    assert AUDIT in partitioned()
    assert partitions.partitioned_tables()[AUDIT] == "at"


def test_a_row_for_a_month_not_made_yet_waits_in_default_and_moves_when_its_month_is_made():
    with time_machine.travel(datetime.datetime(2031, 5, 9, 12, tzinfo=datetime.UTC)):
        event = record(Action.LOGIN, username="far ahead")
    assert where(AUDIT, event.pk) == f"{AUDIT}_default"

    done = maintain(datetime.date(2031, 3, 2))

    assert done[AUDIT]["created"] == ["2031-03", "2031-04", "2031-05", "2031-06"]
    assert where(AUDIT, event.pk) == f"{AUDIT}_p2031_05"
    assert AuditEvent.objects.get(pk=event.pk).username == "far ahead"
    assert AuditEvent.objects.filter(at__year=2031).count() == 1


def test_the_job_run_twice_makes_nothing_the_second_time():
    first = maintain(datetime.date(2032, 1, 15))
    again = maintain(datetime.date(2032, 1, 15))

    assert first[AUDIT]["created"] == ["2032-01", "2032-02", "2032-03", "2032-04"]
    assert again[AUDIT] == {"created": [], "detached": []}


def test_a_month_is_the_local_month():
    """Midnight in Asia/Shanghai on the 1st is 16:00 UTC the day before."""
    maintain(datetime.date(2033, 2, 1))
    with time_machine.travel(datetime.datetime(2033, 2, 28, 16, 30, tzinfo=datetime.UTC)):
        march = record(Action.LOGIN, username="half past midnight, 1 March, local")

    assert where(AUDIT, march.pk) == f"{AUDIT}_p2033_03"


def test_the_audit_chain_holds_across_months_and_a_move_out_of_default():
    events = []
    for day in [datetime.date(2034, 1, 5), datetime.date(2034, 2, 5), datetime.date(2034, 3, 5)]:
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), datetime.UTC)):
            events.append(record(Action.LOGIN, username=str(day)))
    maintain(datetime.date(2034, 1, 1))

    assert [where(AUDIT, e.pk) for e in events] == [f"{AUDIT}_p2034_{m:02}" for m in (1, 2, 3)]
    count, _ = verify_database()
    assert count == AuditEvent.objects.count()


def test_the_audit_guard_still_refuses_changes_in_every_month():
    from django.db import DatabaseError, transaction

    maintain(datetime.date(2035, 1, 1))
    with time_machine.travel(datetime.datetime(2035, 1, 9, 12, tzinfo=datetime.UTC)):
        event = record(Action.LOGIN, username="kept")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AUDIT}_p2035_01 SET username = 'changed' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AUDIT} WHERE id = %s", [event.pk])


def test_ids_go_on_from_one_sequence_across_months():
    with time_machine.travel(datetime.datetime(2036, 1, 9, 12, tzinfo=datetime.UTC)):
        first = record(Action.LOGIN, username="a")
    second = record(Action.LOGIN, username="b")

    assert second.pk > first.pk


def test_the_audit_archive_drops_the_months_it_has_emptied(settings, tmp_path):
    from audit.archive import archive

    settings.AUDIT_ARCHIVE_DIR = tmp_path
    partitions.create_months(AUDIT, "at", datetime.date(2025, 6, 1), since=datetime.date(2025, 4, 1))
    for day in [datetime.date(2025, 4, 10), datetime.date(2025, 6, 10)]:
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), datetime.UTC)):
            record(Action.LOGIN, username=str(day))

    archive()

    assert not {datetime.date(2025, m, 1) for m in (4, 5, 6)} & set(partitions.months_of(AUDIT))
    assert not AuditEvent.objects.filter(at__year=2025).exists()
