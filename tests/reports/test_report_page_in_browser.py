"""A month's report in a real browser under the Content-Security-Policy: its charts are
drawn (inline SVG, no script), not one violation, and the PDF and the spreadsheet are
one click away. Screenshots go to test-results/reports/."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from grids.models import scope_roots
from reports.models import previous_month
from reports.services import generate_report
from tests.browser import SCREEN, chromium, needs_chromium
from tests.config.test_content_security_policy_in_browser import Visit

SHOTS = Path("test-results/reports")

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as b:
        yield b


def test_staff_read_their_communitys_report_with_its_charts_and_no_violation(live_server, browser):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", households=120, history_days=7, stdout=io.StringIO(), no_progress=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = get_user_model().objects.get(username="staff")
    community = scope_roots(staff)[0]
    month = previous_month(timezone.localdate())
    generate_report(unit=community, month=month)
    visit = Visit(browser, live_server, **SCREEN)
    visit.log_in("staff")

    visit.open(reverse("reports:index"), ready="[data-months]")
    visit.page.screenshot(path=SHOTS / "1-index.png")
    path = reverse("reports:report", args=[community.code, f"{month:%Y-%m}"])
    visit.open(path, ready="svg.report-chart")
    visit.page.screenshot(path=SHOTS / "2-report.png", full_page=True)

    charts = visit.page.locator("svg.report-chart")
    assert charts.count() >= 2  # the tiers' trend and the income bands (follow-ups: if any were due)
    box = charts.first.bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert visit.page.locator("svg.report-chart rect").count() > 12
    with visit.page.expect_download() as download:
        visit.page.click("text=.xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert visit.problems == []
