"""A client's key names a visit for its own author only, and the same submission sent
twice (one after the other, or at the same moment) answers with the visit it saved."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from grids.models import Role
from monitoring.followups import record_visit
from monitoring.models import Visit
from tests.grids.factories import grid_worker
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_worker(grid, assign):
    """A worker of building 3, in another area: people.outside is theirs."""
    worker = grid_worker(username="west")
    assign(worker, grid.building_3, role=Role.BUILDING_HEAD)
    return worker


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(household, key, **overrides):
    return {
        "household": household.pk,
        "visited_at": "2026-11-25T09:00:00+08:00",
        "mode": "door",
        "notes": "一切正常",
        "key": str(key),
        **overrides,
    }


def test_another_users_key_records_their_own_visit_and_shows_nothing_of_the_first(people, other_worker):
    key = uuid.uuid4()
    api_for(people.worker).post(
        "/api/v1/visits/", body(people.household, key, notes="王家：老人住院"), format="json"
    )

    response = api_for(other_worker).post("/api/v1/visits/", body(people.outside, key), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["household"] == people.outside.pk
    assert "老人住院" not in response.content.decode()
    assert Visit.objects.filter(key=key).count() == 2
    batch = api_for(other_worker).post("/api/v1/visits/batch/", [body(people.outside, key)], format="json")
    assert batch.json()["results"][0]["id"] == response.json()["id"]


def test_a_key_used_again_by_its_author_for_another_household_is_refused_naming_the_key(grid, people):
    from tests.households.factories import HouseholdFactory

    neighbour = HouseholdFactory(unit=grid.building_1)
    key = uuid.uuid4()
    api = api_for(people.worker)
    api.post("/api/v1/visits/", body(people.household, key), format="json")

    single = api.post("/api/v1/visits/", body(neighbour, key), format="json")
    batch = api.post("/api/v1/visits/batch/", [body(neighbour, key)], format="json").json()["results"][0]

    assert single.status_code == 400 and list(single.json()["fields"]) == ["key"]
    assert str(key) in single.json()["fields"]["key"][0]
    assert batch["status"] == "rejected" and list(batch["errors"]) == ["key"]
    assert not Visit.objects.filter(household=neighbour).exists()


def test_the_same_submission_twice_answers_like_the_first(people):
    api = api_for(people.worker)
    sent = body(people.household, uuid.uuid4())

    first = api.post("/api/v1/visits/", sent, format="json")
    again = api.post("/api/v1/visits/", sent, format="json")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


# At the same moment: the first request's row is written but not committed when the second
# arrives, so the second finds nothing, waits on the unique key, and must answer with what
# the first saved. A third connection plays the first request, holding its transaction
# open until PostgreSQL shows the request waiting for it.

only_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no second writer can wait"
)


def while_a_first_copy_is_being_saved(people, key, request):
    """Run ``request()`` in a thread while this connection saves the same visit and commits
    only once the request waits for it; return the request's answer and the first visit."""
    answer = {}

    def run():
        try:
            answer["response"] = request()
        finally:
            connection.close()

    with transaction.atomic():
        first, _created = record_visit(
            household=people.household, by=people.worker, visited_at=at(people.today, 9), mode="door", key=key
        )
        thread = threading.Thread(target=run)
        thread.start()
        with connection.cursor() as cursor:
            for _ in range(500):
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
                )
                if cursor.fetchone()[0]:
                    break
                thread.join(0.01)
            else:
                pytest.fail("the second request never waited for the first")
    thread.join()
    return answer["response"], first


def visit_form(people, key):
    return {
        "mode": "door",
        "visited_at": f"{people.today:%Y-%m-%d}T09:00",
        "notes": "一切正常",
        "key": str(key),
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@only_on_postgresql
def test_a_double_tapped_visit_form_saves_one_visit_and_answers_both(people, test_today, client):
    people.today = test_today
    client.force_login(people.worker)
    key = uuid.uuid4()
    url = reverse("monitoring:log_visit", args=[people.household.pk])

    response, first = while_a_first_copy_is_being_saved(
        people, key, lambda: client.post(url, visit_form(people, key))
    )

    assert response.status_code == 302 and response.url == reverse(
        "households:card", args=[people.household.pk]
    )
    assert list(Visit.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@only_on_postgresql
def test_racing_api_submissions_both_answer_with_the_saved_visit(people, test_today):
    people.today = test_today
    key = uuid.uuid4()
    sent = body(people.household, key, visited_at=f"{test_today}T09:00:00+08:00")

    response, first = while_a_first_copy_is_being_saved(
        people, key, lambda: api_for(people.worker).post("/api/v1/visits/", sent, format="json")
    )

    assert response.status_code == 201, response.content
    assert response.json()["id"] == first.pk and response["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@only_on_postgresql
def test_racing_batches_answer_duplicate_with_the_saved_visit(people, test_today):
    people.today = test_today
    key = uuid.uuid4()
    sent = [body(people.household, key, visited_at=f"{test_today}T09:00:00+08:00")]

    response, first = while_a_first_copy_is_being_saved(
        people, key, lambda: api_for(people.worker).post("/api/v1/visits/batch/", sent, format="json")
    )

    assert response.json()["results"] == [{"key": str(key), "status": "duplicate", "id": first.pk}]
    assert Visit.objects.count() == 1


def test_a_key_used_again_by_its_author_for_another_time_is_refused_too(people):
    key = uuid.uuid4()
    api = api_for(people.worker)
    api.post("/api/v1/visits/", body(people.household, key), format="json")

    later = api.post(
        "/api/v1/visits/", body(people.household, key, visited_at="2026-11-25T15:00:00+08:00"), format="json"
    )

    assert later.status_code == 400 and list(later.json()["fields"]) == ["key"]
    assert Visit.objects.count() == 1
