"""A county's or a province's wall shows figures, not tiles; the wall-count job counts
them ahead (every five minutes), so that such a wall reads a few rows instead of every
household's members and visits, and says when they were counted. Where the counts cannot
answer (stale, another day, a narrowing they do not hold, a scope the run did not count)
the database counts live."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from grids.models import Role
from monitoring.models import WallCount
from monitoring.wall import count_walls
from tests.grids.factories import GridUnitFactory, community_staff, level
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = [pytest.mark.django_db, pytest.mark.dates]
WEDNESDAY = datetime.date(2026, 11, 25)
EIGHT = datetime.datetime(2026, 11, 25, 8, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def wednesday():
    with time_machine.travel(EIGHT, tick=False):
        yield


@pytest.fixture
def too_many(monkeypatch):
    monkeypatch.setattr("monitoring.wall.TILE_LIMIT", 1)


def tiles(client, **params):
    response = client.get(reverse("monitoring:wall_tiles"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_job_counts_every_unit_above_the_buildings_per_tier(people, grid):
    VisitFactory(household=people.household, visited_by=people.worker, visited_at=at(WEDNESDAY, 7))

    written = count_walls(WEDNESDAY)

    counts = {(c.unit.code, c.tier.code): c for c in WallCount.objects.select_related("unit", "tier")}
    assert written == len(counts)
    # County, street, community, the east and west areas: no building, no floor.
    assert {unit for unit, _tier in counts} == {"XF", "S1", "C1", "A1", "A2"}
    assert (counts["C1", "yellow"].households, counts["C1", "yellow"].people) == (1, 1)
    assert counts["C1", "yellow"].visits_this_week == 1
    assert (counts["A2", "red"].households, counts["A2", "red"].visits_this_week) == (1, 0)
    assert ("A1", "red") not in counts
    assert {c.day for c in counts.values()} == {WEDNESDAY}


def test_a_second_run_replaces_the_first(people, grid):
    count_walls(WEDNESDAY)
    HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="201")

    count_walls(WEDNESDAY)

    assert WallCount.objects.get(unit=grid.community, tier__code="red").households == 2
    assert WallCount.objects.filter(unit=grid.community, tier__code="red").count() == 1


def test_a_wall_too_large_for_tiles_reads_the_counts_and_says_when(people, grid, client, too_many):
    count_walls(WEDNESDAY)
    # Made after the count: the wall shows the counted figures until the next run.
    late = HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="201")
    MemberFactory(household=late, name="刘一")
    client.force_login(people.staff)

    counted = tiles(client)
    count_walls(WEDNESDAY)
    recounted = tiles(client)

    assert counted["too_many"] == 2 and counted["counted_at"] == "08:00"
    assert (counted["figures"]["households"], counted["figures"]["people"]) == (2, 2)
    assert (recounted["figures"]["households"], recounted["figures"]["people"]) == (3, 3)


def test_the_leader_of_the_whole_deployment_reads_the_top_units_counts(people, grid, client, too_many):
    HouseholdFactory(unit=grid.building_2, tier=default_tier("green"), room="201")
    count_walls(WEDNESDAY)
    client.force_login(people.leader)

    data = tiles(client)

    assert data["figures"]["households"] == data["figures"]["scope_households"] == 3
    assert "counted_at" in data


def test_a_tier_filter_is_answered_from_the_counts(people, grid, client, too_many):
    count_walls(WEDNESDAY)
    client.force_login(people.staff)

    data = tiles(client, tier="red")

    assert (data["figures"]["households"], data["figures"]["scope_households"]) == (1, 2)
    assert "counted_at" not in data  # one red household: its tile is drawn


def test_counts_older_than_the_limit_give_way_to_live_counting(people, grid, client, too_many):
    count_walls(WEDNESDAY)
    HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="201")
    client.force_login(people.staff)

    with time_machine.travel(EIGHT + datetime.timedelta(minutes=16), tick=False):
        data = tiles(client)

    assert data["figures"]["households"] == 3 and "counted_at" not in data


def test_yesterdays_counts_are_not_todays(people, grid, client, too_many):
    count_walls(WEDNESDAY - datetime.timedelta(days=1))
    HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="201")
    client.force_login(people.staff)

    data = tiles(client)

    assert data["figures"]["households"] == 3 and "counted_at" not in data


def test_a_scope_of_buildings_is_counted_live(people, grid, client, too_many):
    HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("red"), room="601")
    count_walls(WEDNESDAY)
    client.force_login(people.worker)  # building 1's head

    data = tiles(client)

    assert data["figures"]["households"] == 2 and "counted_at" not in data


def test_the_counted_walls_queries_do_not_grow_with_the_households(people, grid, client, too_many):
    def queries():
        count_walls(WEDNESDAY)
        tiles(client)
        with CaptureQueriesContext(connection) as captured:
            tiles(client)
        return len(captured)

    client.force_login(people.leader)
    HouseholdFactory.create_batch(5, unit=grid.building_2, tier=default_tier("red"))
    few = queries()
    HouseholdFactory.create_batch(50, unit=grid.building_3, tier=default_tier("green"))
    many = queries()

    assert few == many


def test_a_scope_the_last_run_counted_nothing_of_is_counted_live(people, grid, client, too_many, assign):
    """Its households came after the run: the run's zeros, "counted at" now, would be
    untrue; the database counts."""
    new = GridUnitFactory(parent=grid.street, level=level("社区"), name="新社区", code="C2")
    area = GridUnitFactory(parent=new, level=level("片区"), name="新片区", code="C2A")
    building = GridUnitFactory(parent=area, level=level("楼栋"), name="9栋", code="C2B")
    count_walls(WEDNESDAY)
    HouseholdFactory(unit=building, tier=default_tier("red"), room="101")
    HouseholdFactory(unit=building, tier=default_tier("green"), room="102")
    staff = community_staff(username="new-staff")
    assign(staff, new, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client.force_login(staff)

    data = tiles(client)

    assert data["too_many"] == 2
    assert data["figures"]["households"] == 2 and "counted_at" not in data


def test_a_scope_of_two_units_one_of_them_uncounted_is_counted_live(people, grid, client, too_many, assign):
    """Two communities: one counted, the other empty at the run and not since. The sum of the
    first alone would leave the second's households out under a "counted at"."""
    new = GridUnitFactory(parent=grid.street, level=level("社区"), name="新社区", code="C2")
    building = GridUnitFactory(parent=new, level=level("楼栋"), name="9栋", code="C2B")
    count_walls(WEDNESDAY)
    staff = community_staff(username="two-communities")
    for community in (grid.community, new):
        assign(staff, community, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client.force_login(staff)
    from_counts = tiles(client)

    HouseholdFactory(unit=building, tier=default_tier("red"), room="101")
    live = tiles(client)

    assert "counted_at" in from_counts  # the empty one holds nothing the counts miss
    assert live["figures"]["households"] == from_counts["figures"]["households"] + 1
    assert "counted_at" not in live


def test_the_jobs_messages_expire_before_the_next_run_is_due():
    """A backlog on the engine queue runs one count, not every one it missed."""
    job = PeriodicTask.objects.get(task="monitoring.count_walls")

    assert job.crontab.minute == "*/5"
    assert 0 < job.expire_seconds < 5 * 60
