"""Another system keeps a copy of the lists it may read: a full pull with an empty
``cursor``, then, night after night, only what changed, with the ids of rows it no longer
sees; its copy is then what the API shows the same caller."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from households.models import Household, Member, Relation
from households.services import add_member, update_household, update_member
from services.cases import change_status, open_case
from tests.households.factories import HouseholdFactory, MemberFactory
from tests.monitoring.factories import VisitFactory

pytestmark = pytest.mark.django_db

SYNCED = [
    ("/api/v1/households/", {}),
    ("/api/v1/households/", {"status": "active"}),
    ("/api/v1/members/", {}),
    ("/api/v1/visits/", {}),
    ("/api/v1/cases/", {}),
]


def pull(client, path, params, cursor, copy, size=7):
    """Apply the feed to ``copy`` until it has no more; the cursor to keep, and how many
    requests it took."""
    requests = 0
    while True:
        response = client.get(path, {**params, "cursor": cursor, "page_size": size})
        assert response.status_code == 200, response.content
        body = response.json()
        requests += 1
        for row in body["results"]:
            copy[row["id"]] = row
        for pk in body["removed"]:
            copy.pop(pk, None)
        cursor = body["cursor"]
        if not body["has_more"]:
            return cursor, requests


def as_seen(client, path, params):
    """The list as the caller sees it now, by numbered pages."""
    rows, number = {}, 1
    while True:
        body = client.get(path, {**params, "page": number, "page_size": 200}).json()
        rows.update({row["id"]: row for row in body["results"]})
        if not body["next"]:
            return rows
        number += 1


@pytest.fixture
def settlement(people, grid):
    """The worker sees building 1; building 2 lies outside their scope, next door."""
    inside = [HouseholdFactory(unit=grid.floor_1_1 if i % 2 else grid.floor_1_2) for i in range(12)]
    outside = [HouseholdFactory(unit=grid.building_2) for _ in range(4)]
    for household in inside + outside:
        MemberFactory(household=household)
        MemberFactory(household=household, relation=Relation.SPOUSE, sex="female")
    for household in inside[:6]:
        VisitFactory(household=household, visited_by=people.worker, visited_at=timezone.now())
    cases = [
        open_case(household=household, category="help", description="漏水", urgency="normal", by=people.staff)
        for household in inside[:4]
    ]
    return inside, outside, cases


def test_a_full_pull_then_an_incremental_one_leave_the_copy_equal_to_what_the_caller_sees(
    people, grid, settlement
):
    inside, outside, cases = settlement
    client = APIClient()
    client.force_authenticate(people.worker)
    start = timezone.now()
    copies, cursors = {}, {}
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=True):
        for path, params in SYNCED:
            key = path + str(params)
            copies[key] = {}
            cursors[key], _ = pull(client, path, params, "", copies[key])
            assert copies[key] == as_seen(client, path, params)

        # 20 changes: out of scope and into it, moved out, left, joined, renamed, visited, closed.
        for household in inside[:3]:
            update_household(
                household=household,
                changes={"building": grid.building_2, "unit": grid.building_2},
                by=people.staff,
            )
        for household in outside[:2]:
            update_household(
                household=household,
                changes={"building": grid.building_1, "unit": grid.floor_1_2},
                by=people.staff,
            )
        for household in inside[3:6]:
            update_household(
                household=household,
                changes={"status": "moved_out", "moved_out_on": timezone.localdate()},
                by=people.staff,
            )
        leaving = Member.objects.filter(household__in=inside[6:9], relation=Relation.SPOUSE)
        for member in leaving:
            update_member(
                member=member,
                changes={"status": "moved_out", "left_on": timezone.localdate()},
                by=people.staff,
            )
        for household in inside[9:11]:
            add_member(
                member=Member(
                    household=household,
                    name="新生儿",
                    relation=Relation.CHILD,
                    sex="male",
                    birth_date=datetime.date(2026, 1, 5),
                ),
                by=people.staff,
            )
        for member in Member.objects.filter(household__in=inside[9:11], relation=Relation.HEAD):
            update_member(member=member, changes={"name": "改名"}, by=people.staff)
        for household in inside[6:8]:
            VisitFactory(household=household, visited_by=people.worker, visited_at=timezone.now())
        change_status(case=cases[3], status="in_progress", by=people.staff)
        open_case(
            household=inside[11], category="help", description="停电", urgency="normal", by=people.staff
        )
        update_household(household=inside[11], changes={"phone": "13900001111"}, by=people.staff)

        for path, params in SYNCED:
            key = path + str(params)
            cursors[key], requests = pull(client, path, params, cursors[key], copies[key], size=50)
            assert requests == 1
            assert copies[key] == as_seen(client, path, params), key

    households = copies["/api/v1/households/{}"]
    assert set(households) == set(Household.objects.visible_to(people.worker).values_list("pk", flat=True))
    assert {h.pk for h in outside[:2]} <= set(households) and not {h.pk for h in inside[:3]} & set(households)
    assert not {h.pk for h in inside[3:6]} & set(copies["/api/v1/households/{'status': 'active'}"])

    # Later, nothing new: nothing is sent twice.
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=True):
        for path, params in SYNCED:
            response = client.get(path, {**params, "cursor": cursors[path + str(params)]})
            assert (response.json()["results"], response.json()["removed"]) == ([], [])


def test_a_tombstone_names_the_row_and_nothing_about_who(people, grid, settlement):
    inside, _outside, _cases = settlement
    client = APIClient()
    client.force_authenticate(people.worker)
    cursor = client.get("/api/v1/members/", {"cursor": "", "page_size": 200}).json()["cursor"]

    update_household(
        household=inside[0], changes={"building": grid.building_3, "unit": grid.building_3}, by=people.staff
    )
    body = client.get("/api/v1/members/", {"cursor": cursor}).json()

    assert body["results"] == []
    assert sorted(body["removed"]) == sorted(inside[0].members.values_list("pk", flat=True))
    assert all(isinstance(pk, int) for pk in body["removed"])


def test_a_row_the_caller_never_saw_is_not_named_when_it_changes(people, grid, settlement):
    _inside, outside, _cases = settlement
    client = APIClient()
    client.force_authenticate(people.worker)
    cursor = client.get("/api/v1/households/", {"cursor": ""}).json()["cursor"]

    update_household(household=outside[0], changes={"phone": "13900002222"}, by=people.staff)
    update_household(
        household=outside[1], changes={"building": grid.building_3, "unit": grid.building_3}, by=people.staff
    )
    body = client.get("/api/v1/households/", {"cursor": cursor}).json()

    assert (body["results"], body["removed"]) == ([], [])


def test_writes_during_a_pull_neither_skip_nor_repeat_a_row(people, settlement):
    inside, _outside, _cases = settlement
    client = APIClient()
    client.force_authenticate(people.worker)
    start = timezone.now()
    sent = []
    with time_machine.travel(start + datetime.timedelta(hours=1), tick=True):
        body = client.get("/api/v1/households/", {"cursor": "", "page_size": 4}).json()
        sent += [row["id"] for row in body["results"]]
        # One already sent changes, one not yet sent changes, a new one arrives.
        update_household(
            household=Household.objects.get(pk=sent[0]), changes={"phone": "13900003333"}, by=people.staff
        )
        later = next(h for h in inside if h.pk not in sent)
        update_household(household=later, changes={"phone": "13900004444"}, by=people.staff)
        new = HouseholdFactory(unit=people.household.unit)
        while body["has_more"]:
            body = client.get("/api/v1/households/", {"cursor": body["cursor"], "page_size": 4}).json()
            sent += [row["id"] for row in body["results"]]

    visible = set(Household.objects.visible_to(people.worker).values_list("pk", flat=True))
    assert set(sent) == visible and new.pk in sent
    changed_after_sending = {sent[0]}
    assert sorted(pk for pk in sent if sent.count(pk) > 1) == sorted(changed_after_sending) * 2


def test_a_row_whose_change_commits_after_a_later_one_was_sent_is_still_sent(people, settlement):
    """A transaction stamps updated_at at save() and may commit after another that stamped
    later: the feed's look-back window finds it, and sends the other no second time."""
    inside, _outside, _cases = settlement
    client = APIClient()
    client.force_authenticate(people.worker)
    cursor = client.get("/api/v1/households/", {"cursor": "", "page_size": 200}).json()["cursor"]
    update_household(household=inside[5], changes={"phone": "13900005555"}, by=people.staff)
    body = client.get("/api/v1/households/", {"cursor": cursor}).json()
    assert [row["id"] for row in body["results"]] == [inside[5].pk]

    # Committed now, stamped a second before the row just sent.
    earlier = Household.objects.get(pk=inside[5].pk).updated_at - datetime.timedelta(seconds=1)
    Household.objects.filter(pk=inside[6].pk).update(phone="13900006666", updated_at=earlier)
    body = client.get("/api/v1/households/", {"cursor": body["cursor"]}).json()

    assert [row["id"] for row in body["results"]] == [inside[6].pk]


