"""A POST sent again with the same Idempotency-Key (an answer lost on the way) is answered
as the first was and writes nothing; the same key with another request is refused; keys
are the caller's own, spent only by a success, and forgotten after IDEMPOTENCY_KEY_HOURS."""

import datetime
import uuid

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.idempotency import IdempotentPosts, forget_expired
from accounts.models import IdempotencyKey
from accounts.tasks import forget_idempotency_keys
from config.api import router
from households.models import Member
from monitoring.models import TierChange, Visit
from services.models import ServiceCase
from tests.households.factories import resident_id

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def staff(people):
    return client_of(people.staff)


def case(people, description="楼道灯坏了"):
    return {"household": people.household.pk, "category": "dispute", "description": description}


def test_a_retried_help_request_opens_one_case_and_answers_as_the_first(staff, people):
    key = str(uuid.uuid4())
    first = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert ServiceCase.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(staff, people):
    staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = staff.post(
        "/api/v1/cases/", case(people, "另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 422
    assert "another request" in response.json()["fields"]["Idempotency-Key"][0]
    assert ServiceCase.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused(staff, people):
    staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    visit = {"household": people.household.pk, "visited_at": "2026-11-25T09:00:00+08:00"}
    response = staff.post("/api/v1/visits/", visit, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_a_key_is_the_callers_own(people, grid, assign):
    first = client_of(people.staff).post(
        "/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    from grids.models import Role
    from tests.grids.factories import community_staff

    colleague = community_staff(username="colleague")
    assign(colleague, grid.community, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    second = client_of(colleague).post(
        "/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert not second.has_header("Idempotent-Replayed")
    assert ServiceCase.objects.count() == 2


def test_a_refused_request_does_not_spend_its_key(staff, people):
    refused = staff.post(
        "/api/v1/cases/", {**case(people), "category": "bogus"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    corrected = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert refused.status_code == 400 and "category" in refused.json()["fields"]
    assert corrected.status_code == 201
    assert ServiceCase.objects.count() == 1


@pytest.mark.parametrize(
    "key", ["", "x" * 256, "clé-accentuée", "tab\there"], ids=["empty", "too long", "not ascii", "control"]
)
def test_a_malformed_key_is_refused_naming_the_header(staff, people, key):
    response = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not ServiceCase.objects.exists()


def test_a_key_is_forgotten_after_its_hours(staff, people, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    first = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="k-4")

    with time_machine.travel(datetime.timedelta(hours=25)):
        later = staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="k-4")

    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert IdempotencyKey.objects.count() == 1  # the old row gave way to the new one


def test_the_hourly_job_deletes_only_expired_keys(staff, people, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    staff.post("/api/v1/cases/", case(people), format="json", HTTP_IDEMPOTENCY_KEY="old")
    with time_machine.travel(datetime.timedelta(hours=20)):
        staff.post("/api/v1/cases/", case(people, "新"), format="json", HTTP_IDEMPOTENCY_KEY="new")

    with time_machine.travel(datetime.timedelta(hours=25)):
        assert forget_idempotency_keys() == 1
        assert forget_expired() == 0

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_kept_answer_holds_no_personal_data_in_clear(people, grid):
    from tests.grids.factories import administrator

    admin = client_of(administrator(username="admin"))
    number = resident_id(datetime.date(1980, 1, 2), True)
    member = {
        "household": people.household.pk,
        "name": "李四",
        "relation": "spouse",
        "sex": "male",
        "ethnicity": "01",
        "birth_date": "1980-01-02",
        "id_number": number,
    }
    first = admin.post("/api/v1/members/", member, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    again = admin.post("/api/v1/members/", member, format="json", HTTP_IDEMPOTENCY_KEY="m-1")

    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert Member.objects.filter(name="李四").count() == 1
    kept = IdempotencyKey.objects.get(key="m-1")
    assert number not in kept.response and "李四" not in kept.response


def test_an_action_honours_the_key_too(staff, people):
    from tests.households.factories import default_tier

    body = {"tier": default_tier("red").pk, "reason": "住院"}
    url = f"/api/v1/households/{people.household.pk}/change-tier/"
    first = staff.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    again = staff.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")

    assert first.status_code == again.status_code == 200, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert TierChange.objects.filter(household=people.household, reason="住院").count() == 1


def test_a_post_without_a_key_is_carried_out_each_time(staff, people):
    staff.post("/api/v1/cases/", case(people), format="json")
    staff.post("/api/v1/cases/", case(people), format="json")

    assert ServiceCase.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("prefix", [prefix for prefix, _viewset, _basename in router().registry])
def test_every_route_of_the_api_honours_the_key(prefix):
    viewset = {p: v for p, v, _b in router().registry}[prefix]
    assert issubclass(viewset, IdempotentPosts)
