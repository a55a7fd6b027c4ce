"""A case's description, its timeline notes and a points entry's reason have a maximum
length, checked by the model (full_clean and the services) and said by the forms and the
API with the field and the limit. Nothing is written."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from common.validators import NOTE_MAX_LENGTH
from services.cases import add_note, change_status, open_case
from services.models import CaseEvent, PointEntry, PointRule, ServiceCase
from services.points import earn_points, reverse_entry

pytestmark = pytest.mark.django_db
HUGE = "x" * 2_000_000  # 2 MB: under the request size Django accepts
TOO_LONG = "记" * (NOTE_MAX_LENGTH + 1)


@pytest.fixture
def case(people):
    return open_case(
        household=people.household,
        category="help",
        description="水管坏了",
        urgency="normal",
        by=people.worker,
    )


def refused(call) -> dict:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def test_the_model_refuses_a_case_description_over_the_limit(people):
    errors = refused(
        lambda: open_case(
            household=people.household,
            category="help",
            description=TOO_LONG,
            urgency="normal",
            by=people.worker,
        )
    )

    assert list(errors) == ["description"]
    assert not ServiceCase.objects.exists()


def test_the_api_refuses_a_huge_case_description_naming_the_field_and_the_limit(people):
    api = APIClient()
    api.force_authenticate(people.staff)

    response = api.post(
        "/api/v1/cases/",
        {"household": people.household.pk, "category": "help", "description": HUGE},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["description"]
    assert str(NOTE_MAX_LENGTH) in response.json()["fields"]["description"][0]
    assert not ServiceCase.objects.exists()


def test_the_report_page_refuses_a_description_over_the_limit(people, client):
    client.force_login(people.worker)

    response = client.post(
        reverse("services:report", args=[people.household.pk]),
        {"category": "dispute", "urgency": "normal", "description": TOO_LONG, "key": str(uuid.uuid4())},
    )

    assert list(response.context["form"].errors) == ["description"]
    assert not ServiceCase.objects.exists()


def test_timeline_notes_over_the_limit_are_refused_by_the_services(case, people):
    assert list(refused(lambda: add_note(case=case, text=TOO_LONG, by=people.worker))) == ["text"]
    assert list(
        refused(lambda: change_status(case=case, status="resolved", note=TOO_LONG, by=people.worker))
    ) == ["text"]
    case.refresh_from_db()
    assert case.status == "open"
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["opened"]


def test_the_case_page_refuses_notes_over_the_limit(case, people, client):
    client.force_login(people.worker)
    url = reverse("services:case", args=[case.pk])

    note = client.post(url, {"action": "note", "text": TOO_LONG})
    status = client.post(url, {"action": "status", "status": "resolved", "text": TOO_LONG})

    assert list(note.context["note_form"].errors) == ["text"]
    assert list(status.context["status_form"].errors) == ["text"]
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_points_reason_over_the_limit_is_refused_by_the_service(people):
    rule = PointRule.objects.create(code="clean", name="楼道卫生", kind="civility", points=10)
    entry = earn_points(household=people.household, rule=rule, by=people.staff)

    assert list(
        refused(lambda: earn_points(household=people.household, rule=rule, by=people.staff, reason=TOO_LONG))
    ) == ["reason"]
    assert list(refused(lambda: reverse_entry(entry=entry, reason=TOO_LONG, by=people.staff))) == ["reason"]
    assert PointEntry.objects.count() == 1
