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


def test_a_notice_about_a_case_opens_the_case_one_about_a_follow_up_the_household_and_a_digest_its_lists(
    people, client, test_today
):
    from monitoring.models import FollowUp
    from services.door_cards import ask_for_help, issue_door_card

    generate_follow_ups(test_today)
    mark_missed(test_today + datetime.timedelta(days=40))
    send_digests(test_today + datetime.timedelta(days=40))
    # A miss told the way it was before the morning digest (issue 18): such rows remain.
    missed = FollowUp.objects.filter(household=people.household, status="missed").first()
    Notification.objects.create(
        recipient=people.worker, kind="missed", household=people.household, follow_up=missed
    )
    case = ask_for_help(card=issue_door_card(household=people.household, by=people.staff), kind="health")
    client.force_login(people.worker)

    html = client.get(reverse("monitoring:inbox")).content.decode()

    assert f'href="{reverse("services:case", args=[case.pk])}"' in html
    assert f'href="{reverse("households:card", args=[people.household.pk])}"' in html
    digest = Notification.objects.get(recipient=people.worker, kind="digest")
    assert f'href="{reverse("messaging:digest", args=[digest.object_id])}"' in html
