"""The wall's tiles and figures (/wall/tiles/): scope, filters, marks, drill-down, refusals."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.models import Role
from households.models import MemberStatus, SpecialGroup
from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.services import change_tier, propose_tier_change
from services.models import ServiceCase, Urgency
from tests.grids.factories import GridUnitFactory, level
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
WEDNESDAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        yield


def tiles(client, **params):
    response = client.get(reverse("monitoring:wall_tiles"), params)
    assert response.status_code == 200, response.content
    return response.json()


def household_ids(data) -> set[int]:
    return {tile[0] for tile in data["tiles"]}


def by_id(data) -> dict[int, list]:
    return {tile[0]: tile for tile in data["tiles"]}


@pytest.fixture
def neighbour(grid):
    """A second community in the same street, with a household the first's staff never see."""
    community = GridUnitFactory(parent=grid.street, level=level("社区"), name="红路社区", code="C2")
    building = GridUnitFactory(parent=community, level=level("楼栋"), name="9栋", code="C2B9")
    return HouseholdFactory(unit=building, tier=default_tier("red"), room="101")


def test_staff_see_every_household_of_their_community_and_nothing_else(people, neighbour, client):
    client.force_login(people.staff)

    data = tiles(client)

    assert household_ids(data) == {people.household.pk, people.outside.pk}
    assert data["figures"]["households"] == 2
    assert data["figures"]["people"] == 2
    assert neighbour.pk not in household_ids(data)


def test_a_grid_worker_sees_their_building_only_in_tiles_and_figures(people, client):
    client.force_login(people.worker)

    data = tiles(client)

    assert household_ids(data) == {people.household.pk}
    assert data["figures"]["households"] == 1
    assert [t["code"] for t in data["tiers"]] == ["red", "yellow", "green"]
    assert [(row["tier"], row["households"]) for row in data["figures"]["per_tier"]] == [(1, 1)]


def test_a_unit_outside_the_scope_is_refused_as_if_it_did_not_exist(people, neighbour, client):
    client.force_login(people.staff)

    response = client.get(reverse("monitoring:wall_tiles"), {"unit": "C2"})
    unknown = client.get(reverse("monitoring:wall_tiles"), {"unit": "NO-SUCH-UNIT"})

    assert response.status_code == 400
    assert "unit" in response.json()["errors"]
    assert response.json() == unknown.json()


def test_tiles_are_laid_out_by_area_building_floor_from_the_top_and_room(people, grid, client):
    top = HouseholdFactory(unit=grid.floor_1_2, floor=9, room="901", entrance=1)
    second_entrance = HouseholdFactory(unit=grid.floor_1_2, floor=9, room="902", entrance=2)
    west = people.outside
    client.force_login(people.staff)

    data = tiles(client)

    order = [tile[0] for tile in data["tiles"]]
    assert order == [top.pk, second_entrance.pk, people.household.pk, west.pk]
    buildings = {b[0]: b for b in data["buildings"]}
    one = by_id(data)[top.pk]
    assert buildings[grid.building_1.pk][1:] == ["1栋", "苹果", 0]
    assert one[1:6] == [data["buildings"].index(buildings[grid.building_1.pk]), 1, 9, "901", 2]
    assert data["groups"] == ["东片区", "西片区"]


def test_drilling_down_to_a_floor_shows_its_households_only(people, grid, client):
    upstairs = HouseholdFactory(unit=grid.floor_1_2, floor=2, room="201")
    client.force_login(people.staff)

    assert household_ids(tiles(client, unit="B1F2")) == {upstairs.pk}
    assert household_ids(tiles(client, unit="B1")) == {upstairs.pk, people.household.pk}
    assert household_ids(tiles(client, unit="A2")) == {people.outside.pk}


def test_filters_by_tier_label_and_special_group(people, grid, client):
    from households.models import Label

    dibao = Label.objects.first()
    people.household.labels.add(dibao)
    alone = SpecialGroup.objects.first()
    member = MemberFactory(household=people.outside, name="李独居", relation="parent")
    member.special_groups.add(alone)
    gone = MemberFactory(
        household=HouseholdFactory(unit=grid.building_2), status=MemberStatus.MOVED_OUT, left_on=WEDNESDAY
    )
    gone.special_groups.add(alone)  # moved out: no longer makes the household one of the group
    client.force_login(people.staff)

    red = tiles(client, tier="red")
    labelled = tiles(client, label=dibao.code)
    grouped = tiles(client, group=alone.code)

    assert household_ids(red) == {people.outside.pk}
    assert household_ids(labelled) == {people.household.pk}
    assert household_ids(grouped) == {people.outside.pk}
    # The figures count what the filters keep, and say of how many.
    assert red["figures"]["households"] == 1
    assert red["figures"]["scope_households"] == 3


def test_an_unknown_filter_value_is_a_400_naming_the_field(people, client):
    client.force_login(people.staff)

    for params, field in [
        ({"tier": "purple"}, "tier"),
        ({"label": "nope"}, "label"),
        ({"mark": "x"}, "mark"),
    ]:
        response = client.get(reverse("monitoring:wall_tiles"), params)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]


