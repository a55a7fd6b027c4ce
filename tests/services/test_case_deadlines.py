"""The hourly check: an open case past its deadline is told once to its opener and the heads above."""

import datetime

import pytest
from django.core import mail
from django_celery_beat.models import PeriodicTask

from grids.models import Role
from monitoring.followups import send_notification_emails
from monitoring.models import Notification, NotificationKind
from services.deadlines import check_case_deadlines
from services.models import CaseStatus, ServiceCase
from tests.grids.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def case(people, due_on, **kwargs):
    return ServiceCase.objects.create(
        household=people.household,
        category="dispute",
        description="漏水",
        opened_by=people.worker,
        due_on=due_on,
        **kwargs,
    )


def test_an_overdue_case_is_told_once_to_opener_and_heads(people, grid, assign):
    head = UserFactory(username="head", email="head@example.org")
    assign(head, grid.area_east, role=Role.GRID_HEAD, starts_on=datetime.date(2020, 1, 1))
    today = datetime.date(2026, 11, 25)
    late = case(people, today - datetime.timedelta(days=1))
    case(people, today)  # due today: not late yet
    case(people, today - datetime.timedelta(days=5), status=CaseStatus.RESOLVED)

    first = check_case_deadlines(today)
    again = check_case_deadlines(today)

    told = Notification.objects.filter(kind=NotificationKind.CASE_OVERDUE)
    # Three told it is late, and the community's staff told it is theirs now.
    assert first == 4 and again == 0
    assert Notification.objects.get(kind=NotificationKind.CASE_ESCALATED).recipient == people.staff
    assert {n.recipient for n in told} == {people.worker, people.staff, head}
    assert all(n.case == late for n in told)
    assert send_notification_emails() == 1  # the one with an e-mail address
    assert "head@example.org" in mail.outbox[0].to and people.household.number in mail.outbox[0].subject


def test_the_job_is_scheduled_hourly_in_shanghai_time():
    job = PeriodicTask.objects.get(task="services.check_case_deadlines")

    assert job.crontab.hour == "*" and str(job.crontab.timezone) == "Asia/Shanghai"
