"""The hourly check: an open case past its deadline is told once to its opener and the heads above."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from grids.models import Role
from monitoring.followups import send_notification_emails
from monitoring.models import Notification
from services.deadlines import check_case_deadlines
from services.models import CaseStatus, ServiceCase
from services.notices import CaseNotificationKind
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

    told = Notification.objects.filter(kind=CaseNotificationKind.CASE_OVERDUE)
    # Three told it is late, and the community's staff told it is theirs now.
    assert first == 4 and again == 0
    assert Notification.objects.get(kind=CaseNotificationKind.CASE_ESCALATED).recipient == people.staff
    assert {n.recipient for n in told} == {people.worker, people.staff, head}
    assert all(n.about == late for n in told)
    assert send_notification_emails() == 1  # the one with an e-mail address
    assert "head@example.org" in mail.outbox[0].to and people.household.number in mail.outbox[0].subject


def test_a_late_case_and_its_escalation_are_each_told_in_their_own_words(people, grid, client):
    people.staff.email = "staff@example.org"
    people.staff.save()
    today = datetime.date(2026, 11, 25)
    case(people, today - datetime.timedelta(days=1))

    check_case_deadlines(today)
    send_notification_emails()
    client.force_login(people.staff)
    inbox = client.get(reverse("monitoring:inbox")).content.decode()

    subjects = sorted(message.subject for message in mail.outbox)
    household = people.household.number
    assert subjects == [f"事项已上报到您这一级：住户 {household}", f"事项超期：住户 {household}"]
    by_subject = {message.subject: message.body for message in mail.outbox}
    assert "至今未办结" in by_subject[f"事项超期：住户 {household}"]
    escalated = by_subject[f"事项已上报到您这一级：住户 {household}"]
    assert "社区" in escalated and "矛盾纠纷" in escalated and "至今未办结" not in escalated
    assert "事项超期" in inbox and "事项已上报到您这一级" in inbox and "矛盾纠纷" in inbox


def test_the_job_is_scheduled_hourly_in_shanghai_time():
    job = PeriodicTask.objects.get(task="services.check_case_deadlines")

    assert job.crontab.hour == "*" and str(job.crontab.timezone) == "Asia/Shanghai"
