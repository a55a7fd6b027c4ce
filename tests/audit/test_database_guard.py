"""The database refuses to change or delete audit rows, whoever asks; the ORM refuses
first. Only the archive's own deletion of rows older than the retention passes."""

import datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.archive import _delete_through_the_guard
from audit.events import record
from audit.models import Action, AuditEvent, Outcome

pytestmark = pytest.mark.django_db


def refused(sql, params=()):
    with (
        pytest.raises(DatabaseError, match="audit rows are never"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_a_raw_update_of_an_audit_row_is_refused_by_the_database():
    event = record(Action.LOGIN, username="nobody", outcome=Outcome.FAILED)
    refused("UPDATE audit_auditevent SET outcome = 'ok' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.FAILED


def test_a_raw_delete_of_an_audit_row_is_refused_by_the_database():
    event = record(Action.LOGIN, username="nobody", outcome=Outcome.FAILED)
    refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no TRUNCATE")
def test_truncating_the_audit_table_is_refused_by_the_database():
    record(Action.LOGIN, username="nobody")
    refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.exists()


def test_the_orms_public_paths_refuse_to_change_or_delete_a_row():
    event = record(Action.LOGIN, username="nobody", outcome=Outcome.FAILED)
    event.outcome = Outcome.OK
    for attempt in (
        event.save,
        event.delete,
        lambda: AuditEvent.objects.filter(pk=event.pk).update(outcome=Outcome.OK),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.bulk_update([event], ["outcome"]),
    ):
        with pytest.raises(TypeError, match="never"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.FAILED


def test_the_database_refuses_what_gets_past_the_orms_refusals():
    event = record(Action.LOGIN, username="nobody", outcome=Outcome.FAILED)
    plain = AuditEvent._base_manager  # a plain QuerySet, without the audit log's refusals
    with pytest.raises(DatabaseError), transaction.atomic():
        plain.filter(pk=event.pk).update(outcome=Outcome.OK)
    with pytest.raises(DatabaseError), transaction.atomic():
        plain.filter(pk=event.pk)._raw_delete(connection.alias)
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.FAILED


def test_even_the_archives_door_keeps_rows_younger_than_180_days():
    young = record(Action.LOGIN, username="nobody")
    with pytest.raises(DatabaseError), transaction.atomic():
        _delete_through_the_guard(last_id=young.pk, before=timezone.now() + datetime.timedelta(days=1))
    assert AuditEvent.objects.filter(pk=young.pk).exists()


def test_an_old_row_is_deleted_only_through_the_archives_door():
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400)):
        old = record(Action.LOGIN, username="nobody")
    refused("DELETE FROM audit_auditevent WHERE id = %s", [old.pk])
    with transaction.atomic():
        assert (
            _delete_through_the_guard(last_id=old.pk, before=timezone.now() - datetime.timedelta(days=180))
            == 1
        )
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    # The door closes with its transaction: the next row stays.
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400)):
        older = record(Action.LOGIN, username="nobody")
    refused("DELETE FROM audit_auditevent WHERE id = %s", [older.pk])


@pytest.mark.django_db(transaction=True)
def test_the_suites_flush_after_a_transactional_test_lifts_the_guard_for_itself_only():
    # The flush that ends this test deletes this row (tests/conftest.py lifts the guard
    # for it); the next test finds the guard standing again.
    record(Action.LOGIN, username="nobody")
    assert AuditEvent.objects.count() == 1


def test_the_guard_stands_after_a_flush():
    assert not AuditEvent.objects.exists()
    event = record(Action.LOGIN, username="nobody")
    refused("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
