"""A phone's outbox of visits sent when the network returns (POST /api/v1/visits/batch/,
JSON or multipart with the photos): each visit saved or refused on its own with the reason
the visit form gives, the rest of the queue saved; the same queue sent twice writes once;
an expired session is told so and nothing is saved."""

import datetime
import io
import json
import uuid

import pytest
import time_machine
from PIL import Image
from rest_framework.test import APIClient

from households.services import update_household
from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, FollowUpStatus, TierProposal, Visit
from services.models import ServiceCase
from tests.grids.factories import grid_worker
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
URL = "/api/v1/visits/batch/"


@pytest.fixture(autouse=True)
def wednesday_evening():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 18, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"
    return client


def visit(household, **overrides):
    return {
        "key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_at": "2026-11-25T10:00:00+08:00",
        "mode": "door",
        "notes": "一切正常",
        "needs": [],
        **overrides,
    }


def jpeg(size=(1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "orange").save(out, format="JPEG", quality=95)
    return out.getvalue()


def photo(content: bytes, name="door.jpg"):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def send(api, items, **files):
    return api.post(URL, {"items": json.dumps(items), **files}, format="multipart")


def test_a_queue_with_photos_is_saved_each_visit_with_its_own_photo(api, people):
    generate_follow_ups()
    with_photo, without = (
        visit(people.household),
        visit(people.household, visited_at="2026-11-25T11:00:00+08:00"),
    )

    response = send(api, [with_photo, without], **{f"photo-{with_photo['key']}": photo(jpeg())})

    results = response.json()["results"]
    assert response.status_code == 200
    assert [(r["key"], r["status"]) for r in results] == [
        (with_photo["key"], "created"),
        (without["key"], "created"),
    ]
    saved = Visit.objects.get(pk=results[0]["id"])
    assert saved.photo and Image.open(saved.photo).format == "JPEG"
    assert not Visit.objects.get(pk=results[1]["id"]).photo
    assert FollowUp.objects.get(household=people.household).status == FollowUpStatus.DONE


def moved_out(household):
    update_household(
        household=household,
        changes={"status": "moved_out", "moved_out_on": datetime.date(2026, 11, 24)},
        by=None,
    )


# Each kind of bad input of the issue, sent between two good visits: it is refused with
# the field and the reason, and both good visits are saved.
BAD_INPUT = {
    "a household outside the worker's scope": (
        lambda people: visit(people.outside),
        {},
        "household",
        "No such household in your scope",
    ),
    "a household that moved out while the phone was offline": (
        lambda people: (moved_out(people.household_2), visit(people.household_2))[1],
        {},
        "household",
        "no longer followed up",
    ),
    "a visit dated after the moment of sync": (
        lambda people: visit(people.household, visited_at="2026-11-25T18:30:00+08:00"),
        {},
        "visited_at",
        "cannot be in the future",
    ),
    "a visit dated before the household moved in": (
        lambda people: visit(people.household, visited_at="2020-01-02T10:00:00+08:00"),
        {},
        "visited_at",
        "had not moved here yet",
    ),
    "a photo that is not an image": (
        lambda people: visit(people.household),
        {"content": b"%PDF-1.4 not a photo", "name": "door.jpg"},
        "photo",
        "not a photo",
    ),
    "a photo that is too large": (
        lambda people: visit(people.household),
        {"content": b"\xff" * (5 * 1024 * 1024 + 1), "name": "door.jpg"},
        "photo",
        "larger than 5 MB",
    ),
    "a photo taken in the future": (
        lambda people: visit(people.household, photo_taken_at="2026-11-26T09:00:00+08:00"),
        {"content": jpeg(), "name": "door.jpg"},
        "photo",
        "taken after this moment",
    ),
}


@pytest.fixture
def household_2(people, grid):
    people.household_2 = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    return people.household_2


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_per_item_with_its_reason_and_the_rest_saved(api, people, household_2, case):
    people.household.relocated_on = datetime.date(2024, 3, 1)
    people.household.save(update_fields=["relocated_on"])
    make, upload, field, reason = case
    bad = make(people)
    before, after = visit(people.household), visit(people.household, visited_at="2026-11-25T12:00:00+08:00")
    files = {f"photo-{bad['key']}": photo(upload["content"], upload["name"])} if upload else {}

    results = send(api, [before, bad, after], **files).json()["results"]

    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert list(results[1]["errors"]) == [field]
    assert reason in results[1]["errors"][field][0]
    assert Visit.objects.filter(key=bad["key"]).count() == 0
    assert Visit.objects.count() == 2


def test_the_reason_is_given_in_the_users_language(api, people, household_2):
    api.cookies["django_language"] = "zh-hans"
    moved_out(household_2)

    result = send(api, [visit(household_2)]).json()["results"][0]

    assert result["errors"] == {"household": ["该户已不再随访（已迁出），不再记录走访。"]}


def test_the_same_queue_sent_twice_writes_once(api, people):
    generate_follow_ups()
    queue = [visit(people.household), visit(people.household, visited_at="2026-11-24T09:00:00+08:00")]

    def files():  # a fresh file for each sending
        return {f"photo-{queue[0]['key']}": photo(jpeg())}

    first = send(api, queue, **files()).json()["results"]
    again = send(api, queue, **files()).json()["results"]

    assert [r["status"] for r in first] == ["created", "created"]
    assert again == [{"key": r["key"], "status": "duplicate", "id": r["id"]} for r in first]
    assert Visit.objects.count() == 2
    assert Visit.objects.exclude(photo="").count() == 1


def test_two_phones_visits_to_one_household_in_one_period_are_both_saved_and_the_follow_up_done_once(
    people, grid, assign
):
    from grids.models import Role

    generate_follow_ups()
    other = grid_worker(username="parttime")
    assign(other, grid.building_1, role=Role.BUILDING_HEAD, starts_on=datetime.date(2020, 1, 1))
    follow_up = FollowUp.objects.get(household=people.household)
    answers = []
    for worker, visited_at in [
        (people.worker, "2026-11-24T09:00:00+08:00"),
        (other, "2026-11-25T15:00:00+08:00"),
    ]:
        client = APIClient()
        client.force_authenticate(worker)
        sent = [visit(people.household, visited_at=visited_at)]
        answers.append(client.post(URL, sent, format="json").json()["results"][0])

    follow_up.refresh_from_db()
    assert [a["status"] for a in answers] == ["created", "created"]
    assert Visit.objects.filter(household=people.household).count() == 2
    assert follow_up.status == FollowUpStatus.DONE and follow_up.visit_id == answers[0]["id"]
    assert FollowUp.objects.filter(household=people.household, status=FollowUpStatus.DONE).count() == 1


def test_a_tier_proposal_made_at_the_door_is_saved_with_its_visit_or_neither(api, people):
    red = default_tier("red")
    proposing = visit(people.household, propose_tier=red.pk, proposal_reason="户主住院")
    no_reason = visit(people.household, visited_at="2026-11-25T11:00:00+08:00", propose_tier=red.pk)

    results = api.post(URL, [proposing, no_reason], format="json").json()["results"]

    assert [r["status"] for r in results] == ["created", "rejected"]
    assert list(results[1]["errors"]) == ["proposal_reason"]
    assert TierProposal.objects.get().visit_id == results[0]["id"]
    assert Visit.objects.count() == 1


def test_what_json_cannot_mean_is_refused_naming_the_field(api, people):
    items = [
        visit(people.household, notes=["a", "list"]),
        visit(people.household, needs="employment"),
        visit(people.household, colour="red"),
        visit(people.household, photo="data:image/jpeg;base64,AAAA"),
        visit(people.household, key="not-a-uuid"),
        {**visit(people.household), "household": 10**30},
    ]

    results = api.post(URL, items, format="json").json()["results"]

    assert [list(r["errors"]) for r in results] == [
        ["notes"],
        ["needs"],
        ["colour"],
        ["photo"],
        ["key"],
        ["household"],
    ]
    assert not Visit.objects.exists()


def test_a_photo_that_belongs_to_no_visit_refuses_the_request_before_anything_is_saved(api, people):
    response = send(api, [visit(people.household)], **{f"photo-{uuid.uuid4()}": photo(jpeg())})

    assert response.status_code == 400
    assert "belong to no item" in response.json()["fields"]["non_field_errors"][0]
    assert not Visit.objects.exists()


def test_items_that_are_not_json_are_a_400(api, people):
    response = api.post(URL, {"items": "[{"}, format="multipart")

    assert response.status_code == 400 and list(response.json()["fields"]) == ["non_field_errors"]


def logged_in_phone(people):
    """A phone as the browser makes it: the session cookie and the CSRF token's header."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people.worker)
    client.get("/")  # the page that sets the CSRF cookie
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    return client


def test_the_phones_session_and_csrf_header_are_enough(people):
    phone = logged_in_phone(people)

    response = phone.post(URL, [visit(people.household)], format="json")

    assert response.status_code == 200 and response.json()["results"][0]["status"] == "created"


@pytest.mark.parametrize("kind", ["visits", "proposals", "cases"])
def test_a_session_that_expired_offline_is_told_so_and_nothing_is_saved(people, kind):
    phone = logged_in_phone(people)
    item = {
        "visits": visit(people.household),
        "proposals": {
            "key": str(uuid.uuid4()),
            "household": people.household.pk,
            "tier": 1,
            "reason": "户主住院",
        },
        "cases": {
            "key": str(uuid.uuid4()),
            "household": people.household.pk,
            "category": "dispute",
            "urgency": "normal",
            "description": "漏水",
        },
    }[kind]

    with time_machine.travel(datetime.datetime(2026, 11, 26, 9, tzinfo=SHANGHAI), tick=False):
        response = phone.post(f"/api/v1/{kind}/batch/", [item], format="json")

    # 401 with the token's WWW-Authenticate: the phone asks for the password and keeps its queue.
    assert response.status_code == 401 and "message" in response.json()
    assert response["Content-Type"] == "application/json"
    assert (
        not Visit.objects.exists() and not TierProposal.objects.exists() and not ServiceCase.objects.exists()
    )
