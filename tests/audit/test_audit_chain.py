import pytest

from audit.events import GENESIS, expected_hash, record
from audit.models import Action, AuditEvent, Outcome
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_row_names_the_hash_of_the_row_before():
    user = UserFactory()
    first = record(Action.LOGIN, user=user)
    second = record(
        Action.VIEWED, user=user, target=user, outcome=Outcome.OK, detail={"fields": ["id_number"]}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert expected_hash(first) == first.hash
    assert expected_hash(second) == second.hash
    assert second.target_type == "auth.user" and second.target_ids == [user.pk]


def test_rows_cannot_be_changed_or_deleted_through_the_orm():
    event = record(Action.LOGIN, username="nobody", outcome=Outcome.FAILED)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome=Outcome.OK)
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).outcome == Outcome.FAILED
