"""Who reads which report: a unit outside one's scope is not there (a 404, as a household
outside it is); grid workers print none; leaders read every unit's and compute none."""

import datetime

import pytest

from grids.roles import LEADER
from reports.models import MonthlyReport
from reports.services import generate_report
from tests.grids.factories import GridUnitFactory, UserFactory, community_staff, grid_worker, level
from tests.reports.factories import OCTOBER

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("late_november")]
SINCE = datetime.date(2020, 1, 1)


@pytest.fixture
def reports(grid):
    other = GridUnitFactory(parent=grid.street, level=level("社区"), name="碧谷社区", code="C2")
    return {
        unit.code: generate_report(unit=unit, month=OCTOBER)
        for unit in (grid.county, grid.street, grid.community, grid.area_east, other)
    }


@pytest.fixture
def staff(grid, assign):
    user = community_staff(username="staff")
    assign(user, grid.community, starts_on=SINCE)
    return user


PAGES = [
    "/reports/{code}/2026-10/",
    "/reports/{code}/2026-10/report.pdf",
    "/reports/{code}/2026-10/report.xlsx",
]


# Pages in a loop rather than parametrized: pytest-playwright regroups parametrized tests
# around the browser's, after whose flush the shipped levels are gone.
def test_staff_read_the_reports_of_their_community_and_the_units_below_it(client, staff, reports):
    client.force_login(staff)

    for page in PAGES:
        assert client.get(page.format(code="C1")).status_code == 200, page
        assert client.get(page.format(code="A1")).status_code == 200, page


def test_a_report_of_a_unit_outside_the_scope_is_not_there(client, staff, reports):
    client.force_login(staff)

    for page in PAGES:
        assert client.get(page.format(code="C2")).status_code == 404, page  # the community next door
        assert client.get(page.format(code="S1")).status_code == 404, page  # the street above


def test_staff_cannot_compute_a_report_of_a_unit_outside_their_scope(client, staff, reports):
    client.force_login(staff)

    assert client.post("/reports/C2/2026-10/generate/").status_code == 404
    assert client.post("/reports/generate/", {"unit": "C2", "month": "2026-10"}).status_code == 404
    assert MonthlyReport.objects.filter(unit__code="C2").count() == 1


def test_the_index_offers_the_units_in_scope_only(client, staff, reports):
    client.force_login(staff)

    page = client.get("/reports/").content.decode()

    assert 'data-month="2026-10"' in page
    assert "铜源社区" in page and "东片区" in page
    assert "碧谷社区" not in page
    assert 'href="?unit=S1"' not in page  # the street above is not offered either
    assert client.get("/reports/?unit=C2").status_code == 404


def test_a_grid_worker_reads_no_report(client, grid, assign, reports):
    worker = grid_worker(username="worker")
    assign(worker, grid.community, starts_on=SINCE)
    client.force_login(worker)

    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/C1/2026-10/").status_code == 403
    assert client.post("/reports/C1/2026-10/generate/").status_code == 403


def test_a_leader_reads_every_units_report_and_computes_none(client, reports):
    leader = UserFactory(username="leader", groups=[LEADER])
    client.force_login(leader)

    assert client.get("/reports/XF/2026-10/").status_code == 200
    assert client.get("/reports/C2/2026-10/report.pdf").status_code == 200
    assert client.post("/reports/XF/2026-10/generate/").status_code == 403


def test_a_month_not_begun_or_not_a_month_is_not_there(client, staff, reports):
    client.force_login(staff)

    assert client.get("/reports/C1/2026-12/").status_code == 404  # today is 25 November
    assert client.get("/reports/C1/2026-13/").status_code == 404
    assert client.get("/reports/C1/october/").status_code == 404
    assert client.get("/reports/C1/2026-10/?version=x").status_code == 404
    assert client.get("/reports/C1/2026-09/").status_code == 404  # never computed
    assert client.post("/reports/C1/2026-12/generate/").status_code == 404


def test_staff_compute_a_month_on_demand_from_the_index(client, staff, reports):
    client.force_login(staff)

    response = client.post("/reports/generate/", {"unit": "C1", "month": "2026-11"})

    assert response.status_code == 302 and response["Location"] == "/reports/C1/2026-11/"
    report = MonthlyReport.objects.get(unit__code="C1", month=datetime.date(2026, 11, 1))
    assert report.generated_by == staff and report.version == 1
    assert client.get("/reports/C1/2026-10/generate/").status_code == 405  # a GET writes nothing


def test_a_leader_opens_the_list_on_the_top_of_the_grid(client, reports):
    client.force_login(UserFactory(username="leader", groups=[LEADER]))

    page = client.get("/reports/").content.decode()

    assert "幸福县" in page and 'data-month="2026-10"' in page
    assert "Compute the report now" not in page and "立即生成报告" not in page
