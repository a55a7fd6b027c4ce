"""An administrator registers a webhook in the admin, sees its secret once, reads the
delivery log and sends events again from it."""

import re

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from config.celery import app
from monitoring.services import change_tier
from tests.grids.factories import administrator, community_staff
from tests.households.factories import default_tier
from tests.webhooks.factories import webhook
from webhooks.delivery import deliver_due
from webhooks.models import Delivery, DeliveryStatus, EventType, Webhook

pytestmark = pytest.mark.django_db
ADD = reverse("admin:webhooks_webhook_add")


@pytest.fixture
def admin_user_client(client, grid):
    client.force_login(administrator(username="root"))
    client.cookies["django_language"] = "en"
    return client


def register(client, grid, url, **extra):
    return client.post(
        ADD,
        {
            "name": "市指挥中心",
            "url": url,
            "unit": grid.community.pk,
            "events": [EventType.CASE_OPENED, EventType.CASE_ESCALATED],
            "active": "on",
            **extra,
        },
    )


def test_the_secret_is_shown_once_and_kept_encrypted(admin_user_client, grid):
    assert admin_user_client.get(ADD).status_code == 200

    response = register(admin_user_client, grid, "https://command.example.org/hooks")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="webhook-secret">(whsec_[\w-]+)</code>', response.content.decode()).group(1)
    hook = Webhook.objects.get()
    assert hook.plain_secret() == secret and secret not in hook.secret
    assert hook.events == ["case.opened", "case.escalated"] and hook.unit == grid.community
    page = admin_user_client.get(reverse("admin:webhooks_webhook_change", args=[hook.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()
    listing = admin_user_client.get(reverse("admin:webhooks_webhook_changelist")).content.decode()
    assert "Case opened, Case escalated" in listing


def test_a_new_secret_replaces_the_old_one_and_is_shown_once(admin_user_client, grid):
    hook = webhook(grid.county, "https://command.example.org/hooks")
    old = hook.plain_secret()

    response = admin_user_client.post(
        reverse("admin:webhooks_webhook_changelist"),
        {"action": "give_new_secret", "_selected_action": [hook.pk]},
    )

    hook.refresh_from_db()
    assert hook.plain_secret() != old and hook.plain_secret() in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "url",
    ["ftp://command.example.org/hooks", "file:///etc/passwd", "https://user:pass@command.example.org/"],
)
def test_only_http_and_https_addresses_are_taken(admin_user_client, grid, url):
    response = register(admin_user_client, grid, url)

    assert response.status_code == 200 and Webhook.objects.count() == 0
    assert "url" in response.context["adminform"].form.errors


def test_production_refuses_plain_http_except_to_the_hosts_listed(admin_user_client, grid, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_PLAIN_HTTP_HOSTS = ["hooks.internal"]

    refused = register(admin_user_client, grid, "http://command.example.org/hooks")
    taken = register(admin_user_client, grid, "http://hooks.internal/hhl")

    assert "plain http is allowed only for the hosts in WEBHOOK_PLAIN_HTTP_HOSTS" in refused.content.decode()
    assert taken.status_code == 200
    assert list(Webhook.objects.values_list("url", flat=True)) == ["http://hooks.internal/hhl"]


def test_an_event_is_not_sent_over_plain_http_once_production_refuses_it(people, grid, receiver, settings):
    webhook(grid.county, receiver.url)
    settings.WEBHOOK_REQUIRE_HTTPS = True

    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    deliver_due()

    assert receiver.received == []
    assert Delivery.objects.get().attempt_log.get().error_kind == "refused_url"


def test_the_delivery_log_shows_each_attempt_and_not_the_payload(admin_user_client, people, grid, receiver):
    webhook(grid.county, receiver.url)
    receiver.answers = [503]
    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    deliver_due()
    delivery = Delivery.objects.get()

    listing = admin_user_client.get(reverse("admin:webhooks_delivery_changelist"))
    page = admin_user_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))

    assert listing.status_code == 200 and "Tier changed" in listing.content.decode()
    text = page.content.decode()
    assert page.status_code == 200 and "503" in text and "not a 2xx answer" in text
    assert "失业" not in text and "13912345678" not in text


def test_the_administrator_replays_a_delivered_event(
    admin_user_client, people, grid, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    webhook(grid.county, receiver.url)
    change_tier(household=people.household, tier=default_tier("red"), reason="失业", by=people.staff)
    deliver_due()
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):  # the replay's task, queued at commit
        response = admin_user_client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "replay", "_selected_action": [delivery.pk]},
            follow=True,
        )

    assert "1 event will be sent again, in order." in response.content.decode()
    assert receiver.event_ids() == [delivery.event_id, delivery.event_id]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempt_log.count() == 2
    [replayed] = AuditEvent.objects.filter(action=Action.CHANGED, target_type="webhooks.delivery")
    assert replayed.username == "root" and replayed.target_ids == [delivery.pk]


def test_registering_and_a_new_secret_are_in_the_audit_log_without_the_secret(
    admin_user_client, grid, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(admin_user_client, grid, "https://command.example.org/hooks")
    hook = Webhook.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_user_client.post(
            reverse("admin:webhooks_webhook_changelist"),
            {"action": "give_new_secret", "_selected_action": [hook.pk]},
        )

    audited = AuditEvent.objects.filter(target_type="webhooks.webhook").order_by("pk")
    assert [(e.action, e.username, e.detail) for e in audited] == [
        (Action.CREATED, "root", {}),
        (Action.CHANGED, "root", {"fields": ["secret"]}),
    ]
    assert hook.plain_secret() not in b"".join(e.canonical() for e in audited).decode()


def test_community_staff_see_no_webhooks_and_cannot_replay(client, people, grid):
    webhook(grid.county, "https://command.example.org/hooks")
    client.force_login(community_staff(username="someone"))

    assert client.get(reverse("admin:webhooks_webhook_changelist")).status_code == 403
    assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 403
