"""The wall's figures count what its filters keep (tier, label, special group, mark), and
say of how many households of the scope; the same whether the tiles are fetched or the
scope is too large for one wall and the database counts."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from households.models import Label, SpecialGroup
from monitoring.followups import generate_follow_ups, mark_missed
from monitoring.services import propose_tier_change
from monitoring.wall import count_walls
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


@pytest.fixture(params=["tiles", "database", "wall counts"])
def path(request, monkeypatch):
    """Every way of counting: from the fetched tiles, by the database for a scope over
    TILE_LIMIT, and from the wall-count job's rows for such a scope (counted after the
    test's households were made: ``path`` is every test's last fixture)."""
    if request.param != "tiles":
        monkeypatch.setattr("monitoring.wall.TILE_LIMIT", 1)
    if request.param == "wall counts":
        count_walls(WEDNESDAY)
    return request.param


@pytest.fixture
def community(people, grid):
    """The community of ``people`` (a yellow and a red household, one member each) and:
    a labelled red household of three people visited this week, a green household with
    a person living alone, a yellow household with a pending proposal, a missed red one."""
    labelled = HouseholdFactory(unit=grid.building_2, tier=default_tier("red"), room="201")
    MemberFactory(household=labelled, name="刘一")
    for name in ["刘二", "刘三"]:
        MemberFactory(household=labelled, name=name, relation="child")
    labelled.labels.add(Label.objects.first())
    VisitFactory(household=labelled, visited_by=people.worker, visited_at=at(WEDNESDAY, 7))
    alone = HouseholdFactory(unit=grid.building_2, tier=default_tier("green"), room="202")
    MemberFactory(household=alone, name="孤老").special_groups.add(SpecialGroup.objects.first())
    proposed = HouseholdFactory(unit=grid.building_3, tier=default_tier("yellow"), room="301")
    propose_tier_change(household=proposed, tier=default_tier("red"), reason="失业", by=people.worker)
    missed = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="102")
    generate_follow_ups(WEDNESDAY - datetime.timedelta(days=1))
    mark_missed(WEDNESDAY)
    return {"labelled": labelled, "alone": alone, "proposed": proposed, "missed": missed}


def figures(client, **params):
    response = client.get(reverse("monitoring:wall_tiles"), params)
    assert response.status_code == 200, response.content
    return response.json()


def per_tier(data) -> dict[str, int]:
    return {data["tiers"][row["tier"]]["code"]: row["households"] for row in data["figures"]["per_tier"]}


def test_without_a_filter_the_figures_count_the_whole_scope(community, people, client, path):
    client.force_login(people.staff)

    data = figures(client)

    f = data["figures"]
    assert f["households"] == f["scope_households"] == 6
    assert f["people"] == f["scope_people"] == 6
    assert f["narrowed"] is False
    assert per_tier(data) == {"red": 3, "yellow": 2, "green": 1}
    assert f["visits_this_week"] == 1
    assert f["proposals"] == 1


def test_a_tier_filter_counts_that_tier_only_with_its_people_and_visits(community, people, client, path):
    client.force_login(people.staff)

    data = figures(client, tier="red")

    f = data["figures"]
    assert f["narrowed"] is True
    assert (f["households"], f["scope_households"]) == (3, 6)
    assert (f["people"], f["scope_people"]) == (4, 6)
    assert per_tier(data) == {"red": 3}
    assert f["per_tier"][0]["household_share"] == 100.0
    assert f["visits_this_week"] == 1
    assert f["proposals"] == 0
    # The legend keeps the scheme's tiers: the red tile is still named among its colours.
    assert [t["code"] for t in data["tiers"]] == ["red", "yellow", "green"]


def test_a_label_filter_counts_the_labelled_households(community, people, client, path):
    client.force_login(people.staff)

    f = figures(client, label=Label.objects.first().code)["figures"]

    assert (f["households"], f["people"], f["scope_households"]) == (1, 3, 6)
    assert f["visits_this_week"] == 1


def test_a_special_group_filter_counts_the_households_of_the_group(community, people, client, path):
    client.force_login(people.staff)

    data = figures(client, group=SpecialGroup.objects.first().code)

    assert (data["figures"]["households"], data["figures"]["people"]) == (1, 1)
    assert per_tier(data) == {"green": 1}
    assert data["figures"]["visits_this_week"] == 0


def test_a_mark_filter_counts_the_marked_households_and_their_marks(community, people, client, path):
    client.force_login(people.staff)

    proposals = figures(client, mark="proposal")["figures"]
    missed = figures(client, mark="missed")["figures"]

    assert (proposals["households"], proposals["proposals"], proposals["missed"]) == (1, 1, 0)
    assert missed["households"] == missed["missed"] >= 1
    assert missed["proposals"] == 0
    assert missed["scope_households"] == 6


def test_a_filter_nothing_matches_counts_nothing_and_keeps_the_legend(people, client, path):
    client.force_login(people.staff)

    data = figures(client, tier="green")

    assert data["figures"]["households"] == 0 and data["figures"]["scope_households"] == 2
    assert data["figures"]["per_tier"] == []
    assert [t["code"] for t in data["tiers"]] == ["red", "yellow", "green"]


def test_both_paths_count_the_same_figures(community, people, client, monkeypatch):
    client.force_login(people.staff)
    filters = [{}, {"tier": "red"}, {"label": Label.objects.first().code}, {"mark": "missed"}]
    fetched = [figures(client, **f)["figures"] for f in filters]
    monkeypatch.setattr("monitoring.wall.TILE_LIMIT", 1)

    counted = [figures(client, **f)["figures"] for f in filters]

    assert counted == fetched


def test_narrowing_adds_no_query_on_either_path(community, people, client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.staff)
    figures(client)
    with CaptureQueriesContext(connection) as whole:
        figures(client)
    with CaptureQueriesContext(connection) as narrowed:
        figures(client, tier="red", mark="missed")

    if path == "wall counts":  # a mark is not counted ahead: the database counts it
        return
    assert len(narrowed) <= len(whole) + (1 if path == "database" else 0)
