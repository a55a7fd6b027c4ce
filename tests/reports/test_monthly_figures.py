"""A month's figures for a unit, checked against a small settlement counted by hand
(tests/reports/factories.py tells its October)."""

import pytest
from django.db.models import F

from reports.figures import compute
from tests.reports.factories import OCTOBER, more_households, october_settlement

pytestmark = [pytest.mark.django_db, pytest.mark.dates]


def by_code(rows):
    return {row["code"]: row for row in rows}


def test_the_tiers_are_those_in_force_at_the_end_of_the_month(grid):
    october_settlement(grid)

    tiers = compute(grid.community, OCTOBER)["tiers"]

    assert tiers["households"] == 4  # h5 moved out in October
    rows = by_code(tiers["tiers"])
    assert {code: row["households"] for code, row in rows.items()} == {"red": 1, "yellow": 1, "green": 2}
    assert {code: row["share"] for code, row in rows.items()} == {"red": 25.0, "yellow": 25.0, "green": 50.0}


def test_households_moved_to_a_calmer_and_to_a_more_urgent_tier_are_counted_by_tier(grid):
    october_settlement(grid)

    tiers = compute(grid.community, OCTOBER)["tiers"]

    assert (tiers["improved"], tiers["worsened"]) == (1, 1)
    rows = by_code(tiers["tiers"])
    assert rows["red"]["in_from_better"] == 1  # h1, yellow → red
    assert rows["green"]["in_from_worse"] == 1  # h2, yellow → green
    assert rows["yellow"]["out_to_better"] == 1 and rows["yellow"]["out_to_worse"] == 1
    assert {(m["from_name"], m["to_name"], m["households"]) for m in tiers["moves"]} == {
        ("黄", "红", 1),
        ("黄", "绿", 1),
    }


def test_the_trend_covers_twelve_months_replayed_where_no_snapshot_was_taken(grid):
    october_settlement(grid)

    trend = compute(grid.community, OCTOBER)["tiers"]["trend"]

    assert [m["month"] for m in trend][:2] == ["2025-11", "2025-12"]
    assert trend[-1]["month"] == "2026-10"
    assert len(trend) == 12
    september = trend[-2]
    # At the end of September: h1, h2, h4 yellow, h3 green; h5 (red) had not moved out.
    assert september["households"] == 5
    counts = {
        code: september["tiers"][str(row["id"])]
        for code, row in by_code(compute(grid.community, OCTOBER)["tiers"]["tiers"]).items()
    }
    assert counts == {"red": 1, "yellow": 3, "green": 1}


def test_the_trend_reads_the_daily_snapshots_where_they_exist(grid):
    from monitoring.models import TierSnapshot
    from monitoring.snapshots import snapshot_day
    from tests.reports.factories import D

    october_settlement(grid)
    snapshot_day(D(2026, 8, 31))
    # Marked, to tell the snapshot's figure from a replay of the history (which gives 2:
    # h1, h2 and h4 had no tier before September).
    TierSnapshot.objects.filter(day=D(2026, 8, 31), unit=grid.community).update(
        households=F("households") + 10
    )

    trend = {m["month"]: m for m in compute(grid.community, OCTOBER)["tiers"]["trend"]}

    assert trend["2026-08"]["households"] == 22
    assert trend["2026-07"]["households"] == 2  # no snapshot: replayed


def test_follow_ups_due_in_the_month_are_counted_per_worker_and_per_building(grid):
    october_settlement(grid)

    visits = compute(grid.community, OCTOBER)["visits"]

    assert visits["total"] == {"due": 4, "done": 2, "missed": 2, "open": 0, "visits": 2, "done_share": 50.0}
    workers = {w["name"]: w for w in visits["workers"]}
    assert workers["王芳"] == {"name": "王芳", "due": 3, "done": 2, "missed": 1, "open": 0, "visits": 2}
    assert workers["赵强"] == {"name": "赵强", "due": 1, "done": 0, "missed": 1, "open": 0, "visits": 0}
    buildings = {b["name"]: (b["due"], b["done"], b["missed"]) for b in visits["buildings"]}
    assert buildings == {"东片区 1栋": (2, 1, 1), "东片区 2栋": (1, 1, 0), "西片区 3栋": (1, 0, 1)}
    assert visits["units_below"] == [  # the areas, for a chart of a unit with many buildings
        {"name": "东片区", "due": 3, "done": 2, "missed": 1, "open": 0},
        {"name": "西片区", "due": 1, "done": 0, "missed": 1, "open": 0},
    ]


def test_cases_are_counted_and_their_closing_measured_against_the_deadline(grid):
    october_settlement(grid)

    cases = compute(grid.community, OCTOBER)["cases"]

    assert (cases["opened"], cases["closed"]) == (3, 3)
    assert (cases["on_time"], cases["late"], cases["on_time_share"]) == (1, 2, 33.3)
    assert (cases["mean_days"], cases["median_days"]) == (8.3, 10.0)  # 4, 10 and 11 days
    assert (cases["open_at_end"], cases["late_at_end"], cases["escalated"]) == (1, 1, 1)
    assert cases["by_category"] == {"dispute": 2, "dibao": 1}


def test_employment_rate_zero_employment_households_and_income_bands(grid):
    october_settlement(grid)

    work = compute(grid.community, OCTOBER)["employment"]

    assert (work["labour_force"], work["employed"], work["rate"]) == (4, 2, 50.0)
    assert work["by_kind"]["gig"] == 1 and work["by_kind"]["migrant"] == 1
    assert work["zero_employment"] == 1  # h2
    assert [b["households"] for b in work["income_bands"]] == [1, 1, 1, 1]  # <8,000 · <10,000 · more · none
    assert [(b["from"], b["to"]) for b in work["income_bands"][:3]] == [
        (None, 8000),
        (8000, 10000),
        (10000, None),
    ]


def test_points_earned_and_redeemed_in_the_month(grid):
    october_settlement(grid)

    points = compute(grid.community, OCTOBER)["points"]

    assert points == {
        "earned": 13,
        "redeemed": 4,
        "reversed": 0,
        "households_earning": 2,
        "households_redeeming": 1,
    }


def test_a_unit_counts_only_what_lies_below_it(grid):
    october_settlement(grid)

    west = compute(grid.area_west, OCTOBER)

    assert west["tiers"]["households"] == 2  # h3 and h4
    assert west["visits"]["total"]["due"] == 1
    assert west["cases"]["opened"] == 1
    assert west["points"]["earned"] == 3


def test_the_figures_carry_no_phone_and_no_id_number(grid):
    s = october_settlement(grid)
    member = s.h1.members.first()

    text = str(compute(grid.community, OCTOBER))

    assert "13912345678" not in text
    assert member.id_number not in text
    assert s.h1.number not in text  # no household is named either: figures only


def test_the_number_of_queries_does_not_grow_with_the_households(grid, django_assert_max_num_queries):
    october_settlement(grid)
    with django_assert_max_num_queries(40) as few:
        compute(grid.community, OCTOBER)
    more_households(grid.building_2, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        compute(grid.community, OCTOBER)
