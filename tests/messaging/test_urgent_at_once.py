"""Urgent things go at once, whatever the hour: a red household's help request, and a case
on its last day; the rest waits for the morning on a channel that buzzes a phone."""

import datetime

import pytest
import time_machine

from config.celery import app
from messaging.models import Contact, Message
from services.deadlines import warn_cases_due_today
from services.door_cards import ask_for_help, issue_door_card
from services.models import ServiceCase
from tests.households.factories import default_tier
from tests.messaging import providers
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 25)


@pytest.fixture
def on_wecom(people):
    Contact.objects.create(user=people.worker, channel="wecom", wecom_userid="ZhangSan")
    return people.worker


@pytest.fixture
def eager(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_a_red_households_help_request_at_night_reaches_the_worker_at_once(
    people, on_wecom, wecom, eager, django_capture_on_commit_callbacks
):
    people.household.tier = default_tier("red")
    people.household.save()
    card = issue_door_card(household=people.household, by=people.staff)

    with time_machine.travel(at(D, 23), tick=False), django_capture_on_commit_callbacks(execute=True):
        ask_for_help(card=card, kind="health", phone="13912345678", text="老人发烧")

    message = Message.objects.get(kind="help_request")
    assert message.urgent and message.status == "sent"
    [sent] = wecom.delivered
    assert sent["touser"] == "ZhangSan" and people.household.number in sent["text"]["content"]
    # What the family wrote and their number stay behind the worker's login.
    assert "老人发烧" not in sent["text"]["content"] and "13912345678" not in sent["text"]["content"]


def test_a_yellow_households_help_request_at_night_waits_for_the_morning(
    people, on_wecom, wecom, eager, django_capture_on_commit_callbacks
):
    card = issue_door_card(household=people.household, by=people.staff)

    with time_machine.travel(at(D, 23), tick=False), django_capture_on_commit_callbacks(execute=True):
        ask_for_help(card=card, kind="daily")

    message = Message.objects.get(kind="help_request")
    assert not message.urgent and message.status == "pending"
    assert message.next_attempt_at == at(D + datetime.timedelta(days=1), 7)
    assert wecom.delivered == []


def test_a_help_request_in_the_day_goes_at_once_too(
    people, on_wecom, wecom, eager, django_capture_on_commit_callbacks
):
    card = issue_door_card(household=people.household, by=people.staff)

    with django_capture_on_commit_callbacks(execute=True):
        ask_for_help(card=card, kind="daily")

    assert len(wecom.delivered) == 1


def _case_due_today(people):
    from services.cases import open_case

    case = open_case(
        household=people.household,
        category="help",
        description="门锁坏了",
        urgency="normal",
        by=people.staff,
        assigned_to=people.worker,
    )
    ServiceCase.objects.filter(pk=case.pk).update(due_on=D)
    return case


def test_a_case_on_its_last_day_is_told_at_once_and_once(
    people, on_wecom, wecom, eager, django_capture_on_commit_callbacks
):
    _case_due_today(people)

    with time_machine.travel(at(D, 9), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert warn_cases_due_today(D) == 1
    with time_machine.travel(at(D, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert warn_cases_due_today(D) == 0

    [message] = Message.objects.filter(kind="case_due_soon")
    assert message.urgent and message.status == "sent"
    assert len(wecom.delivered) == 1


def test_a_case_due_today_is_not_raised_in_the_night_before(people, on_wecom, wecom):
    _case_due_today(people)

    with time_machine.travel(at(D, 1), tick=False):
        assert warn_cases_due_today(D) == 0

    assert not Message.objects.exists()


def test_the_urgent_kinds_say_so_on_the_settings_page(client, people):
    client.force_login(people.worker)

    page = client.get("/messages/settings/").content.decode()

    assert page.count("kind_case_due_soon") >= 1
    assert providers.ROBOT_KEY not in page


def test_a_family_asking_again_before_the_worker_looked_sends_no_second_message(
    people, on_wecom, wecom, eager
):
    from monitoring.models import Notification

    card = issue_door_card(household=people.household, by=people.staff)
    ask_for_help(card=card, kind="daily")
    ask_for_help(card=card, kind="daily", new_case=False)
    assert Message.objects.filter(kind="help_request").count() == 1

    Notification.objects.filter(recipient=people.worker).update(read_at="2026-11-25T02:00:00Z")
    ask_for_help(card=card, kind="daily", new_case=False)

    assert Message.objects.filter(kind="help_request").count() == 2  # read, then asked again
