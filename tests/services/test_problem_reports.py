"""Reporting a problem from the card opens a case with a working-day deadline."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from monitoring.models import CalendarYear
from monitoring.workdays import add_working_days
from services.models import ServiceCase

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def test_a_report_opens_a_case_due_in_the_tiers_working_days(people, client):
    # Friday 2026-09-25: yellow is 7 working days, counted around National Day.
    with time_machine.travel(datetime.datetime(2026, 9, 25, 10, tzinfo=SHANGHAI)):
        client.force_login(people.worker)
        response = client.post(
            reverse("services:report", args=[people.household.pk]),
            {
                "category": "dispute",
                "urgency": "normal",
                "description": "邻里漏水纠纷",
                "key": str(uuid.uuid4()),
            },
        )
        card = client.get(reverse("households:card", args=[people.household.pk])).content.decode()

    assert response.status_code == 302
    case = ServiceCase.objects.get()
    assert case.opened_by == people.worker and case.urgency == "normal"
    assert case.due_on == add_working_days(datetime.date(2026, 9, 25), 7).due
    assert case.due_on > datetime.date(2026, 10, 8) and not case.due_provisional
    assert "邻里漏水纠纷" in card


def test_a_deadline_in_an_unknown_year_is_marked_provisional_on_the_card(people, client):
    assert not CalendarYear.objects.filter(year=2031).exists()
    with time_machine.travel(datetime.datetime(2031, 3, 3, 10, tzinfo=SHANGHAI)):
        client.force_login(people.worker)
        client.post(
            reverse("services:report", args=[people.household.pk]),
            {"category": "help", "urgency": "normal", "description": "需要轮椅", "key": str(uuid.uuid4())},
        )
        card = client.get(reverse("households:card", args=[people.household.pk]))

    case = ServiceCase.objects.get()
    assert case.due_provisional
    assert "provisional" in card.content.decode() or "暂定" in card.content.decode()


def test_a_report_without_a_description_saves_nothing(people, client):
    client.force_login(people.worker)

    response = client.post(
        reverse("services:report", args=[people.household.pk]),
        {"category": "dispute", "urgency": "normal", "key": str(uuid.uuid4())},
    )

    assert "description" in response.context["form"].errors
    assert not ServiceCase.objects.exists()


def test_out_of_scope_and_read_only_users_cannot_report(people, client):
    client.force_login(people.worker)
    data = {"category": "dispute", "urgency": "normal", "description": "x", "key": str(uuid.uuid4())}
    assert client.post(reverse("services:report", args=[people.outside.pk]), data).status_code == 404
    client.force_login(people.leader)
    assert client.post(reverse("services:report", args=[people.household.pk]), data).status_code == 403
    assert not ServiceCase.objects.exists()
