"""Resident ID numbers are ciphertext in the database (members and their history), read
back as numbers, searched and kept unique through a keyed digest."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction

from households.models import Member, MemberStatus
from tests.households.factories import HouseholdFactory, MemberFactory, resident_id

pytestmark = pytest.mark.django_db


def raw_rows(table, column="id_number"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column}, id_number_digest FROM {table}")
        return cursor.fetchall()


def test_the_column_holds_ciphertext_and_the_model_reads_the_number():
    member = MemberFactory()
    number = member.id_number

    [(stored, digest)] = raw_rows("households_member")

    assert stored.startswith("v1$") and number not in stored
    assert len(digest) == 64 and number not in digest
    assert Member.objects.get().id_number == number
    assert Member.objects.values_list("id_number", flat=True).get() == number


def test_the_history_table_holds_ciphertext_too():
    member = MemberFactory()
    member.name = "李四"
    member.save()

    rows = raw_rows("households_historicalmember")

    assert len(rows) == 2
    assert all(stored.startswith("v1$") and member.id_number not in stored for stored, _digest in rows)
    assert {h.id_number for h in member.history.all()} == {member.id_number}


def test_bulk_created_members_get_their_digests():
    household = HouseholdFactory()
    numbers = [resident_id(datetime.date(1980, 1, 1), True) for _ in range(3)]
    Member.objects.bulk_create(
        Member(
            household=household,
            name="张三",
            relation="child",
            sex="male",
            birth_date=datetime.date(1980, 1, 1),
            id_number=n,
        )
        for n in numbers
    )

    for number in numbers:
        assert Member.objects.with_id_number(number).get().id_number == number
    assert all(stored.startswith("v1$") and digest for stored, digest in raw_rows("households_member"))


def test_a_search_by_number_goes_through_the_digest_and_a_plain_filter_fails_loudly():
    member = MemberFactory()

    assert list(Member.objects.with_id_number(member.id_number.lower())) == [member]
    assert not Member.objects.with_id_number("").exists()
    with pytest.raises(FieldError, match="stored encrypted"):
        Member.objects.filter(id_number=member.id_number)
    with pytest.raises(FieldError):
        Member.objects.filter(id_number__startswith=member.id_number[:6])
    assert Member.objects.filter(id_number="").count() == 0  # "no number" is still a question


def test_a_member_without_a_number_stays_empty_with_no_digest():
    MemberFactory(id_number="", relation="child")

    assert raw_rows("households_member") == [("", "")]


def test_the_database_refuses_a_second_active_membership_by_digest():
    member = MemberFactory()
    other = HouseholdFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            household=other,
            name="同一人",
            relation="head",
            sex=member.sex,
            birth_date=member.birth_date,
            id_number=member.id_number,
        )
    member.status, member.left_on = MemberStatus.MOVED_OUT, datetime.date(2026, 1, 1)
    member.save()
    MemberFactory(household=other, id_number=member.id_number)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.django_db(transaction=True)  # committed, so that pg_dump's connection sees the rows
def test_a_dump_of_the_database_shows_no_id_number():
    numbers = [MemberFactory().id_number for _ in range(5)]
    for member in Member.objects.all():
        member.name = "改名"
        member.save()  # a history row each, too
    stored = [s for s, _d in raw_rows("households_member") + raw_rows("households_historicalmember")]

    dump = pg_dump()

    assert all(ciphertext in dump for ciphertext in stored)  # the rows are there, in the dump
    for number in numbers:
        assert number not in dump
        assert number[:14] not in dump  # nor its region and birth date
    digests = [d for _s, d in raw_rows("households_member")]
    assert len(set(digests)) == len(numbers) and not set(numbers) & set(digests)


def pg_dump() -> str:
    db = connection.settings_dict
    result = subprocess.run(
        [
            shutil.which("pg_dump") or "/usr/bin/pg_dump",
            "--data-only",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PGPASSWORD": db["PASSWORD"] or ""},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
