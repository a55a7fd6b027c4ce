"""企业微信 app messages (应用消息) against a WeCom API on loopback: a token asked for once
and reused, asked for again when it expires, errors answered by trying later, and a try
that timed out sent again without reaching the member twice (the platform's duplicate
check)."""

import pytest
import time_machine
from django.utils import timezone

from messaging.models import Attempt, Message
from messaging.sending import deliver, deliver_due
from tests.messaging import providers
from tests.messaging.helpers import later, write

pytestmark = pytest.mark.django_db


def test_a_message_reaches_the_member_as_the_api_asks_with_one_token_for_two(wecom, worker):
    first, second = write(worker, channel="wecom"), write(worker, channel="wecom", body="漏访 1")

    assert deliver(first.pk).sent and deliver(second.pk).sent

    gettoken = [r for r in wecom.requests if r["path"] == "/cgi-bin/gettoken"]
    assert len(gettoken) == 1
    assert gettoken[0]["query"] == {"corpid": providers.CORP_ID, "corpsecret": providers.SECRET}
    sent = wecom.delivered[0]
    assert sent["touser"] == "ZhangSan" and sent["agentid"] == providers.AGENT_ID
    assert sent["text"]["content"].startswith("今日提要\n待走访 3")
    assert sent["enable_duplicate_check"] == 1
    first.refresh_from_db()
    assert (first.status, first.attempts, first.provider_code) == ("sent", 1, "0")
    assert first.provider_id.startswith("msg-")


def test_an_expired_token_is_asked_for_again_and_the_message_sent_once(wecom, worker):
    deliver(write(worker, channel="wecom").pk)
    wecom.expire_tokens()

    message = write(worker, channel="wecom", body="另一条")
    assert deliver(message.pk).sent

    assert len([r for r in wecom.requests if r["path"] == "/cgi-bin/gettoken"]) == 2
    assert len(wecom.delivered) == 2
    assert Message.objects.get(pk=message.pk).attempts == 1


def test_a_busy_platform_is_tried_again_after_a_pause_and_each_try_is_logged(wecom, worker):
    wecom.answers = [-1, 45009]
    message = write(worker, channel="wecom")

    assert deliver(message.pk).retry
    assert deliver(message.pk) is None  # not due yet: 30 s later
    with time_machine.travel(timezone.now() + later(31), tick=False):
        assert deliver(message.pk).retry  # rate limited: a minute more
    with time_machine.travel(timezone.now() + later(31 + 61), tick=False):
        assert deliver_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 3)
    assert list(Attempt.objects.filter(message=message).values_list("provider_code", flat=True)) == [
        "-1",
        "45009",
        "0",
    ]
    assert len(wecom.delivered) == 1


def test_an_http_error_is_tried_again(wecom, worker):
    wecom.answers = [502]
    message = write(worker, channel="wecom")

    outcome = deliver(message.pk)

    assert outcome.retry and outcome.http_status == 502
    assert Message.objects.get(pk=message.pk).status == "pending"


def test_a_try_that_timed_out_is_sent_again_and_the_member_gets_it_once(wecom, worker):
    wecom.stall = [0, 2]  # the token at once; the message answers after the 1 s timeout
    message = write(worker, channel="wecom")

    outcome = deliver(message.pk)
    assert outcome.retry and outcome.error == "timeout"
    with time_machine.travel(timezone.now() + later(40), tick=False):
        assert deliver_due() == 1

    assert len([r for r in wecom.requests if r["path"] == "/cgi-bin/message/send"]) == 2
    assert len(wecom.delivered) == 1  # dropped by the platform as a duplicate


def test_a_wrong_secret_gives_up_with_the_platforms_code(wecom, worker, settings):
    settings.WECOM_SECRET = "not-the-secret"
    message = write(worker, channel="wecom")

    outcome = deliver(message.pk)

    message.refresh_from_db()
    assert not outcome.sent and message.status == "failed"
    assert message.provider_code == "gettoken:40001"
    assert wecom.delivered == []


def test_a_member_the_app_does_not_know_is_given_up(wecom, worker):
    worker.message_contact.wecom_userid = "nobody"
    worker.message_contact.save()
    message = write(worker, channel="wecom")

    deliver(message.pk)

    message.refresh_from_db()
    assert (message.status, message.provider_code) == ("failed", "invaliduser")


def test_a_platform_that_cannot_be_reached_is_tried_again(worker, settings):
    from tests.servers import free_port

    settings.WECOM_API_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens
    settings.WECOM_CORP_ID, settings.WECOM_SECRET = providers.CORP_ID, providers.SECRET
    message = write(worker, channel="wecom")

    outcome = deliver(message.pk)

    assert outcome.retry and outcome.error == "connection"
    assert Message.objects.get(pk=message.pk).status == "pending"
