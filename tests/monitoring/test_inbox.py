"""The in-app inbox: the engine's notifications, with the unread count in the header. Missed
follow-ups arrive as one morning digest a day (issue 18), the list behind its link."""

import datetime

import pytest
from django.urls import reverse

from messaging.digest import send_digests
from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def test_missed_follow_ups_arrive_in_the_inbox_as_one_digest_and_can_be_marked_read(
    people, client, test_today
):
    today = test_today
    generate_follow_ups(today)
    mark_missed(today + datetime.timedelta(days=40))
    send_digests(today + datetime.timedelta(days=40))
    client.force_login(people.worker)

    page = client.get(reverse("monitoring:inbox"))

    [digest] = Notification.objects.filter(recipient=people.worker)
    assert digest.kind == "digest" and page.context["unread_count"] == 1
    link = reverse("messaging:digest", args=[digest.object_id])
    assert link in page.content.decode()
    assert people.household.number in client.get(link).content.decode()
    client.post(reverse("monitoring:mark_read"))
    assert client.get(reverse("monitoring:inbox")).context["unread_count"] == 0


def test_nobody_reads_anothers_inbox(people, client, test_today):
    generate_follow_ups(test_today)
    mark_missed(test_today + datetime.timedelta(days=40))
    send_digests(test_today + datetime.timedelta(days=40))
    client.force_login(people.leader)

    assert list(client.get(reverse("monitoring:inbox")).context["notifications"]) == []
