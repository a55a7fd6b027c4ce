"""The rows every card and API response adds commit without waiting for the disk, in their
own transaction only: nothing else's durability changes."""

import pytest
from django.db import connection, transaction

from audit.events import GENESIS, expected_hash, record
from audit.models import Action, AuditEvent, Outcome
from tests.grids.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's synchronous_commit"),
]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_a_read_row_chains_as_any_other_and_leaves_the_connection_as_it_was():
    user = UserFactory()
    first = record(Action.LOGIN, user=user)
    read = record(Action.VIEWED, user=user, target=user, detail={"full_id_numbers": False})

    assert synchronous_commit() == "on"
    read.refresh_from_db()
    assert read.previous_hash == first.hash != GENESIS and expected_hash(read) == read.hash


def test_a_read_inside_a_callers_transaction_leaves_its_commit_as_it_was():
    user = UserFactory()
    with transaction.atomic():
        record(Action.API_READ, user=user, target=user, detail={"fields": ["id_number"]})
        assert synchronous_commit() == "on"
    record(Action.REVEALED, user=user, target=user, outcome=Outcome.REFUSED, detail={"refusal": "scope"})
    assert AuditEvent.objects.count() == 2
