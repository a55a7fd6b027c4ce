"""Escalation: an overdue case goes up a level (楼栋 → 社区 → 街道) with a new deadline,
the new level's staff are told, and the step is in the timeline."""

import datetime

import pytest

from grids.models import Role
from monitoring.models import Notification
from services.cases import open_case
from services.deadlines import check_case_deadlines
from services.models import CaseLevel, EventKind
from services.notices import CaseNotificationKind
from tests.grids.factories import community_staff

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_an_overdue_case_climbs_one_level_at_a_time(people, grid, assign):
    street_staff = community_staff(username="street")
    assign(street_staff, grid.street, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    case = open_case(
        household=people.household, category="dispute", description="纠纷", urgency="normal", by=people.worker
    )
    first_due = case.due_on

    check_case_deadlines(first_due)  # due today: nothing yet
    case.refresh_from_db()
    assert case.level == CaseLevel.BUILDING

    check_case_deadlines(first_due + datetime.timedelta(days=1))
    case.refresh_from_db()
    assert case.level == CaseLevel.COMMUNITY and case.due_on > first_due + datetime.timedelta(days=1)
    escalated = Notification.objects.filter(kind=CaseNotificationKind.CASE_ESCALATED)
    assert {n.recipient for n in escalated} == {people.staff}

    check_case_deadlines(case.due_on + datetime.timedelta(days=1))
    case.refresh_from_db()
    assert case.level == CaseLevel.STREET
    assert street_staff in {n.recipient for n in escalated.all()}
    assert list(case.events.filter(kind=EventKind.ESCALATED).values_list("level", flat=True)) == [
        "community",
        "street",
    ]

    check_case_deadlines(case.due_on + datetime.timedelta(days=1))  # nowhere higher to go
    case.refresh_from_db()
    assert case.level == CaseLevel.STREET
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 2


def test_a_resolved_case_is_not_escalated(people):
    case = open_case(
        household=people.household, category="help", description="x", urgency="normal", by=people.worker
    )
    case.status = "resolved"
    case.save()

    check_case_deadlines(case.due_on + datetime.timedelta(days=10))
    case.refresh_from_db()

    assert case.level == CaseLevel.BUILDING


def test_the_hourly_check_costs_the_same_queries_for_one_late_case_or_many(people, grid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.households.factories import HouseholdFactory

    def late_cases(count):
        cases = [
            open_case(
                household=HouseholdFactory(unit=grid.floor_1_1, room=f"{count}{n:02d}"),
                category="help",
                description="漏水",
                urgency="normal",
                by=people.worker,
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            told = check_case_deadlines(cases[0].due_on + datetime.timedelta(days=1))
        assert told > 0
        for case in cases:
            case.refresh_from_db()
            assert case.level == CaseLevel.COMMUNITY
        return len(queries)

    assert late_cases(6) == late_cases(1)
