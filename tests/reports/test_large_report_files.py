"""A large report's PDF and .xlsx are drawn by a worker: the page says so and looks again,
asks the worker once however many look, and gets the file once it is drawn; the monthly job
asks for the large reports' PDF at once. (A province's PDF takes about as long as a
request may; reports.files.) The worker's task runs here in the test's process."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import files, tasks
from reports.models import MonthlyReport
from reports.services import generate_monthly_reports, generate_report
from tests.audit.commits import queued_tasks
from tests.grids.factories import community_staff
from tests.monitoring.factories import at
from tests.reports.factories import OCTOBER, october_settlement

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
PDF = "/reports/C1/2026-10/report.pdf"
XLSX = "/reports/C1/2026-10/report.xlsx"


@pytest.fixture
def large(settings, grid, assign, late_november):
    """The community's report counts as large: more households than the limit (one)."""
    settings.REPORTS_IN_WORKER_HOUSEHOLDS = 1
    october_settlement(grid)
    report = generate_report(unit=grid.community, month=OCTOBER)
    staff = community_staff(username="staff")
    assign(staff, grid.community, starts_on=datetime.date(2020, 1, 1))
    yield report, staff
    # The files and the claims this test made: the cache may be Redis, outliving the test.
    keys = [files._key(report, kind, language) for kind in files.RENDERERS for language in ("en", "zh-hans")]
    cache.delete_many(keys + [f"{key}:drawing" for key in keys])


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_pdf_is_drawn_by_a_worker_while_the_page_says_so_and_looks_again(
    client, large, django_capture_on_commit_callbacks
):
    report, staff = large
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=False) as first:
        waiting = client.get(PDF)
    with django_capture_on_commit_callbacks(execute=False) as second:
        still_waiting = client.get(PDF)

    assert waiting.status_code == 202 and waiting["Content-Type"].startswith("text/html")
    page = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "takes a worker up to a minute to draw" in page
    assert len(queued_tasks(first)) == 1
    assert still_waiting.status_code == 202 and queued_tasks(second) == []  # asked once

    assert tasks.draw_file(report.pk, "pdf", "en") > 0

    drawn = client.get(PDF)
    assert drawn.status_code == 200 and drawn["Content-Type"] == "application/pdf"
    assert "October 2026" in PdfReader(io.BytesIO(drawn.content)).pages[0].extract_text()


def test_each_language_and_kind_is_drawn_on_its_own(client, large, django_capture_on_commit_callbacks):
    report, staff = large
    client.force_login(staff)
    tasks.draw_file(report.pk, "pdf", "en")

    client.cookies["django_language"] = "zh-hans"
    with django_capture_on_commit_callbacks(execute=False):
        assert client.get(PDF).status_code == 202  # the English one is no use here
        assert client.get(XLSX).status_code == 202

    tasks.draw_file(report.pk, "xlsx", "zh-hans")
    sheet = client.get(XLSX)
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.content)).worksheets


def test_a_report_under_the_limit_is_drawn_in_the_request(client, large, settings):
    report, staff = large
    settings.REPORTS_IN_WORKER_HOUSEHOLDS = 10**6
    client.force_login(staff)

    assert client.get(PDF).status_code == 200


def test_the_monthly_job_asks_for_each_large_reports_pdf(grid, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_IN_WORKER_HOUSEHOLDS = 1
    october_settlement(grid)

    first_of_november = time_machine.travel(at(datetime.date(2026, 11, 1), 2), tick=False)
    with first_of_november, django_capture_on_commit_callbacks(execute=False) as queued:
        written = generate_monthly_reports()

    large = MonthlyReport.objects.filter(month=OCTOBER, figures__tiers__households__gt=1).count()
    assert written >= large >= 1
    assert len(queued_tasks(queued)) == large


def test_a_report_gone_is_nothing_to_draw():
    assert tasks.draw_file(10**9, "pdf", "en") == 0
