"""Errors come back as a client can use them, in one shape (``code``, ``message``,
``fields``): fields named, and a database constraint hit
by two saves at the same moment a 400 with the rule's own words (never the value)."""

import pytest
from django.db import IntegrityError, connection, transaction

from common.api import exception_handler
from households.models import Member
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db


def integrity_error(make_duplicate) -> IntegrityError:
    try:
        with transaction.atomic():
            make_duplicate()
    except IntegrityError as error:
        return error
    raise AssertionError("the database accepted the duplicate")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the constraint's name comes from PostgreSQL")
def test_a_constraint_the_database_enforced_is_a_400_in_the_rules_words():
    first = MemberFactory()
    twin = Member(
        household=MemberFactory().household,
        name="孪生",
        relation="child",
        sex=first.sex,
        birth_date=first.birth_date,
        id_number=first.id_number,
    )
    error = integrity_error(lambda: Member.objects.bulk_create([twin]))

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "此人已是其他住户的在册家庭成员。",
        "fields": {"non_field_errors": ["此人已是其他住户的在册家庭成员。"]},
    }
    assert first.id_number not in str(response.data)


def test_a_rule_across_fields_is_under_non_field_errors():
    from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

    response = exception_handler(
        ValidationError({NON_FIELD_ERRORS: ["户主只能有一位。"], "name": ["必填"]}), {}
    )

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "户主只能有一位。",
        "fields": {"non_field_errors": ["户主只能有一位。"], "name": ["必填"]},
    }


def test_an_error_of_another_status_that_names_a_field_keeps_it_under_fields():
    from rest_framework.exceptions import APIException

    class Gone(APIException):
        status_code = 410
        default_code = "gone"

    response = exception_handler(Gone({"cursor": ["请从空游标重新拉取。"]}), {})

    assert response.status_code == 410
    assert response.data == {
        "code": "gone",
        "message": "请从空游标重新拉取。",
        "fields": {"cursor": ["请从空游标重新拉取。"]},
    }
