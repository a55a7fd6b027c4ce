"""Resident ID numbers are ciphertext in the database (members and their history), read
back as numbers, searched and kept unique through a keyed digest."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from households.models import LedgerImportStatus, Member, MemberStatus
from tests.grids.factories import GridUnitFactory, level
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
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: pg_dump sees it
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


def all_ciphertext_with_digests():
    rows = raw_rows("households_member") + raw_rows("households_historicalmember")
    return rows and all(s.startswith("v1$") and len(d) == 64 for s, d in rows if s)


def test_the_demo_seed_writes_ciphertext_and_digests():
    call_command("seed_demo", households=20, no_progress=True, password="demo-pass-1", history_days=0)

    assert all_ciphertext_with_digests()
    for member in Member.objects.exclude(id_number="")[:20]:
        assert list(Member.objects.with_id_number(member.id_number)) == [member]


def test_the_ledger_import_writes_ciphertext_and_refuses_a_person_active_elsewhere(
    client, people, grid, django_capture_on_commit_callbacks
):
    from tests.households.ledger_files import sample_ledger
    from tests.households.test_ledger_import import confirm, upload

    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    client.force_login(people.staff)
    households, members = sample_ledger(["4栋"], 5, members=1)

    done = confirm(
        client,
        django_capture_on_commit_callbacks,
        upload(client, django_capture_on_commit_callbacks, households, members),
    )

    assert done.status == LedgerImportStatus.DONE, done.errors
    assert all_ciphertext_with_digests()
    head = households[0]["身份证号"]
    assert Member.objects.with_id_number(head).get().household.number == households[0]["户编号"]
    # The same people again, at other addresses: the check finds them by digest.
    again, again_members = sample_ledger(["4栋"], 5, first_number=100, members=1)
    for fresh, old in zip(again, households, strict=True):
        fresh["身份证号"] = old["身份证号"]
    refused = upload(client, django_capture_on_commit_callbacks, again, again_members)
    assert refused.status == LedgerImportStatus.INVALID
    assert {e["column"] for e in refused.errors} >= {"身份证号"}
