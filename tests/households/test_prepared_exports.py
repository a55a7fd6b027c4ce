"""An export too large for a request is prepared by the worker: its requester follows it,
downloads it within a day, and nobody else ever sees it. The worker's task runs here in
the test's process, as the worker would run it once the request is saved."""

import datetime
import io
import os

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from households import tasks
from households.models import ExportLog, PreparedExport, PreparedExportStatus
from tests.audit.commits import queued_tasks
from tests.grids.factories import community_staff
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
EXPORT = reverse("households:export")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def small_limit(monkeypatch):
    monkeypatch.setattr("households.export_forms.MAX_HOUSEHOLDS", 1)
    with time_machine.travel(at(datetime.date(2026, 3, 20), 10), tick=False):
        yield


def request_large_export(client, django_capture_on_commit_callbacks, **form):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(EXPORT, {"unit": "C1", "kind": "households", **MARCH, **form})
    prepared = PreparedExport.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse(
        "households:prepared_export", args=[prepared.pk]
    )
    assert len(queued_tasks(queued)) == 1  # the worker is asked once the request is saved
    return prepared


def test_a_large_unit_is_prepared_by_the_worker_and_downloaded_by_its_requester(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people.staff)
    prepared = request_large_export(client, django_capture_on_commit_callbacks)
    page = reverse("households:prepared_export", args=[prepared.pk])

    waiting = client.get(page).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in waiting and "正在准备文件" in waiting
    assert not ExportLog.objects.exists()  # nothing has left yet

    tasks.prepare_export(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.status == PreparedExportStatus.READY and prepared.file
    log = prepared.log
    assert (log.kind, log.unit.code, log.exported_by, log.rows) == ("households", "C1", people.staff, 2 + 0)
    ready = client.get(page).content.decode()
    assert "文件已准备好：2 行" in ready and "refresh" not in ready
    download = client.get(reverse("households:download_export", args=[prepared.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "no-store"
    assert 'filename="households-C1-2026-03-01-2026-03-31.xlsx"' in download["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0].values)
    assert {row[0] for row in rows[1:]} == {people.household.number, people.outside.number}
    assert people.staff.username not in download["Content-Disposition"]
    assert reverse("households:prepared_export", args=[prepared.pk]) in client.get(EXPORT).content.decode()


def test_nobody_but_the_requester_sees_or_downloads_it(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.staff)
    prepared = request_large_export(client, django_capture_on_commit_callbacks)
    tasks.prepare_export(prepared.pk)
    colleague = community_staff(username="colleague")
    client.force_login(colleague)

    assert client.get(reverse("households:prepared_export", args=[prepared.pk])).status_code == 404
    assert client.get(reverse("households:download_export", args=[prepared.pk])).status_code == 404
    assert (
        reverse("households:prepared_export", args=[prepared.pk]) not in client.get(EXPORT).content.decode()
    )


def test_the_file_is_kept_a_day_and_then_deleted(client, people, django_capture_on_commit_callbacks):
    client.force_login(people.staff)
    prepared = request_large_export(client, django_capture_on_commit_callbacks)
    tasks.prepare_export(prepared.pk)
    prepared.refresh_from_db()
    path = prepared.file.path

    with time_machine.travel(at(datetime.date(2026, 3, 21), 9), tick=False):
        assert tasks.expire_files() == 0  # 23 hours
    with time_machine.travel(at(datetime.date(2026, 3, 21), 11), tick=False):
        assert tasks.expire_files() == 1

    prepared.refresh_from_db()
    assert prepared.status == PreparedExportStatus.EXPIRED and not prepared.file
    assert not os.path.exists(path)
    assert client.get(reverse("households:download_export", args=[prepared.pk])).status_code == 404
    assert "已删除" in client.get(reverse("households:prepared_export", args=[prepared.pk])).content.decode()
    assert ExportLog.objects.count() == 1  # the log stays


def test_a_failure_ends_it_plainly_and_logs_no_personal_data(
    client, people, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    client.force_login(people.staff)
    prepared = request_large_export(client, django_capture_on_commit_callbacks)
    secret = people.household.members.get().id_number

    def broken(**kwargs):
        raise RuntimeError(f"value too long: {secret}")

    monkeypatch.setattr("households.exports.build_export", broken)
    tasks.prepare_export(prepared.pk)

    prepared.refresh_from_db()
    assert prepared.status == PreparedExportStatus.FAILED and not prepared.file
    assert (
        "导出失败" in client.get(reverse("households:prepared_export", args=[prepared.pk])).content.decode()
    )
    assert "RuntimeError" in caplog.text and secret not in caplog.text


def test_employment_figures_and_small_units_still_come_at_once(client, people):
    client.force_login(people.staff)

    figures = client.post(EXPORT, {"unit": "C1", "kind": "employment", **MARCH})

    assert figures.status_code == 200 and figures["Content-Type"].startswith("application/vnd.openxml")
    assert not PreparedExport.objects.exists()
