"""A door card's help button cannot be muted by someone else: refused submissions count
against the address that sends them, never against the card, and past the card's hourly
limit a request is not refused but joins the family's open help request as a note.

The limits are kept in the cache the tests run with (Redis when CACHE_URL is set), so each
test uses addresses of its own, and each card has a key of its own."""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEvent, Outcome
from monitoring.models import Notification
from services.door_cards import door_card_token, issue_door_card
from services.models import CaseStatus, EventKind, ServiceCase
from services.notices import CaseNotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(people):
    return issue_door_card(household=people.household, by=people.staff)


def new_address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}"


def send(client, card, address=None, **data):
    url = reverse("services:help", args=[door_card_token(card)])
    return client.post(url, {"kind": "daily", **data}, REMOTE_ADDR=address or new_address())


def junk_from():
    """What anyone who can read the QR code can send: a refused form."""
    return [{"kind": "daily", "phone": "12345"}, {"kind": "nonsense"}, {"text": "x" * 500}]


def test_junk_from_many_addresses_does_not_mute_the_card(card, client, monkeypatch):
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_CARD", 2)

    refused = [send(client, card, **junk).status_code for _ in range(4) for junk in junk_from()]
    genuine = send(client, card, kind="health", text="老人发烧")

    assert refused == [400] * 12
    assert genuine.status_code == 200 and genuine.context["sent"]
    assert ServiceCase.objects.get().description.endswith("老人发烧")


def test_an_address_that_sends_junk_is_limited_by_its_address(people, card, client, monkeypatch):
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_ADDRESS", 3)
    address = new_address()

    refused = [send(client, card, address, **junk).status_code for junk in junk_from()]
    limited = send(client, card, address)
    other_card = send(client, issue_door_card(household=people.outside, by=people.staff), address)
    elsewhere = send(client, card)

    assert refused == [400, 400, 400]
    assert (limited.status_code, other_card.status_code) == (429, 429)
    assert elsewhere.status_code == 200
    assert ServiceCase.objects.count() == 1
    # The address's first refusal in its hour is audited (not each one after it).
    audited = AuditEvent.objects.get(outcome=Outcome.REFUSED)
    assert (audited.address, audited.target_type, audited.target_ids) == (
        address,
        "services.doorcard",
        [card.pk],
    )


def test_past_the_cards_limit_a_request_joins_the_open_help_request(people, card, client, monkeypatch):
    """Valid requests from many addresses cannot exhaust the card either: past its limit
    the family is still heard, on the case its grid worker already has, and the worker
    is told again without a flood of cases or notifications."""
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_CARD", 2)
    opened = [send(client, card, text=f"第{i}次") for i in range(2)]
    Notification.objects.filter(recipient=people.worker).update(read_at="2026-11-25T02:00:00Z")

    flood = [send(client, card, text="垃圾") for _ in range(5)]
    genuine = send(client, card, kind="health", phone="13912345678", text="老人摔倒了")

    assert [r.status_code for r in opened + flood + [genuine]] == [200] * 8
    assert genuine.context["sent"]
    assert ServiceCase.objects.count() == 2
    latest = ServiceCase.objects.latest("opened_at")
    notes = list(latest.events.filter(kind=EventKind.NOTE).values_list("text", "by"))
    assert len(notes) == 6
    assert "老人摔倒了" in notes[-1][0] and "13912345678" in notes[-1][0]
    assert notes[-1][1] is None
    told = Notification.objects.filter(recipient=people.worker, kind=CaseNotificationKind.HELP_REQUEST)
    assert told.count() == 2
    assert told.about(latest).get().read_at is None
    client.force_login(people.worker)
    timeline = client.get(reverse("services:case", args=[latest.pk])).content.decode()
    assert "老人摔倒了" in timeline
    assert timeline.count("住户扫码") == 1 + len(notes)  # the opening and each note


def test_past_the_limit_with_no_open_help_request_a_case_is_opened(people, card, client, monkeypatch):
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_CARD", 1)
    send(client, card)
    ServiceCase.objects.update(status=CaseStatus.CLOSED)

    again = send(client, card, text="又出问题了")

    assert again.status_code == 200
    assert ServiceCase.objects.filter(status=CaseStatus.OPEN).get().description.endswith("又出问题了")


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(card, client, monkeypatch, settings):
    """The header's last address is the one our proxy wrote; those before it are whatever
    the client claimed, so changing them does not make a new address."""
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_ADDRESS", 2)
    proxy, client_address, neighbour = "127.0.0.1", new_address(), new_address()
    url = reverse("services:help", args=[door_card_token(card)])

    def post(forwarded):
        response = client.post(url, {"kind": "daily"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
        return response.status_code

    claimed = [post(f"{new_address()}, {client_address}") for _ in range(3)]

    assert claimed == [200, 200, 429]
    assert post(neighbour) == 200


def test_a_client_reaching_the_app_straight_cannot_claim_new_addresses(card, client, monkeypatch, settings):
    """The proxy's header counts only on a connection from the proxy (TRUSTED_PROXY_NETWORKS,
    loopback by default): from anywhere else, each claimed address is the same sender."""
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    monkeypatch.setattr("services.views.HELP_LIMIT_PER_ADDRESS", 2)
    sender = new_address()
    url = reverse("services:help", args=[door_card_token(card)])

    def post():
        response = client.post(url, {"kind": "daily"}, REMOTE_ADDR=sender, HTTP_X_FORWARDED_FOR=new_address())
        return response.status_code

    assert [post() for _ in range(3)] == [200, 200, 429]
