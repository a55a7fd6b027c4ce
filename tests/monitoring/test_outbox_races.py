"""The same proposal or problem sent twice at the same moment (a phone syncing while its
first attempt's answer was lost on the way): one row, and both answers name it."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from monitoring.models import TierProposal
from monitoring.services import send_proposal
from services.cases import report_problem
from services.models import ServiceCase
from tests.households.factories import default_tier

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no second writer can wait"
    ),
]


def while_the_first_is_being_saved(save_first, request):
    """Run ``request()`` in a thread while this connection saves the first copy, committed
    only once the request waits for it; return the request's answer and the first row."""
    answer = {}

    def run():
        try:
            answer["response"] = request()
        finally:
            connection.close()

    with transaction.atomic():
        first = save_first()
        thread = threading.Thread(target=run)
        thread.start()
        with connection.cursor() as cursor:
            for _ in range(500):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
                )
                if cursor.fetchone()[0]:
                    break
                thread.join(0.01)
            else:
                pytest.fail("the second request never waited for the first")
    thread.join()
    return answer["response"], first


def phone(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_proposal_sent_twice_at_once_is_saved_once(people):
    key = uuid.uuid4()
    red = default_tier("red")
    sent = [{"key": str(key), "household": people.household.pk, "tier": red.pk, "reason": "户主住院"}]

    response, first = while_the_first_is_being_saved(
        lambda: send_proposal(
            household=people.household, tier=red, reason="户主住院", by=people.worker, key=key
        ),
        lambda: phone(people.worker).post("/api/v1/proposals/batch/", sent, format="json"),
    )

    assert response.json()["results"] == [{"key": str(key), "status": "duplicate", "id": first.proposal.pk}]
    assert TierProposal.objects.count() == 1


def test_a_problem_sent_twice_at_once_opens_one_case(people):
    key = uuid.uuid4()
    fields = {"category": "dispute", "urgency": "normal", "description": "邻里漏水纠纷"}
    sent = [{"key": str(key), "household": people.household.pk, **fields}]

    response, first = while_the_first_is_being_saved(
        lambda: report_problem(household=people.household, by=people.worker, key=key, **fields),
        lambda: phone(people.worker).post("/api/v1/cases/batch/", sent, format="json"),
    )

    assert response.json()["results"] == [{"key": str(key), "status": "duplicate", "id": first.case.pk}]
    assert ServiceCase.objects.count() == 1
