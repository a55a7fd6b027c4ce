"""The in-app inbox: the engine's notifications, with the unread count in the header."""

import datetime

import pytest
from django.urls import reverse

from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_missed_follow_ups_arrive_in_the_inbox_and_can_be_marked_read(people, client, test_today):
    today = test_today
    generate_follow_ups(today)
    mark_missed(today + datetime.timedelta(days=40))
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:inbox"))

    mine = Notification.objects.filter(recipient=people.worker)
    assert mine.exists()
    assert page.context["unread_count"] == mine.count()
    assert people.household.building.name in page.content.decode()
    client.post(reverse("monitoring:mark_read"))
    assert client.get(reverse("monitoring:inbox")).context["unread_count"] == 0


def test_nobody_reads_anothers_inbox(people, client, test_today):
    generate_follow_ups(test_today)
    mark_missed(test_today + datetime.timedelta(days=40))
    client.force_login(people.leader)

    assert list(client.get(reverse("monitoring:inbox")).context["notifications"]) == []