def test_numbered_pages_still_work_and_ties_are_broken_by_id(people, settlement):
    client = APIClient()
    client.force_authenticate(people.staff)
    Household.objects.update(updated_at=timezone.now())  # every row ties
    seen = []
    for number in (1, 2, 3, 4):
        body = client.get(
            "/api/v1/households/", {"ordering": "updated_at", "page": number, "page_size": 5}
        ).json()
        seen += [row["id"] for row in body["results"]]
        if not body["next"]:
            break

    assert len(seen) == len(set(seen)) == Household.objects.visible_to(people.staff).count()


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "nonsense"},
        {"cursor": "eyJwIjpudWxsfQ:1abc:def"},
    ],
)
def test_an_unknown_cursor_is_a_400_naming_it(people, params):
    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"

    response = client.get("/api/v1/households/", params)

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "cursor": ["Unknown cursor: send one this list answered, or an empty one."]
    }


def test_a_cursor_sent_with_other_filters_or_to_another_list_is_a_400(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"
    cursor = client.get("/api/v1/households/", {"cursor": "", "status": "active"}).json()["cursor"]

    for path, params in [("/api/v1/households/", {}), ("/api/v1/members/", {"status": "active"})]:
        response = client.get(path, {**params, "cursor": cursor})
        assert response.status_code == 400
        assert list(response.json()["fields"]) == ["cursor"]


def test_a_cursor_does_not_go_with_a_page_number_or_an_ordering(people):
    client = APIClient()
    client.force_authenticate(people.worker)

    response = client.get("/api/v1/households/", {"cursor": "", "page": "2", "ordering": "number"})

    assert response.status_code == 400 and set(response.json()["fields"]) == {"page", "ordering"}


def test_a_cursor_given_before_the_callers_scope_changed_is_a_410(people, grid, assign):
    from grids.models import Role

    client = APIClient()
    client.force_authenticate(people.worker)
    client.cookies["django_language"] = "en"
    cursor = client.get("/api/v1/households/", {"cursor": ""}).json()["cursor"]

    assign(people.worker, grid.building_3, role=Role.BUILDING_HEAD, starts_on=datetime.date(2020, 1, 1))
    response = client.get("/api/v1/households/", {"cursor": cursor})

    assert response.status_code == 410
    assert response.json()["fields"] == {
        "cursor": ["Your scope has changed since this cursor: pull again from an empty cursor."]
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units/",
        "/api/v1/households/",
        "/api/v1/members/",
        "/api/v1/tier-changes/",
        "/api/v1/follow-ups/",
        "/api/v1/visits/",
        "/api/v1/cases/",
        "/api/v1/labour-records/",
        "/api/v1/income-records/",
        "/api/v1/warnings/",
        "/api/v1/point-entries/",
    ],
)
def test_every_synced_list_answers_the_feed(people, settlement, path):
    client = APIClient()
    client.force_authenticate(people.staff)

    body = client.get(path, {"cursor": ""}).json()

    assert set(body) == {"results", "removed", "cursor", "has_more", "next"}
    assert body["cursor"] and body["removed"] == []


