"""A case's life: opened with a deadline over holidays and 调休, notes, statuses in order,
every step in the timeline; the case list and page for staff and grid workers."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from services.cases import add_note, change_status, open_case
from services.models import CaseEvent, CaseLevel, CaseStatus, ServiceCase
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(*args):
    return time_machine.travel(datetime.datetime(*args, 10, tzinfo=SHANGHAI))


def test_a_red_households_case_before_national_day_is_due_after_the_tiaoxiu_saturday(people):
    people.outside.tier = default_tier("red")
    with at(2026, 9, 30):
        case = open_case(
            household=people.outside,
            category="dibao",
            description="申请低保",
            urgency="normal",
            by=people.staff,
        )

    # 3 working days from 30 Sep: 1-7 Oct are the holiday, Saturday 10 Oct is worked.
    assert case.due_on == datetime.date(2026, 10, 10) and not case.due_provisional
    assert case.level == CaseLevel.BUILDING
    assert list(case.events.values_list("kind", flat=True)) == ["opened"]


def test_a_case_goes_to_the_households_grid_worker(people):
    case = open_case(
        household=people.household,
        category="aid_elderly",
        description="助老",
        urgency="normal",
        by=people.staff,
    )

    assert case.assigned_to == people.worker


def test_statuses_move_in_order_and_each_step_is_in_the_timeline(people):
    case = open_case(
        household=people.household,
        category="dispute",
        description="邻里噪音",
        urgency="normal",
        by=people.worker,
    )

    change_status(case=case, status=CaseStatus.IN_PROGRESS, by=people.worker)
    add_note(case=case, text="已约双方下午调解", by=people.worker)
    with pytest.raises(ValidationError) as silent:
        change_status(case=case, status=CaseStatus.RESOLVED, by=people.worker)
    change_status(case=case, status=CaseStatus.RESOLVED, note="双方签了调解协议", by=people.worker)
    with pytest.raises(ValidationError) as backwards:
        change_status(case=case, status=CaseStatus.IN_PROGRESS, by=people.worker)
    change_status(case=case, status=CaseStatus.CLOSED, by=people.staff)
    change_status(case=case, status=CaseStatus.REOPENED, note="又吵起来了", by=people.staff)

    assert "text" in silent.value.message_dict
    assert "status" in backwards.value.message_dict
    events = list(CaseEvent.objects.filter(case=case).values_list("kind", "status", "by__username"))
    assert events == [
        ("opened", "open", "worker"),
        ("status", "in_progress", "worker"),
        ("note", "", "worker"),
        ("status", "resolved", "worker"),
        ("status", "closed", "staff"),
        ("status", "reopened", "staff"),
    ]
    assert ServiceCase.objects.get(pk=case.pk).is_open


def test_the_case_page_adds_notes_and_resolves_and_a_grid_worker_cannot_close(people, client):
    case = open_case(
        household=people.household,
        category="help",
        description="水管坏了",
        urgency="urgent",
        by=people.worker,
    )
    client.force_login(people.worker)
    url = reverse("services:case", args=[case.pk])

    client.post(url, {"action": "note", "text": "已联系物业"})
    refused = client.post(url, {"action": "status", "status": "resolved", "text": ""})
    client.post(url, {"action": "status", "status": "resolved", "text": "物业已修好"})
    closing = client.post(url, {"action": "status", "status": "closed"})

    assert refused.status_code == 400 and refused.context["status_form"].errors["text"]
    assert closing.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED
    page = client.get(url).content.decode()
    assert "已联系物业" in page and "物业已修好" in page


def test_the_case_list_filters_and_stays_in_scope(people, client):
    with at(2026, 11, 2):
        late = open_case(
            household=people.household, category="dispute", description="a", urgency="normal", by=people.staff
        )
    fresh = open_case(
        household=people.household, category="dibao", description="b", urgency="normal", by=people.staff
    )
    outside = open_case(
        household=people.outside, category="dispute", description="c", urgency="normal", by=people.staff
    )
    client.force_login(people.worker)

    def listed(**params):
        return [c.pk for c in client.get(reverse("services:cases"), params).context["page"]]

    assert set(listed()) == {late.pk, fresh.pk}
    assert listed(category="dibao") == [fresh.pk]
    assert listed(overdue="on") == [late.pk]
    assert listed(level="street") == []
    assert client.get(reverse("services:case", args=[outside.pk])).status_code == 404
    assert client.get(reverse("services:cases"), {"status": "nonsense"}).status_code == 400


def test_staff_hand_a_case_over_and_a_grid_worker_cannot(people, client, grid, assign):
    from tests.grids.factories import grid_worker

    other = grid_worker(username="other")
    assign(other, grid.building_2, role="full_time_worker", starts_on=datetime.date(2020, 1, 1))
    case = open_case(
        household=people.household, category="help", description="x", urgency="normal", by=people.staff
    )
    url = reverse("services:case", args=[case.pk])

    client.force_login(people.worker)
    assert client.post(url, {"action": "assign", "assigned_to": other.pk}).status_code == 403
    client.force_login(people.staff)
    client.post(url, {"action": "assign", "assigned_to": other.pk})

    case.refresh_from_db()
    assert case.assigned_to == other
    assert case.events.filter(kind="assigned", by=people.staff).exists()


def test_a_case_goes_to_whom_the_follow_up_would_go(people, grid, assign):
    """On a unit with several workers: a temporary cover first, then full-time before
    part-time, whatever order they were assigned in, on PostgreSQL and SQLite alike."""
    from grids.models import Role
    from monitoring.followups import generate_follow_ups
    from monitoring.models import FollowUp
    from tests.grids.factories import grid_worker
    from tests.households.factories import HouseholdFactory

    household = HouseholdFactory(unit=grid.building_2, room="808")
    since = datetime.date(2020, 1, 1)
    part_time = grid_worker(username="part")
    assign(part_time, grid.building_2, role=Role.PART_TIME_WORKER, starts_on=since)
    full_time = grid_worker(username="full")
    assign(full_time, grid.building_2, role=Role.FULL_TIME_WORKER, starts_on=since)

    def both():
        FollowUp.objects.filter(household=household).delete()
        generate_follow_ups()
        engine = FollowUp.objects.get(household=household).assignee
        case = open_case(
            household=household, category="help", description="漏水", urgency="normal", by=people.staff
        )
        return engine, case.assigned_to

    assert both() == (full_time, full_time)
    cover = grid_worker(username="cover")
    assign(cover, grid.building_2, role=Role.PART_TIME_WORKER, starts_on=since, covering_for=full_time)
    assert both() == (cover, cover)
