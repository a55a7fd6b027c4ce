"""Work whose queue message (or worker) was lost does not wait forever: the hourly job
fails an import still checking or importing, or an export still preparing, past
STALLED_WORK_SECONDS, deletes its file, and its page says why. A worker that was merely
slow and ends after the sweep changes nothing: the user was told it failed."""

import datetime
import os
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from households import exports, ledger, tasks
from households.ledger import imports
from households.models import (
    ExportLog,
    Household,
    LedgerImport,
    LedgerImportStatus,
    PreparedExport,
    PreparedExportStatus,
)
from tests.audit.commits import queued_tasks
from tests.grids.factories import GridUnitFactory, level
from tests.households.ledger_files import ledger_file, sample_ledger

pytestmark = pytest.mark.django_db
LIMIT = datetime.timedelta(seconds=settings.STALLED_WORK_SECONDS)
TIMED_OUT = "超时未完成，请重新上传。"


@pytest.fixture
def buildings(grid):
    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    return ["4栋"]


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


def upload(client, households, members) -> LedgerImport:
    """Upload a ledger as the page does; the worker's check is queued, and not run."""
    response = client.post(
        reverse("households:ledger_upload"), {"unit": "C1", "file": ledger_file(households, members)}
    )
    assert response.status_code == 302
    return LedgerImport.objects.latest("pk")


def later(delta):
    """The clock moved on by ``delta`` from now, standing still."""
    return time_machine.travel(timezone.now() + delta, tick=False)


def page(client, item) -> str:
    return client.get(reverse("households:ledger_import", args=[item.pk])).content.decode()


