"""The wall page (/wall/): where it opens, drilling down, the trend, the card beside it."""

import datetime

import pytest
from django.urls import reverse

from monitoring.models import TierSnapshot
from tests.grids.factories import GridUnitFactory, administrator, level
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

pytestmark = pytest.mark.django_db


def test_staff_open_on_their_community_with_its_areas_to_drill_into(people, grid, client):
    HouseholdFactory.create_batch(2, unit=grid.building_2)
    client.force_login(people.staff)

    page = client.get(reverse("monitoring:wall"))

    assert page.status_code == 200
    assert page.context["board"].filters.unit == grid.community
    assert [(unit.code, n) for unit, n in page.context["places"]] == [("A1", 3), ("A2", 1)]
    # Above their community nothing is theirs to open: the breadcrumb starts there.
    assert [u.code for u in page.context["breadcrumb"]] == ["C1"]
    assert page.context["tiles_url"] == reverse("monitoring:wall_tiles") + "?unit=C1"


def test_the_url_holds_the_filters_and_the_tiles_url_carries_them(people, grid, client):
    client.force_login(people.staff)

    page = client.get(
        reverse("monitoring:wall"), {"unit": "B1", "tier": "red", "mark": "missed", "wall": "1", "dark": "1"}
    )

    html = page.content.decode()
    assert page.context["tiles_url"] == reverse("monitoring:wall_tiles") + "?unit=B1&tier=red&mark=missed"
    assert 'data-bs-theme="dark"' in html and 'class="wall-mode"' in html
    assert [(u.code, n) for u, n in page.context["places"]] == [("B1F1", 1)]
    assert [u.code for u in page.context["breadcrumb"]] == ["C1", "A1", "B1"]
    # The switches turn one thing and keep the rest.
    assert page.context["toggle"]["wall"] == "?unit=B1&tier=red&mark=missed&dark=1"


def test_administrators_open_on_everything_and_drill_down_from_the_top(people, grid, client):
    other = GridUnitFactory(parent=grid.street, level=level("社区"), name="红路社区", code="C2")
    HouseholdFactory(unit=GridUnitFactory(parent=other, level=level("楼栋"), code="C2B1"))
    client.force_login(administrator())

    top = client.get(reverse("monitoring:wall"))
    street = client.get(reverse("monitoring:wall"), {"unit": "S1"})

    assert top.context["board"].filters.unit is None
    assert [(u.code, n) for u, n in top.context["places"]] == [("XF", 3)]
    assert [(u.code, n) for u, n in street.context["places"]] == [("C1", 2), ("C2", 1)]


def test_bad_filters_show_the_form_with_the_field_named(people, client):
    client.force_login(people.staff)

    page = client.get(reverse("monitoring:wall"), {"tier": "purple", "unit": "C2"})

    assert page.status_code == 400
    assert set(page.context["form"].errors) == {"tier", "unit"}
    assert "purple" in page.content.decode()


def test_the_trend_comes_from_the_daily_counts_as_shares(people, grid, client):
    red, green = default_tier("red"), default_tier("green")
    for day, reds, greens in [(datetime.date(2021, 1, 1), 39, 961), (datetime.date(2025, 1, 1), 4, 996)]:
        TierSnapshot.objects.create(day=day, unit=grid.area_east, tier=red, households=reds)
        TierSnapshot.objects.create(day=day, unit=grid.area_east, tier=green, households=greens)
    TierSnapshot.objects.create(day=datetime.date(2025, 1, 1), unit=grid.street, tier=red, households=500)
    client.force_login(people.staff)

    trend = client.get(reverse("monitoring:wall"), {"unit": "B1"}).context["trend"]

    # A building has no daily counts of its own: its area's are shown, named.
    assert trend["unit"] == "东片区"
    assert trend["days"] == ["2021-01-01", "2025-01-01"]
    assert [(s["name"], s["shares"]) for s in trend["series"]] == [("红", [3.9, 0.4]), ("绿", [96.1, 99.6])]


def test_no_trend_from_a_unit_above_the_scope(people, grid, client):
    TierSnapshot.objects.create(
        day=datetime.date(2025, 1, 1), unit=grid.area_east, tier=default_tier("red"), households=5
    )
    client.force_login(people.worker)  # building 1 only: the area's figures are not theirs

    page = client.get(reverse("monitoring:wall"))

    assert page.context["trend"]["days"] == []
    assert "No daily counts" in page.content.decode() or "暂无" in page.content.decode()


def test_the_card_beside_the_wall_is_the_card_without_the_page(people, client):
    MemberFactory(household=people.household, name="王小明", relation="child")
    client.force_login(people.staff)

    panel = client.get(reverse("households:card_panel", args=[people.household.pk]))

    html = panel.content.decode()
    assert panel.status_code == 200
    assert "<html" not in html
    assert "王小红" in html and "王小明" in html
    assert 'href="tel:13912345678"' in html
    assert reverse("households:card", args=[people.household.pk]) in html


def test_the_card_of_a_household_out_of_scope_is_a_404(people, client):
    client.force_login(people.worker)

    assert client.get(reverse("households:card_panel", args=[people.outside.pk])).status_code == 404


def test_each_tier_travels_with_its_character_and_pattern_not_colour_alone(people, client):
    client.force_login(people.staff)

    tiers = client.get(reverse("monitoring:wall_tiles")).json()["tiers"]

    # The character and the severity (which picks the pattern) beside the colour.
    assert [(t["letter"], t["severity"], t["text"]) for t in tiers] == [
        ("红", 1, "#ffffff"),
        ("黄", 2, "#000000"),
        ("绿", 3, "#000000"),
    ]


def test_the_wall_is_linked_from_every_page(people, client):
    client.force_login(people.worker)

    assert reverse("monitoring:wall") in client.get(reverse("monitoring:today")).content.decode()


def test_logged_out_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("monitoring:wall"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_staff_wall_lists_tiers_of_their_scheme_only(people, grid, client):
    from monitoring.models import TierScheme, UnitTierScheme

    four = TierScheme.objects.get(code="four-colour")
    other = GridUnitFactory(parent=grid.street, level=level("社区"), code="C4")
    UnitTierScheme.objects.create(unit=other, scheme=four)
    HouseholdFactory(
        unit=GridUnitFactory(parent=other, level=level("楼栋"), code="C4B1"),
        tier=four.tiers.get(code="orange"),
    )
    client.force_login(people.staff)

    assert [t["code"] for t in client.get(reverse("monitoring:wall_tiles")).json()["tiers"]] == [
        "red",
        "yellow",
        "green",
    ]