@pytest.mark.parametrize(
    "path", ["/api/v1/households/", "/api/v1/members/", "/api/v1/visits/", "/api/v1/cases/", "/api/v1/units/"]
)
def test_a_feed_page_of_100_costs_the_queries_of_a_page_of_5(people, grid, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(110):
        household = HouseholdFactory(unit=grid.floor_1_1, room=str(7000 + i))
        MemberFactory(household=household)
        VisitFactory(household=household, visited_by=people.staff, visited_at=timezone.now())
        open_case(household=household, category="help", description="漏水", urgency="normal", by=people.staff)
    client = APIClient()
    client.force_authenticate(people.worker)

    def count(size):
        client.get(path, {"cursor": "", "page_size": size})  # permissions cached, as on a busy server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"cursor": "", "page_size": size})
        assert response.status_code == 200 and response.json()["results"]
        return len(queries)

    assert count(5) == count(100)


def test_a_household_written_without_history_is_still_told_gone_when_it_moves_out(people, grid, settlement):
    inside, _outside, _cases = settlement
    Household.history.filter(id=inside[0].pk).delete()  # as the demo's COPY writes them
    client = APIClient()
    client.force_authenticate(people.worker)
    cursor = client.get("/api/v1/households/", {"cursor": "", "page_size": 200}).json()["cursor"]

    update_household(
        household=inside[0], changes={"building": grid.building_3, "unit": grid.building_3}, by=people.staff
    )
    body = client.get("/api/v1/households/", {"cursor": cursor}).json()

    assert (body["results"], body["removed"]) == ([], [inside[0].pk])
