"""The migration that encrypts the ID numbers already stored (members and history), and
its way back."""

import pytest
from django.db import connection

from households.models import Member
from tests.households.factories import MemberFactory
from tests.migrations import migrate as migrate_to
from tests.migrations import migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = ("households", "0012_followed_since")
AFTER = ("households", "0013_encrypt_id_numbers")


def stored():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number FROM households_member UNION ALL "
            + "SELECT id_number FROM households_historicalmember"
        )
        return [row[0] for row in cursor.fetchall()]


def migrate(target):
    migrate_to([target])


def test_numbers_stored_in_clear_are_encrypted_by_the_migration_and_decrypted_by_its_reverse():
    members = MemberFactory.create_batch(3)
    for member in members:
        member.name = "改名"
        member.save()
    numbers = {m.pk: m.id_number for m in members}
    try:
        migrate(BEFORE)

        assert sorted(stored()) == sorted(list(numbers.values()) * 3)  # in clear, as before

        migrate(AFTER)
    finally:
        migrate_to_latest()

    assert all(s.startswith("v1$") for s in stored()) and not set(numbers.values()) & set(stored())
    for pk, number in numbers.items():
        assert Member.objects.with_id_number(number).get().pk == pk
        assert {h.id_number for h in Member.objects.get(pk=pk).history.all()} == {number}
