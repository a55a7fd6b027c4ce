"""``GET /api/v1/me/day/``: a worker's day in one call (what Today lists, the cases assigned to
them, the households behind both), scoped and masked as the lists are, in a fixed number of
queries, compressed, with an ETag; refusals in the API's one error shape."""

import datetime
import gzip
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.models import FollowUp
from services.models import CaseStatus, ServiceCase
from tests.grids.factories import UserFactory, grid_worker
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime.date(2026, 11, 25)
DAY = "/api/v1/me/day/"
# The user's permissions (2), the three lists of Today (1 each, 2 when cut) and the cases
# (1), whatever the size of the scope: 6 measured, the cap leaves room for a token's lookup.
QUERY_CAP = 10


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


def api(user=None):
    client = APIClient()
    client.cookies["django_language"] = "en"
    if user is not None:
        client.force_authenticate(user)
    return client


def a_week_of_follow_ups():
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))
    mark_missed(WEDNESDAY)
    generate_follow_ups(WEDNESDAY)


def case(household, assigned_to, **kwargs):
    return ServiceCase.objects.create(
        household=household,
        category="dispute",
        description="楼道灯坏了",
        assigned_to=assigned_to,
        due_on=kwargs.pop("due_on", WEDNESDAY + datetime.timedelta(days=2)),
        **kwargs,
    )


def test_a_worker_gets_what_today_lists_in_their_scope_and_nothing_outside_it(grid, people, client):
    red = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), floor=9, room="901")
    a_week_of_follow_ups()
    client.force_login(people.worker)
    today = client.get(reverse("monitoring:today"))

    day = api(people.worker).get(DAY).json()

    assert day["date"] == "2026-11-25"
    assert [f["id"] for f in day["due"]] == [f.pk for f in today.context["due"]]
    assert [f["id"] for f in day["missed"]] == [f.pk for f in today.context["missed"]]
    assert [f["id"] for f in day["week"]] == [f.pk for f in today.context["week"]]
    due = day["due"][0]
    assert due["household"] == red.pk and due["tier"] == "red" and due["status"] == "open"
    assert due["period_start"] == due["period_end"] == due["due_on"] == "2026-11-25"
    assert due["overdue"] is False
    assert day["missed"][0]["due_on"] == "2026-11-24" and day["missed"][0]["status"] == "missed"
    assert [h["id"] for h in day["households"]] == [people.household.pk, red.pk]  # walking order
    assert day["counts"] == {
        "due": 1,
        "overdue": 0,
        "missed": 1,
        "week": 1,
        "cases": 0,
        "cases_overdue": 0,
        "households": 2,
    }
    text = json.dumps(day, ensure_ascii=False)
    assert people.outside.number not in text and "张大山" not in text


def test_an_open_follow_up_past_its_day_is_due_and_counted_overdue(grid, people):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))  # not yet marked missed

    day = api(people.worker).get(DAY).json()

    assert [(f["household"], f["due_on"], f["overdue"]) for f in day["due"]] == [(red.pk, "2026-11-24", True)]
    assert day["counts"]["overdue"] == 1


def test_a_worker_gets_their_open_cases_and_only_theirs(grid, people):
    other = grid_worker(username="other")
    mine = case(people.household, people.worker)
    late = case(people.household, people.worker, due_on=WEDNESDAY - datetime.timedelta(days=1))
    case(people.household, people.worker, status=CaseStatus.CLOSED)
    case(people.household, other)
    case(people.outside, people.worker)  # assigned, but outside the worker's scope

    day = api(people.worker).get(DAY).json()

    assert [c["id"] for c in day["cases"]] == [late.pk, mine.pk]
    assert day["cases"][1]["description"] == "楼道灯坏了" and day["cases"][1]["overdue"] is False
    assert day["cases"][0]["overdue"] is True
    assert day["counts"]["cases"] == 2 and day["counts"]["cases_overdue"] == 1
    assert [h["id"] for h in day["households"]] == [people.household.pk]


def test_staff_get_their_whole_scope_as_today_shows_it(grid, people):
    west = HouseholdFactory(unit=grid.building_3, tier=default_tier("red"), room="101")
    a_week_of_follow_ups()

    day = api(people.staff).get(DAY).json()

    households = {h["id"] for h in day["households"]}
    assert {people.household.pk, people.outside.pk, west.pk} <= households
    assert day["counts"]["due"] == FollowUp.objects.filter(status="open", due_on__lte=WEDNESDAY).count()


