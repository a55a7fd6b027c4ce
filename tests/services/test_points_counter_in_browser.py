"""The 爱心超市 counter in a real browser, on a tablet at the counter: find a household by
its room, tap an item, confirm, and the balance goes down once. Screenshots go to
test-results/counter/."""

from pathlib import Path

import pytest
from django.urls import reverse

from services.models import EntryKind, PointEntry, PointRule, RewardItem
from services.points import balance, earn_points
from tests.browser import PHONE, accessibility_violations, chromium, needs_chromium

SHOTS = Path("test-results/counter")
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as b:
        yield b


@pytest.fixture
def shop(people):
    rule = PointRule.objects.create(code="clean", name="楼道卫生", kind="civility", points=10)
    for _ in range(7):
        earn_points(household=people.household, rule=rule, by=people.staff)
    for name, points in [("肥皂", 10), ("牙膏", 15), ("洗衣粉", 25), ("食用油 5L", 60), ("大米 10kg", 80)]:
        RewardItem.objects.create(name=name, points=points, stock=20)
    SHOTS.mkdir(parents=True, exist_ok=True)


def log_in(page, live_server, user):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-for-tests")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


@pytest.mark.parametrize("screen", ["tablet", "phone"])
def test_staff_find_a_household_by_room_and_redeem_in_two_taps(
    people, grid, shop, live_server, browser, screen
):
    context = browser.new_context(**(TABLET if screen == "tablet" else PHONE), service_workers="block")
    page = context.new_page()
    log_in(page, live_server, people.staff)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(live_server.url + reverse("services:counter"))
    page.select_option("#id_building", str(grid.building_1.pk))
    page.fill("#id_room", "501")
    page.click("[data-lookup] button[type=submit]")
    page.wait_for_selector("[data-household]")
    assert page.inner_text("[data-balance]").startswith("70")
    page.screenshot(path=SHOTS / f"1-household-{screen}.png", full_page=True)

    oil = RewardItem.objects.get(name="食用油 5L")
    page.click(f"[data-item='{oil.pk}']")
    page.wait_for_selector("[data-confirm]")
    page.screenshot(path=SHOTS / f"2-confirm-{screen}.png", full_page=True)
    page.dblclick("[data-confirm-redeem]")  # a double tap
    page.wait_for_selector("[data-items]")
    page.screenshot(path=SHOTS / f"3-redeemed-{screen}.png", full_page=True)

    assert page.inner_text("[data-balance]").startswith("10")
    assert balance(people.household) == 10
    assert PointEntry.objects.filter(kind=EntryKind.REDEEM).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert errors == []
    assert accessibility_violations(page) == []
