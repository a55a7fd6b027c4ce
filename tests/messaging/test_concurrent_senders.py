"""Two sweeps at once (a worker's task and the minute's sweep, two workers): each message
reaches the member once."""

import pytest
from django.db import connection

from messaging.models import Attempt, Contact, Message
from messaging.sending import deliver_due
from tests.concurrency import at_once
from tests.grids.factories import UserFactory
from tests.messaging.helpers import write

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers"),
]


def test_two_sweeps_at_once_send_each_message_once(wecom, settings):
    settings.MESSAGES_QUIET_HOURS = ""
    for n in range(60):
        user = UserFactory(username=f"w{n}")
        Contact.objects.create(user=user, channel="wecom", wecom_userid=f"member{n}")
        write(user, key=f"k{n}", body=f"第 {n} 条")

    sent = at_once(deliver_due)

    assert sum(sent) == 60, sent  # between them, and neither raised
    assert len([r for r in wecom.requests if r["path"] == "/cgi-bin/message/send"]) == 60
    assert Message.objects.filter(status="sent").count() == Attempt.objects.count() == 60
