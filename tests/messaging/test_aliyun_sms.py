"""SMS through Aliyun's SendSms, against a server on loopback that checks the RPC signature
v1 as Aliyun does (HMAC-SHA1 over the sorted query), a nonce used once and the time."""

import json

import pytest
import time_machine
from django.utils import timezone

from messaging.channels import aliyun_signature
from messaging.models import Message
from messaging.sending import deliver, deliver_due
from tests.messaging import providers
from tests.messaging.helpers import later, write

pytestmark = pytest.mark.django_db


def test_a_signed_request_sends_the_template_to_the_phone(aliyun, worker):
    message = write(worker, channel="sms", subject="今日提要：待走访 3，漏访 1")

    assert deliver(message.pk).sent

    [sent] = aliyun.sent
    assert sent["PhoneNumbers"] == "13800138000"
    assert sent["SignName"] == providers.SIGN_NAME and sent["TemplateCode"] == providers.TEMPLATE_CODE
    assert json.loads(sent["TemplateParam"]) == {
        "kind": message.get_kind_display(),
        "summary": "今日提要：待走访 3，漏访 1",
    }
    assert sent["OutId"] == str(message.pk)
    # A form in the body: the phone number is in no URL (nor in a proxy's access log).
    assert aliyun.requests[0]["query"] == {}
    message.refresh_from_db()
    assert (message.status, message.provider_code, message.provider_id) == ("sent", "OK", "biz-1")


def test_the_signature_matches_aliyuns_documented_example():
    """The example of Aliyun's RPC signature documentation (AccessKeySecret "testsecret")."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }

    assert aliyun_signature(params, "testsecret", method="GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_a_wrong_secret_is_refused_by_the_provider_and_given_up(aliyun, worker, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    message = write(worker, channel="sms")

    outcome = deliver(message.pk)

    assert outcome.http_status == 400 and not outcome.retry
    message.refresh_from_db()
    assert (message.status, message.provider_code) == ("failed", "SignatureDoesNotMatch")
    assert aliyun.sent == []


def test_a_rate_limit_is_tried_again_with_a_new_nonce(aliyun, worker):
    aliyun.answers = ["isv.BUSINESS_LIMIT_CONTROL", 503]
    message = write(worker, channel="sms")

    assert deliver(message.pk).retry
    with time_machine.travel(timezone.now() + later(31), tick=False):
        assert deliver_due() == 0  # 503: tried again a minute later
    with time_machine.travel(timezone.now() + later(31 + 61), tick=False):
        assert deliver_due() == 1

    assert len(aliyun.sent) == 1 and len(aliyun.nonces) == 3
    assert Message.objects.get(pk=message.pk).attempts == 3


def test_a_number_the_provider_refuses_is_given_up(aliyun, worker):
    aliyun.answers = ["isv.MOBILE_NUMBER_ILLEGAL"]
    message = write(worker, channel="sms")

    deliver(message.pk)

    assert Message.objects.get(pk=message.pk).status == "failed"


def test_an_sms_without_an_answer_is_never_sent_twice(aliyun, worker):
    aliyun.stall = [2]
    message = write(worker, channel="sms")

    assert deliver(message.pk).uncertain
    with time_machine.travel(timezone.now() + later(7200), tick=False):
        assert deliver_due() == 0

    assert Message.objects.get(pk=message.pk).status == "unknown"
    assert len(aliyun.requests) == 1