def test_household_fields_are_the_lists_own_values_phone_included(grid, people):
    generate_follow_ups(WEDNESDAY)
    listed = api(people.worker).get("/api/v1/households/").json()["results"]
    member = api(people.worker).get("/api/v1/members/", {"household": people.household.pk}).json()
    listed = next(h for h in listed if h["id"] == people.household.pk)

    worker = api(people.worker).get(DAY).json()["households"][0]
    staff = next(h for h in api(people.staff).get(DAY).json()["households"] if h["id"] == people.household.pk)

    for field in ("id", "number", "building", "unit", "entrance", "floor", "room", "tier", "status"):
        assert worker[field] == listed[field], field
    assert worker["head_name"] == member["results"][0]["name"] == "王小红"
    # The phone as the list and the card show it: the worker calls the family on it.
    assert worker["phone"] == staff["phone"] == listed["phone"] == "13912345678"
    # Nothing the lists keep for the card: no ID numbers, members, origins or labels.
    assert set(worker) == {
        "id",
        "number",
        "building",
        "building_name",
        "unit",
        "entrance",
        "floor",
        "room",
        "tier",
        "status",
        "head_name",
        "phone",
    }


def test_a_worker_with_no_assignment_gets_an_empty_day(grid, people):
    a_week_of_follow_ups()
    newcomer = grid_worker(username="newcomer")

    response = api(newcomer).get(DAY)

    assert response.status_code == 200
    day = response.json()
    assert day["due"] == day["missed"] == day["week"] == day["cases"] == day["households"] == []
    assert set(day["counts"].values()) == {0}


def _scope_of(grid, people, households: int, start: int = 0):
    """A worker's building with this many red households (due today, missed yesterday),
    each with a head, and a case on each fifth (in stairwell 2: people.household is in 1)."""
    for n in range(start, start + households):
        household = HouseholdFactory(
            unit=grid.floor_1_2,
            entrance=2,
            tier=default_tier("red"),
            floor=1 + n // 10,
            room=f"{1 + n // 10}{n % 10:02d}",
        )
        MemberFactory(household=household)
        if n % 5 == 0:
            case(household, people.worker)
    a_week_of_follow_ups()


@pytest.mark.parametrize("households", [5, 50])
def test_the_day_takes_the_same_few_queries_for_5_or_50_households(
    grid, people, households, django_assert_max_num_queries
):
    _scope_of(grid, people, households)
    client = api(people.worker)

    with django_assert_max_num_queries(QUERY_CAP):
        response = client.get(DAY)

    day = response.json()
    assert day["counts"]["due"] == households and day["counts"]["missed"] == households
    assert len(day["households"]) == households + 1


def test_the_number_of_queries_does_not_grow_with_the_scope(grid, people):
    client = api(people.worker)
    client.get(DAY)  # the user's permissions, read once and kept on the user as a request does
    counts = []
    for start, households in [(0, 5), (5, 45)]:
        _scope_of(grid, people, households, start)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DAY).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_day_is_sent_gzip_compressed(grid, people):
    _scope_of(grid, people, 20)

    response = api(people.worker).get(DAY, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.content)
    assert len(json.loads(body)["households"]) == 21
    assert len(response.content) < len(body) / 3


def test_an_unchanged_day_is_a_304_and_a_visit_changes_it(grid, people):
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups(WEDNESDAY)
    client = api(people.worker)
    first = client.get(DAY, HTTP_ACCEPT_ENCODING="gzip")
    tag = first["ETag"]  # weakened by the compression: sent back as it came

    again = client.get(DAY, HTTP_IF_NONE_MATCH=tag)
    VisitFactory(household=red, visited_by=people.worker, visited_at=at(WEDNESDAY, 7))
    red.follow_ups.update(status="done")
    changed = client.get(DAY, HTTP_IF_NONE_MATCH=tag)

    assert again.status_code == 304 and again.content == b"" and again["ETag"]
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert changed.json()["due"] == []


def test_a_query_parameter_is_a_400_naming_it(people):
    response = api(people.worker).get(DAY, {"date": "2026-11-26", "worker": "3"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "date": ["Unknown query parameter."],
        "worker": ["Unknown query parameter."],
    }


def test_without_credentials_a_401_in_the_one_error_shape(db):
    response = api().get(DAY)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "fields"}


def test_a_user_without_the_lists_permissions_is_refused(db):
    response = api(UserFactory(username="nobody")).get(DAY)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_schema_documents_the_day_and_its_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"][DAY]["get"]
    responses = operation["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Day"}
    assert "ETag" in responses["200"]["headers"] and "304" in responses
    for code in ("400", "401", "403", "405", "406"):
        assert responses[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert {p["name"] for p in operation["parameters"]} == {"If-None-Match"}
    day = schema["components"]["schemas"]["Day"]["properties"]
    assert {"date", "counts", "due", "missed", "week", "cases", "households"} <= set(day)