def test_marks_for_a_missed_follow_up_an_urgent_case_and_a_pending_proposal(people, grid, client):
    missed = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="101")
    caught_up = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="102")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))
    mark_missed(WEDNESDAY)
    # Visited this morning: yesterday's miss has been made good, and marks nothing.
    VisitFactory(household=caught_up, visited_by=people.worker, visited_at=at(WEDNESDAY, 7))
    ServiceCase.objects.create(
        household=people.outside,
        category="help",
        description="漏水",
        urgency=Urgency.URGENT,
        opened_by=people.staff,
        due_on=WEDNESDAY,
    )
    ServiceCase.objects.create(
        household=people.outside,
        category="help",
        description="小事",
        opened_by=people.staff,
        due_on=WEDNESDAY,
    )
    propose_tier_change(household=people.household, tier=default_tier("red"), reason="失业", by=people.worker)
    client.force_login(people.staff)

    data = tiles(client)
    marks = {pk: tile[6] for pk, tile in by_id(data).items()}

    # The red household outside building 1 was missed yesterday too, and has the case.
    assert marks == {missed.pk: 1, caught_up.pk: 0, people.outside.pk: 3, people.household.pk: 4}
    assert data["figures"]["missed"] == 2
    assert data["figures"]["urgent_cases"] == 1
    assert data["figures"]["proposals"] == 1
    assert household_ids(tiles(client, mark="missed")) == {missed.pk, people.outside.pk}
    assert household_ids(tiles(client, mark="case")) == {people.outside.pk}
    assert household_ids(tiles(client, mark="any")) == {missed.pk, people.outside.pk, people.household.pk}


def test_people_per_tier_and_visits_this_week_with_shares(people, grid, client):
    MemberFactory(household=people.household, name="王小明", relation="child")
    MemberFactory(
        household=people.household,
        name="王老",
        relation="parent",
        status=MemberStatus.DECEASED,
        left_on=WEDNESDAY,
    )
    HouseholdFactory(unit=grid.building_2, tier=default_tier("yellow"))
    VisitFactory(household=people.household, visited_by=people.worker, visited_at=at(WEDNESDAY, 7))
    monday = WEDNESDAY - datetime.timedelta(days=2)
    VisitFactory(household=people.outside, visited_by=people.worker, visited_at=at(monday, 0))
    VisitFactory(
        household=people.outside,
        visited_by=people.worker,
        visited_at=at(monday, 0) - datetime.timedelta(minutes=1),
    )
    client.force_login(people.staff)

    figures = tiles(client)["figures"]

    per_tier = {row["tier"]: row for row in figures["per_tier"]}
    assert per_tier[0] == {
        "tier": 0,
        "households": 1,
        "people": 1,
        "household_share": 33.3,
        "people_share": 33.3,
    }
    assert per_tier[1]["households"] == 2 and per_tier[1]["people"] == 2
    assert figures["visits_this_week"] == 2


def test_the_query_count_does_not_grow_with_the_households(people, grid, client):
    def count():
        # The first request of a minute also writes the session's last-seen time.
        tiles(client, unit="C1")
        with CaptureQueriesContext(connection) as queries:
            tiles(client, unit="C1")
        return len(queries)

    client.force_login(people.staff)

    HouseholdFactory.create_batch(48, unit=grid.building_2)
    fifty = count()
    HouseholdFactory.create_batch(450, unit=grid.building_2)
    five_hundred = count()

    assert fifty == five_hundred
    assert five_hundred <= 10


def test_too_many_households_asks_to_drill_down_first_with_the_same_figures(people, client, monkeypatch):
    propose_tier_change(household=people.household, tier=default_tier("red"), reason="失业", by=people.worker)
    MemberFactory(household=people.household, name="王小明", relation="child")
    client.force_login(people.staff)
    counted_from_tiles = tiles(client)["figures"]
    monkeypatch.setattr("monitoring.wall.TILE_LIMIT", 1)

    whole = tiles(client)
    narrowed = tiles(client, tier="red")

    assert whole["too_many"] == 2 and "tiles" not in whole
    # Counted by the database instead of from the tiles, the figures are the same.
    assert whole["figures"] == counted_from_tiles
    assert narrowed["figures"]["households"] == 1 and narrowed["figures"]["scope_households"] == 2
    assert whole["figures"]["proposals"] == 1 and whole["figures"]["people"] == 3
    assert household_ids(narrowed) == {people.outside.pk}


def test_an_unchanged_wall_answers_304_and_a_changed_one_does_not(people, client):
    client.force_login(people.staff)
    first = client.get(reverse("monitoring:wall_tiles"))

    again = client.get(reverse("monitoring:wall_tiles"), HTTP_IF_NONE_MATCH=first["ETag"])
    change_tier(household=people.household, tier=default_tier("red"), reason="复评", by=people.staff)
    changed = client.get(reverse("monitoring:wall_tiles"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert changed.status_code == 200
    assert by_id(changed.json())[people.household.pk][5] == 0


def test_a_logged_out_wall_gets_401_not_the_login_page(client):
    response = client.get(reverse("monitoring:wall_tiles"))

    assert response.status_code == 401
    assert response.json() == {"error": "login"}


def test_administrators_see_every_community_and_a_grid_worker_not_others(people, neighbour, client):
    from tests.grids.factories import administrator

    client.force_login(administrator())
    everything = tiles(client)
    client.force_login(people.worker)
    refused = client.get(reverse("monitoring:wall_tiles"), {"unit": "A2"})

    assert household_ids(everything) == {people.household.pk, people.outside.pk, neighbour.pk}
    assert refused.status_code == 400


def test_a_grid_worker_on_two_floors_sees_both(grid, assign, client):
    from tests.grids.factories import grid_worker

    head = grid_worker(username="floorhead")
    assign(head, grid.floor_1_1, role=Role.FLOOR_HEAD, starts_on=datetime.date(2020, 1, 1))
    assign(head, grid.floor_1_2, role=Role.FLOOR_HEAD, starts_on=datetime.date(2020, 1, 1))
    one = HouseholdFactory(unit=grid.floor_1_1)
    two = HouseholdFactory(unit=grid.floor_1_2)
    HouseholdFactory(unit=grid.building_1)  # the building's own, on no floor of theirs
    client.force_login(head)

    assert household_ids(tiles(client)) == {one.pk, two.pk}
