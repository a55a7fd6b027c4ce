"""The demo opens with last month's report of its first community, for staff to print."""

import io

import pytest
from django.core.management import call_command

from reports.models import MonthlyReport, previous_month

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_the_demo_has_last_months_report_of_the_staffs_community(client, test_today):
    from django.contrib.auth import get_user_model

    from grids.models import scope_roots

    call_command("seed_demo", households=120, history_days=3, stdout=io.StringIO(), no_progress=True)
    staff = get_user_model().objects.get(username="staff")
    report = MonthlyReport.objects.get()
    client.force_login(staff)

    assert report.unit == scope_roots(staff)[0]
    assert report.month == previous_month(test_today)
    assert client.get(f"/reports/{report.unit.code}/{report.month:%Y-%m}/report.pdf").status_code == 200
