"""manage.py rotate_keys: every ID number (members and history) under the new key, every
digest under the new index key; the old keys can then go."""

import base64
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from common import crypto
from households.models import Member
from tests.grids.factories import administrator
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db


def key(key_id, byte):
    return f"{key_id}:{base64.b64encode(byte * 32).decode()}"


KEY_A, KEY_B = key("a", b"a"), key("b", b"b")
INDEX_1, INDEX_2 = key("i1", b"1"), key("i2", b"2")


def stored(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {table} WHERE id_number <> ''")
        return [row[0] for row in cursor.fetchall()]


def rotate(**options):
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def under_key_a(settings):
    settings.FIELD_ENCRYPTION_KEYS = KEY_A
    settings.FIELD_BLIND_INDEX_KEYS = INDEX_1
    members = MemberFactory.create_batch(3)
    for member in members:
        member.name = "改名"
        member.save()
    return {m.pk: m.id_number for m in members}


def test_after_rotating_from_a_to_b_and_removing_a_every_number_reads_and_is_found(
    settings, under_key_a, client
):
    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"
    settings.FIELD_BLIND_INDEX_KEYS = f"{INDEX_2},{INDEX_1}"

    report = rotate(batch_size=2)

    assert "households.Member.id_number: 3 rows, 3 re-encrypted, 3 re-indexed" in report
    assert "households.HistoricalMember.id_number: 6 rows, 6 re-encrypted, 6 re-indexed" in report
    assert all(
        s.startswith("v1$b$") for s in stored("households_member") + stored("households_historicalmember")
    )
    settings.FIELD_ENCRYPTION_KEYS = KEY_B
    settings.FIELD_BLIND_INDEX_KEYS = INDEX_2
    for pk, number in under_key_a.items():
        member = Member.objects.get(pk=pk)
        assert member.id_number == number
        assert {h.id_number for h in member.history.all()} == {number}
        assert list(Member.objects.with_id_number(number)) == [member]
    client.force_login(administrator())
    some = next(iter(under_key_a.values()))
    found = client.post(reverse("admin:households_household_find"), {"query": some}).context["results"]
    assert [h.pk for h in found] == [Member.objects.with_id_number(some).get().household_id]


def test_a_second_run_has_nothing_left_to_do(settings, under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"
    rotate()

    assert "Done: 9 rows, 0 re-encrypted, 0 re-indexed" in rotate()


def test_searches_still_find_between_a_new_index_key_and_the_rotation(settings, under_key_a):
    settings.FIELD_BLIND_INDEX_KEYS = f"{INDEX_2},{INDEX_1}"

    for number in under_key_a.values():
        assert Member.objects.with_id_number(number).exists()


def test_a_key_removed_before_rotating_is_named_and_nothing_reads_wrong(settings, under_key_a):
    settings.FIELD_ENCRYPTION_KEYS = KEY_B

    with pytest.raises(crypto.DecryptionError, match="'a'"):
        Member.objects.first().id_number  # noqa: B018
    with pytest.raises(CommandError, match="run rotate_keys before removing a key"):
        rotate()


def test_numbers_written_before_encryption_are_encrypted_and_indexed(settings, under_key_a):
    # What the data migration meets: numbers in clear, no digests.
    with connection.cursor() as cursor:
        for pk, number in under_key_a.items():
            cursor.execute(
                "UPDATE households_member SET id_number = %s, id_number_digest = '' WHERE id = %s",
                [number, pk],
            )

    assert "3 re-encrypted, 3 re-indexed" in rotate()
    assert not set(under_key_a.values()) & set(stored("households_member"))
    for number in under_key_a.values():
        assert Member.objects.with_id_number(number).get().id_number == number


def test_the_cipher_can_change_too(settings, under_key_a):
    settings.FIELD_ENCRYPTION_CIPHER = crypto.AES_256_GCM

    rotate()

    assert all(s.split("$")[2] == crypto.AES_256_GCM for s in stored("households_member"))
    assert {m.pk: m.id_number for m in Member.objects.all()} == under_key_a


def test_it_prints_a_fresh_key_for_the_settings():
    [line] = rotate(new_key="k3").splitlines()

    assert crypto.parse_keys("FIELD_ENCRYPTION_KEYS", line).keys() == {"k3"}
