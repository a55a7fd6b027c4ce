"""verify_audit walks the chain and names the first row where it breaks: a row changed
behind the application's back, rows deleted from the middle or from the start; a row
deleted from the end is found with the head hash kept from an earlier run (--head)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.events import record
from audit.models import Action, Outcome
from tests.audit.tamper import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    return [record(Action.LOGIN, username=f"user{i}", outcome=Outcome.OK) for i in range(6)]


def verify(*args):
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_sound_chain_is_reported_with_its_length_and_last_hash(chain):
    assert verify("--batch", "4") == f"The audit chain is sound: 6 rows, last hash {chain[-1].hash}.\n"


def test_a_row_changed_behind_the_applications_back_is_named(chain):
    tamper("UPDATE audit_auditevent SET outcome = 'failed' WHERE id = %s", [chain[2].pk])
    with pytest.raises(CommandError, match=f"row {chain[2].pk} was changed after it was written"):
        verify()


def test_a_row_whose_hash_was_recomputed_without_the_key_is_still_found(chain):
    import hashlib

    forged = hashlib.sha256(b"a guess").hexdigest()
    tamper("UPDATE audit_auditevent SET username = 'x', hash = %s WHERE id = %s", [forged, chain[2].pk])
    with pytest.raises(CommandError, match=f"row {chain[2].pk} was changed"):
        verify()


def test_a_row_deleted_from_the_middle_is_found_at_the_row_after_it(chain):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [chain[3].pk])
    with pytest.raises(CommandError, match=f"rows are missing before row {chain[4].pk}"):
        verify()


def test_rows_deleted_from_the_start_are_found(chain):
    tamper("DELETE FROM audit_auditevent WHERE id <= %s", [chain[1].pk])
    with pytest.raises(CommandError, match=f"rows are missing before row {chain[2].pk}"):
        verify()


def test_a_row_deleted_from_the_end_is_found_with_the_head_kept_from_an_earlier_run(chain):
    head = chain[-1].hash
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [chain[-1].pk])
    # Nothing after the last row names it: the chain left behind is sound ...
    assert verify().startswith("The audit chain is sound: 5 rows")
    # ... but it no longer holds the head an earlier run printed.
    with pytest.raises(CommandError, match="rows were deleted from the end"):
        verify("--head", head)


def test_a_head_still_in_the_chain_passes(chain):
    head = chain[3].hash
    record(Action.LOGOUT, username="user1")
    assert "7 rows" in verify("--head", head)


def test_an_empty_log_is_sound():
    assert verify() == f"The audit chain is sound: 0 rows, last hash {'0' * 64}.\n"
