"""The wiring once for real: a committed help request from a red household queues the
Celery task, and a worker in another process sends it to 企业微信 (on loopback)."""

import time

import pytest
from django.db import connection

from messaging.models import Contact, Message
from services.door_cards import ask_for_help, issue_door_card
from tests.households.factories import default_tier
from tests.messaging import providers
from tests.servers import celery_worker

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
]


def test_a_worker_sends_the_urgent_message_the_commit_queued(people, settings):
    server = providers.WeCom().start()
    Contact.objects.create(user=people.worker, channel="wecom", wecom_userid="ZhangSan")
    people.household.tier = default_tier("red")
    people.household.save()
    card = issue_door_card(household=people.household, by=people.staff)
    # The broker this process queues into: Redis where REDIS_URL is set (as in CI), else the
    # embedded demo's folder.
    broker = {"CELERY_BROKER_URL": settings.CELERY_BROKER_URL}
    if hasattr(settings, "CELERY_QUEUE_DIR"):
        broker["CELERY_QUEUE_DIR"] = str(settings.CELERY_QUEUE_DIR)
    env = {
        **broker,
        "WECOM_API_URL": server.url,
        "WECOM_CORP_ID": providers.CORP_ID,
        "WECOM_SECRET": providers.SECRET,
        "WECOM_AGENT_ID": str(providers.AGENT_ID),
    }
    ask_for_help(card=card, kind="health")  # commits: the task is queued
    worker = celery_worker(env)
    try:
        deadline = time.monotonic() + 90
        while not server.delivered and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        server.stop()

    assert len(server.delivered) == 1, output[-3000:]
    message = Message.objects.get(kind="help_request")
    assert (message.status, message.urgent) == ("sent", True)
    assert "messaging.send_message" in output