def test_an_upload_whose_check_never_ran_fails_after_the_limit_and_its_file_goes(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    item = upload(staff_client, *sample_ledger(buildings, 2))
    path = item.file.path

    with later(LIMIT - datetime.timedelta(minutes=1)):
        assert tasks.expire_files() == 0  # slow is not lost
    with later(LIMIT + datetime.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_files() == 1

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED and not item.file and item.finished_at
    assert not os.path.exists(path)
    shown = page(staff_client, item)
    assert TIMED_OUT in shown and 'http-equiv="refresh"' not in shown
    assert not Household.objects.filter(number__startswith="L").exists()


def test_the_uploader_is_told_in_their_own_language(client, people, buildings):
    client.force_login(people.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    item = upload(client, *sample_ledger(buildings, 1))

    with later(LIMIT * 2), translation.override("zh-hans"):  # the worker's language
        tasks.expire_files()

    item.refresh_from_db()
    assert item.errors[0]["message"] == "Not finished in time; upload the file again."


def test_an_import_lost_after_its_confirmation_is_timed_from_the_confirmation(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    item = upload(staff_client, *sample_ledger(buildings, 2))
    tasks.check_ledger(item.pk)
    with later(datetime.timedelta(minutes=50)):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            staff_client.post(reverse("households:ledger_confirm", args=[item.pk]))
        assert len(queued_tasks(queued)) == 1  # and lost
    item.refresh_from_db()
    assert item.status == LedgerImportStatus.IMPORTING

    with later(datetime.timedelta(minutes=50) + LIMIT - datetime.timedelta(minutes=1)):
        assert tasks.expire_files() == 0  # more than the limit since the upload, not since the click
    with later(datetime.timedelta(minutes=50) + LIMIT + datetime.timedelta(minutes=1)):
        assert tasks.expire_files() == 1

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED and not item.file
    assert TIMED_OUT in page(staff_client, item)


@pytest.mark.parametrize("valid", [True, False], ids=["a good file", "a bad file"])
def test_a_check_that_ends_after_the_sweep_leaves_the_upload_failed(
    staff_client, buildings, monkeypatch, django_capture_on_commit_callbacks, valid
):
    households, members = sample_ledger(buildings, 2)
    if not valid:
        households[0]["楼栋"] = "9栋"
    item = upload(staff_client, households, members)
    path = item.file.path
    real_read = imports.read

    def slow_read(*args, **kwargs):
        plan = real_read(*args, **kwargs)
        with later(LIMIT * 2), django_capture_on_commit_callbacks(execute=True):
            assert tasks.expire_files() == 1  # the sweep, while the worker is still at it
        return plan

    monkeypatch.setattr(imports, "read", slow_read)
    tasks.check_ledger(item.pk)

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED, item.errors
    assert item.errors[0]["message"] == TIMED_OUT and not item.file
    assert not os.path.exists(path)
    assert staff_client.post(reverse("households:ledger_confirm", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED  # nothing to confirm


def test_an_import_the_worker_takes_up_after_the_sweep_writes_nothing(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    item = upload(staff_client, *sample_ledger(buildings, 2))
    tasks.check_ledger(item.pk)
    with django_capture_on_commit_callbacks(execute=False):
        staff_client.post(reverse("households:ledger_confirm", args=[item.pk]))
    loaded = LedgerImport.objects.get(pk=item.pk)  # by the worker, which then stalls
    assert loaded.status == LedgerImportStatus.IMPORTING

    with later(LIMIT * 2):
        assert tasks.expire_files() == 1
    imports.import_upload(loaded)

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED and item.errors[0]["message"] == TIMED_OUT
    assert not Household.objects.filter(number__startswith="L").exists()


def test_a_late_workers_own_failure_does_not_replace_the_reason_given(staff_client, buildings, monkeypatch):
    item = upload(staff_client, *sample_ledger(buildings, 1))
    loaded = LedgerImport.objects.get(pk=item.pk)
    with later(LIMIT * 2):
        tasks.expire_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the file is gone")

    monkeypatch.setattr(imports, "read", broken)
    imports.check_upload(loaded)

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.FAILED and item.errors[0]["message"] == TIMED_OUT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: SQLite serialises whole writes")
def test_a_sweep_that_meets_an_import_being_written_waits_and_finds_it_done(
    staff_client, buildings, monkeypatch
):
    for task in (tasks.check_ledger, tasks.import_ledger):  # messages sent to nobody
        monkeypatch.setattr(task, "delay", lambda *args: None)
    item = upload(staff_client, *sample_ledger(buildings, 3, members=1))
    tasks.check_ledger(item.pk)
    staff_client.post(reverse("households:ledger_confirm", args=[item.pk]))
    LedgerImport.objects.filter(pk=item.pk).update(queued_at=timezone.now() - LIMIT * 2)  # and slow
    written, go = threading.Event(), threading.Event()
    real_write = imports.write
    outcome = {}

    def slow_write(plan, **kwargs):
        counts = real_write(plan, **kwargs)
        written.set()
        assert go.wait(30)
        return counts

    monkeypatch.setattr(imports, "write", slow_write)

    def in_thread(name, function):
        def run():
            try:
                outcome[name] = function()
            except Exception as error:  # pragma: no cover - reported below
                outcome[name] = error
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    worker = in_thread("worker", lambda: tasks.import_ledger(item.pk))
    assert written.wait(30)
    sweep = in_thread("sweep", ledger.fail_stalled_imports)
    sweep.join(1)
    assert sweep.is_alive()  # waiting for the worker's lock on the upload
    go.set()
    worker.join(30)
    sweep.join(30)

    assert outcome == {"worker": None, "sweep": 0}
    item.refresh_from_db()
    assert item.status == LedgerImportStatus.DONE and not item.file
    assert Household.objects.filter(number__startswith="L").count() == 3


# -- prepared exports ------------------------------------------------------------------


@pytest.fixture
def large(monkeypatch):
    monkeypatch.setattr("households.export_forms.MAX_HOUSEHOLDS", 1)


def request_export(client, django_capture_on_commit_callbacks) -> PreparedExport:
    today = timezone.localdate()
    form = {"unit": "C1", "kind": "households", "start": today.replace(day=1), "end": today}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("households:export"), form)
    assert response.status_code == 302 and len(queued_tasks(queued)) == 1
    return PreparedExport.objects.latest("pk")


def exported_files() -> list[str]:
    folder = os.path.join(settings.MEDIA_ROOT, "exports")
    return os.listdir(folder) if os.path.isdir(folder) else []


def test_an_export_never_prepared_fails_after_the_limit_and_a_late_worker_keeps_nothing(
    staff_client, large, django_capture_on_commit_callbacks
):
    prepared = request_export(staff_client, django_capture_on_commit_callbacks)
    before = exported_files()

    with later(LIMIT - datetime.timedelta(minutes=1)):
        assert tasks.expire_files() == 0
    with later(LIMIT + datetime.timedelta(minutes=1)):
        assert tasks.expire_files() == 1
    loaded = PreparedExport.objects.get(pk=prepared.pk)
    exports.prepare(loaded)  # the worker, at last

    prepared.refresh_from_db()
    assert prepared.status == PreparedExportStatus.FAILED and prepared.timed_out and not prepared.file
    assert not ExportLog.objects.exists() and exported_files() == before
    shown = staff_client.get(reverse("households:prepared_export", args=[prepared.pk])).content.decode()
    assert "超时未完成，请重新导出。" in shown and 'http-equiv="refresh"' not in shown


def test_an_export_built_while_the_sweep_failed_it_leaves_no_file_and_no_log(
    staff_client, large, monkeypatch, django_capture_on_commit_callbacks
):
    prepared = request_export(staff_client, django_capture_on_commit_callbacks)
    before = exported_files()
    real_write_export = exports.write_export

    def slow_write_export(**kwargs):
        built = real_write_export(**kwargs)
        with later(LIMIT * 2):
            assert tasks.expire_files() == 1
        return built

    monkeypatch.setattr(exports, "write_export", slow_write_export)
    tasks.prepare_export(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.status == PreparedExportStatus.FAILED and prepared.timed_out and not prepared.file
    assert not ExportLog.objects.exists() and exported_files() == before
    assert staff_client.get(reverse("households:download_export", args=[prepared.pk])).status_code == 404
