"""A work group's robot (群机器人) posts the message and names the member; a post that got
no answer is not posted again by itself (the robot drops no duplicates)."""

import pytest
import time_machine
from django.utils import timezone

from messaging.models import Message
from messaging.sending import deliver, deliver_due
from tests.messaging import providers
from tests.messaging.helpers import later, write

pytestmark = pytest.mark.django_db


def test_the_robot_posts_the_text_to_its_group_naming_the_member(wecom, worker):
    message = write(worker, channel="wecom_robot")

    assert deliver(message.pk).sent

    [request] = wecom.requests
    assert request["path"] == "/cgi-bin/webhook/send" and request["query"] == {"key": providers.ROBOT_KEY}
    [post] = wecom.robot_posts
    assert post["msgtype"] == "text" and post["text"]["mentioned_list"] == ["ZhangSan"]
    assert post["text"]["content"].startswith("今日提要")


def test_a_post_without_an_answer_is_marked_unknown_and_not_posted_again(wecom, worker):
    wecom.stall = [2]
    message = write(worker, channel="wecom_robot")

    outcome = deliver(message.pk)
    with time_machine.travel(timezone.now() + later(3600), tick=False):
        assert deliver_due() == 0

    assert outcome.uncertain
    assert Message.objects.get(pk=message.pk).status == "unknown"
    assert len(wecom.requests) == 1


def test_a_robot_key_the_platform_does_not_know_is_given_up(wecom, worker):
    worker.message_contact.wecom_robot_key = "stale-key"
    worker.message_contact.save()
    message = write(worker, channel="wecom_robot")

    deliver(message.pk)

    message.refresh_from_db()
    assert (message.status, message.provider_code) == ("failed", "93000")
