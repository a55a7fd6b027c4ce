"""Door cards: a QR code that opens a help page without a login. A revoked or forged
token is a 404; the page shows the room number and nothing else. Its limits: test_help_limits."""

import uuid

import pytest
from django.urls import reverse

from monitoring.models import Notification
from services.door_cards import door_card_token, issue_door_card
from services.models import CaseCategory, DoorCard, ServiceCase
from services.notices import CaseNotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(people):
    return issue_door_card(household=people.household, by=people.staff)


@pytest.fixture
def address():
    """Each test its own client address: the rate limit is kept in the shared cache."""
    return f"127.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def help_url(card):
    return reverse("services:help", args=[door_card_token(card)])


def test_staff_print_a_card_with_a_qr_code_and_a_new_one_revokes_the_old(people, client, card):
    client.force_login(people.staff)

    page = client.get(reverse("services:door_card", args=[people.household.pk])).content.decode()
    client.post(reverse("services:door_card", args=[people.household.pk]))

    assert "<svg" in page and "data-qr" in page
    card.refresh_from_db()
    assert card.revoked_at is not None
    assert DoorCard.objects.filter(household=people.household, revoked_at__isnull=True).count() == 1


def test_two_taps_ask_the_grid_worker_for_help(people, client, card, address):
    choose = client.get(help_url(card), REMOTE_ADDR=address)
    chosen = client.get(help_url(card), {"kind": "health"}, REMOTE_ADDR=address)
    sent = client.post(
        help_url(card), {"kind": "health", "phone": "13912345678", "text": "老人发烧"}, REMOTE_ADDR=address
    )

    page = choose.content.decode()
    assert "501" in page
    # Nothing about the family but its room number.
    assert "王小红" not in page and people.household.number not in page and "1栋" not in page
    assert chosen.status_code == 200 and sent.status_code == 200
    case = ServiceCase.objects.get()
    assert (case.household, case.category, case.opened_by, case.assigned_to) == (
        people.household,
        CaseCategory.AID_SICK,
        None,
        people.worker,
    )
    assert "老人发烧" in case.description
    assert Notification.objects.get(kind=CaseNotificationKind.HELP_REQUEST).recipient == people.worker


def test_a_bad_phone_number_is_refused_with_nothing_saved(card, client, address):
    response = client.post(help_url(card), {"kind": "daily", "phone": "12345"}, REMOTE_ADDR=address)

    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    assert not ServiceCase.objects.exists()


def test_a_revoked_or_forged_token_is_a_404(people, client, card, address):
    token = door_card_token(card)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    issue_door_card(household=people.household, by=people.staff)  # the old card is revoked

    assert client.get(reverse("services:help", args=[token]), REMOTE_ADDR=address).status_code == 404
    assert client.get(reverse("services:help", args=[forged]), REMOTE_ADDR=address).status_code == 404
    assert (
        client.post(
            reverse("services:help", args=[token]), {"kind": "daily"}, REMOTE_ADDR=address
        ).status_code
        == 404
    )
    assert not ServiceCase.objects.exists()


def test_door_cards_out_of_scope_and_for_grid_workers(people, client):
    client.force_login(people.staff)
    assert client.get(reverse("services:door_card", args=[people.outside.pk])).status_code == 200
    client.force_login(people.worker)
    assert client.get(reverse("services:door_card", args=[people.household.pk])).status_code == 403


def test_a_help_request_is_mailed_and_listed_as_what_the_family_asked(people, client, card, address):
    """Not as a late case ("应于…前办理，至今未办结"), which it was, seconds after it was opened."""
    from django.core import mail

    from messaging.sending import deliver_due

    people.worker.email = "worker@example.org"
    people.worker.save()
    client.post(
        help_url(card), {"kind": "health", "phone": "13912345678", "text": "老人发烧"}, REMOTE_ADDR=address
    )

    sent = deliver_due()  # written at once, for a worker to send (the sweep here)
    client.force_login(people.worker)
    inbox = client.get(reverse("monitoring:inbox")).content.decode()

    assert sent == 1
    message = mail.outbox[0]
    assert message.subject == f"住户扫码求助：住户 {people.household.number}"
    assert "扫门牌码求助（助病）" in message.body and "未办结" not in message.body
    # What the family wrote and their number stay behind the worker's login.
    assert "老人发烧" not in message.body and "13912345678" not in message.body
    assert "住户扫码求助" in inbox and "助病" in inbox and "13912345678" not in inbox


def test_the_api_says_which_case_a_help_request_is_about(people, client, card, address):
    from rest_framework.test import APIClient

    client.post(help_url(card), {"kind": "health", "text": "老人发烧"}, REMOTE_ADDR=address)
    api = APIClient()
    api.force_authenticate(people.worker)

    [notification] = api.get("/api/v1/notifications/").json()["results"]

    assert notification["kind"] == "help_request"
    assert notification["about_type"] == "services.servicecase"
    assert notification["about_id"] == ServiceCase.objects.get().pk
