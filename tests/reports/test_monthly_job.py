"""The job of the first of the month: last month's report for every community and every
unit above it, once; computing a month again keeps what was printed."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django_celery_beat.models import PeriodicTask

from grids.roles import COMMUNITY_STAFF, GRID_WORKER, LEADER
from reports.models import MonthlyReport
from reports.services import generate_monthly_reports, generate_report
from reports.tasks import generate_monthly_reports as task
from tests.monitoring.factories import at
from tests.reports.factories import OCTOBER, october_settlement

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
D = datetime.date


def test_on_the_first_the_job_writes_last_months_report_for_every_community_and_above(grid):
    october_settlement(grid)

    with time_machine.travel(at(D(2026, 11, 1), 2), tick=False):
        written = generate_monthly_reports()

    reports = MonthlyReport.objects.filter(month=OCTOBER)
    assert written == 3
    assert sorted(reports.values_list("unit__code", flat=True)) == [
        "C1",
        "S1",
        "XF",
    ]  # not areas, not buildings
    assert set(reports.values_list("version", flat=True)) == {1}
    assert reports.get(unit=grid.community).figures["tiers"]["households"] == 4
    assert reports.get(unit=grid.county).generated_by is None


def test_the_job_run_again_writes_nothing_more(grid):
    with time_machine.travel(at(D(2026, 11, 1), 2), tick=False):
        generate_monthly_reports()
        assert generate_monthly_reports() == 0
        assert task.apply().get() == 0  # the Celery task calls the same service

    assert MonthlyReport.objects.count() == 3


def test_the_job_leaves_a_month_already_computed_on_demand_as_it_is(grid, django_user_model):
    generate_report(unit=grid.community, month=OCTOBER)

    with time_machine.travel(at(D(2026, 11, 1), 2), tick=False):
        assert generate_monthly_reports() == 2

    assert MonthlyReport.objects.filter(unit=grid.community).count() == 1


def test_computing_a_month_again_adds_a_version_and_keeps_the_first(grid):
    s = october_settlement(grid)
    first = generate_report(unit=grid.community, month=OCTOBER)
    printed = first.figures
    s.h5.__class__.objects.filter(pk=s.h5.pk).update(status="active")

    second = generate_report(unit=grid.community, month=OCTOBER)

    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert first.figures == printed
    assert second.figures["tiers"]["households"] == 5


def test_the_job_is_scheduled_at_two_on_the_first_of_each_month_in_shanghai():
    job = PeriodicTask.objects.get(task="reports.generate_monthly_reports")

    assert (job.crontab.minute, job.crontab.hour, job.crontab.day_of_month) == ("0", "2", "1")
    assert str(job.crontab.timezone) == "Asia/Shanghai"
    assert job.enabled


def test_the_job_is_created_once_and_an_administrators_change_survives_the_migration():
    module = importlib.import_module("reports.migrations.0002_monthly_job")
    PeriodicTask.objects.filter(task="reports.generate_monthly_reports").update(enabled=False)

    module.create_job(apps, None)

    jobs = PeriodicTask.objects.filter(task="reports.generate_monthly_reports")
    assert jobs.count() == 1 and not jobs.get().enabled


def codenames(group):
    return set(
        Group.objects.get(name=group)
        .permissions.filter(content_type__app_label="reports")
        .values_list("codename", flat=True)
    )


def test_staff_read_and_compute_reports_leaders_read_them_grid_workers_neither():
    assert codenames(COMMUNITY_STAFF) == {"view_monthlyreport", "add_monthlyreport"}
    assert codenames(LEADER) == {"view_monthlyreport"}
    assert codenames(GRID_WORKER) == set()


def test_the_migration_grants_reports_to_role_groups_that_already_exist():
    module = importlib.import_module("reports.migrations.0003_grant_to_role_groups")
    staff = Group.objects.get(name=COMMUNITY_STAFF)
    staff.permissions.remove(*Permission.objects.filter(content_type__app_label="reports"))

    module.grant(apps, None)

    assert codenames(COMMUNITY_STAFF) == {"view_monthlyreport", "add_monthlyreport"}


def test_the_worker_knows_the_job_by_the_name_beat_sends():
    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: every app's tasks

    assert "reports.generate_monthly_reports" in app.tasks
