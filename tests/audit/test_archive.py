"""audit.archive moves rows older than the retention to a gzip file with its manifest,
deletes them through the database's one door, and records ARCHIVED; the chain left in
the database starts where the file ends, and verify_audit checks both."""

import datetime
import gzip
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.events import record
from audit.models import Action, AuditEvent
from audit.tasks import archive
from tests.audit.tamper import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_dir(settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"
    return settings.AUDIT_ARCHIVE_DIR


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def old_and_new():
    with time_machine.travel(days_ago(400)):
        old = [record(Action.LOGIN, username=f"old{i}") for i in range(3)]
    with time_machine.travel(days_ago(181)):
        old.append(record(Action.LOGOUT, username="old3"))
    with time_machine.travel(days_ago(179)):
        new = [record(Action.LOGIN, username="new0")]
    new.append(record(Action.VIEWED, username="new1"))
    return old, new


def verify(*args):
    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_rows_older_than_the_retention_move_to_a_file_and_the_rest_stay(archive_dir, old_and_new):
    old, new = old_and_new

    assert archive() == 4

    path = archive_dir / f"audit-{old[0].pk}-{old[-1].pk}.jsonl.gz"
    with gzip.open(path, "rt") as lines:
        archived = [json.loads(line) for line in lines]
    assert [row["username"] for row in archived] == ["old0", "old1", "old2", "old3"]
    manifest = json.loads((archive_dir / f"{path.name}.manifest.json").read_text())
    assert manifest["count"] == 4
    assert manifest["first_previous_hash"] == old[0].previous_hash
    assert manifest["last_hash"] == old[-1].hash
    assert [e.username for e in AuditEvent.objects.order_by("id")] == ["new0", "new1", ""]
    archived_event = AuditEvent.objects.get(action=Action.ARCHIVED)
    assert archived_event.detail["last_hash"] == old[-1].hash
    assert archived_event.detail["sha256"] == manifest["sha256"]


def test_the_chain_left_starts_where_the_archive_ends_and_both_verify(archive_dir, old_and_new):
    archive()
    assert verify().startswith("The audit chain is sound: 3 rows")
    path = next(archive_dir.glob("*.jsonl.gz"))
    assert verify("--archive", str(path)).startswith("The audit chain is sound: 4 rows")


def test_rows_deleted_after_an_archive_from_the_start_of_what_is_left_are_found(archive_dir, old_and_new):
    _, new = old_and_new
    archive()
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [new[0].pk])
    with pytest.raises(CommandError, match=f"rows are missing before row {new[1].pk}"):
        verify()


def test_an_archive_file_changed_afterwards_fails_to_verify(archive_dir, old_and_new):
    archive()
    path = next(archive_dir.glob("*.jsonl.gz"))
    with gzip.open(path, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    rows[1]["outcome"] = "failed"
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows)
    with pytest.raises(CommandError, match=f"row {rows[1]['id']} was changed"):
        verify("--archive", str(path))


def test_an_archive_file_cut_short_fails_against_its_manifest(archive_dir, old_and_new):
    archive()
    path = next(archive_dir.glob("*.jsonl.gz"))
    with gzip.open(path, "rt") as lines:
        rows = [json.loads(line) for line in lines]
    with gzip.open(path, "wt") as out:
        out.writelines(json.dumps(row) + "\n" for row in rows[:-1])
    with pytest.raises(CommandError, match="does not match its manifest"):
        verify("--archive", str(path))


def test_nothing_old_enough_archives_nothing(archive_dir):
    record(Action.LOGIN, username="new")
    assert archive() == 0
    assert not AuditEvent.objects.filter(action=Action.ARCHIVED).exists()
    assert not list(archive_dir.glob("*.gz"))


def test_a_second_run_finds_nothing_more_and_a_later_archive_chains_on(archive_dir, old_and_new):
    assert archive() == 4
    assert archive() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        # new0 (179 days old) is past the retention now; the first ARCHIVED row not yet.
        assert archive() == 1
        assert verify().startswith("The audit chain is sound: 3 rows")


def test_a_longer_retention_keeps_more(archive_dir, old_and_new, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    assert archive() == 3


def test_a_retention_under_six_months_refuses_to_start():
    from tests.config.test_environment_settings import run_manage

    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.test", AUDIT_RETENTION_DAYS="90")
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS is 90: audit rows must be kept at least 180 days" in result.stderr


def test_the_archive_runs_daily_on_the_scheduler():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="audit.archive", enabled=True).exists()
