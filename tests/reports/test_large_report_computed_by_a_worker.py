"""Computing a large unit's month again is asked of a worker: the page says so at once,
asks once however often the button is pressed, and the worker writes the new version (by
the one who asked) and asks for its PDF. The worker's task runs here in the test's process."""

import datetime

import pytest
from django.core.cache import cache

from reports import services, tasks
from reports.models import MonthlyReport
from reports.services import generate_report
from tests.audit.commits import queued_tasks
from tests.grids.factories import community_staff
from tests.reports.factories import OCTOBER, october_settlement

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("late_november")]
GENERATE = "/reports/C1/2026-10/generate/"


@pytest.fixture
def staff(settings, grid, assign):
    """The community counts as large: more households than the limit (one)."""
    settings.REPORTS_IN_WORKER_HOUSEHOLDS = 1
    october_settlement(grid)
    user = community_staff(username="staff")
    assign(user, grid.community, starts_on=datetime.date(2020, 1, 1))
    yield user
    cache.delete(services._generating_key(grid.community, OCTOBER))


@pytest.fixture
def client(client, staff):
    client.cookies["django_language"] = "en"
    client.force_login(staff)
    return client


def test_the_button_asks_a_worker_and_the_worker_writes_the_version(
    client, staff, grid, django_capture_on_commit_callbacks
):
    first = generate_report(unit=grid.community, month=OCTOBER)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(GENERATE, follow=True)

    assert response.redirect_chain[0] == ("/reports/C1/2026-10/", 302)
    assert "computed by a worker" in response.content.decode()
    assert len(queued_tasks(queued)) == 1
    assert MonthlyReport.objects.filter(unit=grid.community, month=OCTOBER).count() == 1  # not yet

    version = tasks.generate_report(grid.community.pk, "2026-10-01", staff.pk)

    latest = MonthlyReport.objects.get(unit=grid.community, month=OCTOBER, version=version)
    assert (version, latest.generated_by, first.version) == (2, staff, 1)


def test_pressed_again_meanwhile_it_asks_nobody_more(client, grid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first:
        client.post(GENERATE)
    with django_capture_on_commit_callbacks(execute=False) as second:
        again = client.post(GENERATE, follow=True)

    assert len(queued_tasks(first)) == 1 and queued_tasks(second) == []
    assert "being computed already" in again.content.decode()
    # No report of the month yet: back to the unit's list of months.
    assert again.redirect_chain[0] == ("/reports/?unit=C1", 302)


def test_once_the_worker_is_done_the_button_asks_again(
    client, staff, grid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(GENERATE)
    with django_capture_on_commit_callbacks(execute=False) as asked_for_pdf:
        tasks.generate_report(grid.community.pk, "2026-10-01", staff.pk)
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(GENERATE)

    assert len(queued_tasks(asked_for_pdf)) == 1  # the new version's PDF, drawn ahead
    assert len(queued_tasks(again)) == 1


def test_a_unit_under_the_limit_is_computed_in_the_request(client, settings, grid):
    settings.REPORTS_IN_WORKER_HOUSEHOLDS = 10**6

    response = client.post(GENERATE, follow=True)

    assert "Computed in" in response.content.decode()
    assert MonthlyReport.objects.filter(unit=grid.community, month=OCTOBER).count() == 1
