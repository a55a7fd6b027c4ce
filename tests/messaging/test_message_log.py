"""Every send is logged (recipient, channel, kind, status, attempts, the provider's code),
never the phone number or the text in the application's log (PIPL); retried by Celery
with a pause; a message is sent once however many senders try it."""

import logging

import pytest
import time_machine
from celery.exceptions import Retry
from django.utils import timezone

from messaging.models import Attempt, Message
from messaging.sending import deliver, deliver_due, recover_abandoned
from messaging.tasks import send_message
from tests.messaging.helpers import later, write

pytestmark = pytest.mark.django_db


def test_a_failed_send_logs_ids_and_codes_but_no_phone_number_or_text(aliyun, worker, caplog):
    aliyun.answers = ["isp.SYSTEM_ERROR"]
    message = write(worker, channel="sms", subject="住户 HH000123 漏访", body="秘密的正文")

    with caplog.at_level(logging.INFO):
        deliver(message.pk)

    assert f"message {message.pk}" in caplog.text and "isp.SYSTEM_ERROR" in caplog.text
    assert (
        "13800138000" not in caplog.text and "秘密的正文" not in caplog.text and "HH000123" not in caplog.text
    )
    [attempt] = Attempt.objects.filter(message=message)
    assert (attempt.http_status, attempt.provider_code) == (200, "isp.SYSTEM_ERROR")


def test_the_celery_task_asks_to_be_retried_when_the_provider_is_busy(wecom, worker):
    wecom.answers = [-1]
    message = write(worker, channel="wecom")

    with pytest.raises(Retry):
        send_message(message.pk)

    assert Message.objects.get(pk=message.pk).status == "pending"
    with time_machine.travel(timezone.now() + later(31), tick=False):
        assert send_message.apply(args=[message.pk]).get() is True
    assert len(wecom.delivered) == 1


def test_a_sent_message_is_not_sent_again_by_a_second_sender(wecom, worker):
    message = write(worker, channel="wecom")

    assert deliver(message.pk).sent
    assert deliver(message.pk) is None
    assert send_message.apply(args=[message.pk]).get() is False
    assert deliver_due() == 0

    assert len([r for r in wecom.requests if r["path"] == "/cgi-bin/message/send"]) == 1


def test_the_same_key_twice_is_one_message(worker):
    first = write(worker, key="notification:7")
    second = write(worker, key="notification:7", body="again")

    assert first.pk == second.pk and Message.objects.count() == 1


def test_a_sender_that_died_mid_send_leaves_an_sms_unknown_and_a_wecom_message_to_send_again(worker):
    sms = write(worker, channel="sms")
    wecom = write(worker, channel="wecom")
    Message.objects.update(status="sending", lease_until=timezone.now())

    with time_machine.travel(timezone.now() + later(10), tick=False):
        assert recover_abandoned() == 2

    assert Message.objects.get(pk=sms.pk).status == "unknown"
    assert Message.objects.get(pk=wecom.pk).status == "pending"


def test_a_message_given_up_after_the_retry_hours(wecom, worker, settings):
    settings.MESSAGES_RETRY_HOURS = 1
    wecom.answers = [-1, -1]
    message = write(worker, channel="wecom")
    deliver(message.pk)

    with time_machine.travel(timezone.now() + later(3700), tick=False):
        deliver_due()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)


def test_the_admin_sends_again_what_was_given_up(admin_client, wecom, worker):
    from django.urls import reverse

    message = write(worker, channel="wecom")
    Message.objects.filter(pk=message.pk).update(status="unknown")

    admin_client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "send_again", "_selected_action": [message.pk]},
    )

    assert deliver_due() == 1 and len(wecom.delivered) == 1
