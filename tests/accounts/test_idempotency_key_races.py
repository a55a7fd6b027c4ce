"""The same request with the same Idempotency-Key sent twice at the same moment (a client
retrying on a timeout while its first attempt still runs): the second waits for the first
and replays its answer. Never two rows."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from services.models import ServiceCase
from tests.concurrency import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no second writer can wait"
    ),
]


def test_two_copies_at_once_open_one_case_and_both_answer_with_it(people):
    body = {"household": people.household.pk, "category": "dispute", "description": "楼道灯坏了"}

    def send():
        client = APIClient()
        client.force_authenticate(people.staff)
        return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-1")

    answers = at_once(send, times=3)

    assert [answer.status_code for answer in answers] == [201, 201, 201], answers
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert sum(answer.has_header("Idempotent-Replayed") for answer in answers) == 2
    assert ServiceCase.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
