"""Quiet hours (21:00–07:00 Asia/Shanghai by default): what is not urgent waits on a
channel that buzzes a phone, and goes when they end; urgent messages go at once."""

import datetime

import pytest
import time_machine

from messaging.models import Contact, Message
from messaging.sending import deliver, deliver_due, quiet_until
from tests.messaging.helpers import write
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 11, 25)


def test_quiet_hours_run_from_the_evening_to_the_morning_in_local_time():
    assert quiet_until(at(D, 20)) is None
    assert quiet_until(at(D, 21)) == at(D + datetime.timedelta(days=1), 7)
    assert quiet_until(at(D, 6)) == at(D, 7)
    assert quiet_until(at(D, 7)) is None


def test_a_message_written_at_night_waits_for_the_morning(wecom, worker):
    with time_machine.travel(at(D, 22), tick=False):
        message = write(worker, channel="wecom")
        assert deliver(message.pk) is None
        assert deliver_due() == 0
    with time_machine.travel(
        at(
            D + datetime.timedelta(days=1),
            6,
        )
        + datetime.timedelta(minutes=59),
        tick=False,
    ):
        assert deliver_due() == 0
    with time_machine.travel(at(D + datetime.timedelta(days=1), 7), tick=False):
        assert deliver_due() == 1

    assert len(wecom.delivered) == 1
    assert Message.objects.get(pk=message.pk).next_attempt_at == at(D + datetime.timedelta(days=1), 7)


def test_an_urgent_message_goes_at_once_at_night(aliyun, worker):
    with time_machine.travel(at(D, 23), tick=False):
        message = write(worker, channel="sms", urgent=True)
        assert deliver(message.pk).sent

    assert len(aliyun.sent) == 1


def test_e_mail_is_not_held_it_buzzes_no_phone(worker):
    from django.core import mail

    with time_machine.travel(at(D, 23), tick=False):
        message = write(worker, channel="email")
        assert deliver(message.pk).sent

    assert [m.to for m in mail.outbox] == [["floor@example.org"]]


def test_someone_who_turned_quiet_hours_off_hears_at_once(wecom, worker):
    Contact.objects.filter(user=worker).update(quiet_hours=False)
    with time_machine.travel(at(D, 23), tick=False):
        assert deliver(write(worker, channel="wecom").pk).sent


def test_a_site_without_quiet_hours_sends_at_any_hour(wecom, worker, settings):
    settings.MESSAGES_QUIET_HOURS = ""
    with time_machine.travel(at(D, 3), tick=False):
        assert deliver(write(worker, channel="wecom").pk).sent
