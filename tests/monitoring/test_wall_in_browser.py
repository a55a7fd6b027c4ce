"""The wall in a real browser, on the demo settlement, as its community staff see it:
at 1920x1080 and on a phone at 360x740. Screenshots go to test-results/wall/.
"""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from households.models import Household
from monitoring.models import Tier
from monitoring.services import change_tier
from tests.browser import PHONE, SCREEN, accessibility_violations, chromium, needs_chromium

SHOTS = Path("test-results/wall")
PASSWORD = "Hhl-demo-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(monkeypatch):
    call_command(
        "seed_demo",
        households=600,
        history_days=2,
        trend_every_days=90,
        stdout=io.StringIO(),
        no_progress=True,
    )
    # A tier change reaches the screen at the next refresh: one second here.
    monkeypatch.setattr("monitoring.views.WALL_REFRESH_SECONDS", 1)
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as b:
        yield b


def log_in(page, live_server, username="staff"):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def open_wall(page, live_server, query=""):
    page.goto(live_server.url + reverse("monitoring:wall") + query)
    page.wait_for_selector("body[data-tiles-painted]")


# The wall is not the phone app: without its service worker, whose warming of the kept
# pages (a card for every household in staff's scope) raced these tests' own writes for
# SQLite's lock ("database table is locked"). The app has its own browser tests.


def test_staff_open_the_wall_click_a_red_tile_see_the_card_and_close_it(demo, live_server, browser):
    page = browser.new_context(**SCREEN, service_workers="block").new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server)

    open_wall(page, live_server)

    community = Household.objects.filter(building__path__startswith=_community_path()).count()
    assert page.locator("#tiles a.t").count() == community
    assert page.inner_text("[data-total]") == str(community)
    assert page.locator("#trend-chart").count() == 1
    page.screenshot(path=SHOTS / "1-wall-1920.png")
    red = page.locator("#tiles a.t.t0").first
    household = Household.objects.get(pk=red.get_attribute("data-id"))
    assert household.tier.severity == 1

    red.click()
    page.wait_for_selector("#panel-content .card-panel")
    card = page.inner_text("#panel")
    assert household.number in card
    assert household.members.get(relation="head").name in card
    assert page.locator(f"#panel a[href='tel:{household.phone}']").count() == 1
    page.screenshot(path=SHOTS / "2-card-beside-the-wall.png")
    assert accessibility_violations(page) == []

    page.keyboard.press("Escape")
    page.wait_for_selector("#panel", state="hidden")
    red.click()
    page.wait_for_selector("#panel-content .card-panel")
    page.mouse.click(200, 600)  # a tap outside the card, on the wall
    page.wait_for_selector("#panel", state="hidden")
    assert errors == []


def test_a_changed_tile_is_highlighted_and_a_network_blip_keeps_the_picture(demo, live_server, browser):
    page = browser.new_context(**SCREEN, service_workers="block").new_page()
    log_in(page, live_server)
    open_wall(page, live_server, "?wall=1&dark=1")
    tiles = page.locator("#tiles a.t").count()
    green = page.locator("#tiles a.t.t3").first
    household = Household.objects.get(pk=green.get_attribute("data-id"))

    change_tier(
        household=household,
        tier=Tier.objects.get(scheme=household.tier.scheme, severity=1),
        reason="走访发现：家中老人突发重病",
        by=None,
    )

    page.wait_for_selector(f"#tiles a.t.t0.chg[data-id='{household.pk}']", timeout=10_000)
    page.screenshot(path=SHOTS / "3-wall-mode-dark-changed-tile.png")
    # Wall mode: no chrome, and every tile on the one screen.
    assert not page.locator("body > header").is_visible()
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080

    page.route("**/wall/tiles/**", lambda route: route.abort())
    page.wait_for_selector("#wall-status.stale")
    assert page.locator("#tiles a.t").count() == tiles
    assert re.search(r"\d\d:\d\d:\d\d", page.inner_text("#wall-status"))
    page.screenshot(path=SHOTS / "4-refresh-failed.png")
    page.unroute("**/wall/tiles/**")
    page.wait_for_selector("#wall-status:not(.stale)")


def test_the_wall_on_a_phone(demo, live_server, browser):
    page = browser.new_context(**PHONE, service_workers="block").new_page()
    log_in(page, live_server)

    open_wall(page, live_server, "?unit=XF-S01-C01-A1")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=SHOTS / "5-wall-360.png", full_page=True)
    page.locator("#tiles a.t").first.tap()
    page.wait_for_selector("#panel-content .card-panel")
    page.screenshot(path=SHOTS / "6-card-360.png")
    page.click("#panel [data-close]")
    page.wait_for_selector("#panel", state="hidden")
    assert accessibility_violations(page) == []


def _community_path():
    from grids.models import GridUnit

    return GridUnit.objects.get(code="XF-S01-C01").path
