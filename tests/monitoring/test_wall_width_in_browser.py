"""The wall uses the width of the screen it is shown on: at 1920 x 1080 the tiles take
most of it, at 1366 and on a phone nothing scrolls sideways. A demo-sized community (a
few thousand households). Screenshots go to test-results/wall-width/."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.browser import PHONE, SCREEN, chromium, needs_chromium

SHOTS = Path("test-results/wall-width")
PASSWORD = "Hhl-demo-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo():
    call_command(
        "seed_demo",
        households=3000,
        history_days=1,
        trend_every_days=90,
        stdout=io.StringIO(),
        no_progress=True,
    )
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as b:
        yield b


def open_wall(browser, live_server, screen, query=""):
    page = browser.new_context(**screen, service_workers="block").new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + reverse("monitoring:wall") + query)
    page.wait_for_selector("body[data-tiles-painted]")
    return page


def widths(page) -> dict:
    return page.evaluate(
        """() => ({
        tiles: document.getElementById("tiles").getBoundingClientRect().width,
        section: document.getElementById("tiles").closest("section").getBoundingClientRect().width,
        scroll: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        count: document.querySelectorAll("#tiles a.t").length,
    })"""
    )


def test_at_1920_the_tiles_take_most_of_the_screen_without_scrolling_sideways(demo, live_server, browser):
    page = open_wall(browser, live_server, SCREEN)

    measured = widths(page)
    page.screenshot(path=SHOTS / "1-wall-1920.png")
    page.screenshot(path=SHOTS / "1-wall-1920-full.png", full_page=True)

    assert measured["count"] > 1000
    assert measured["section"] >= 0.7 * 1920, measured
    assert measured["scroll"] <= measured["viewport"], measured


def test_a_filtered_wall_counts_what_it_shows_and_says_of_how_many(demo, live_server, browser):
    page = open_wall(browser, live_server, SCREEN, "?tier=red")

    shown = page.locator("#tiles a.t").count()
    page.screenshot(path=SHOTS / "5-wall-1920-red-only.png")

    assert 0 < shown < 1000
    assert page.inner_text("[data-total]") == str(shown)
    said = page.inner_text("[data-of]")
    assert re.search(rf"(?<!\d){shown}\D+\d{{3,}}", said) and not re.search(r"[%{}]", said), said


def test_in_wall_mode_at_1920_the_tiles_fill_the_width_and_the_height(demo, live_server, browser):
    page = open_wall(browser, live_server, SCREEN, "?wall=1")

    measured = widths(page)
    page.screenshot(path=SHOTS / "2-wall-mode-1920.png")

    assert measured["section"] >= 0.7 * 1920, measured
    assert measured["scroll"] <= measured["viewport"], measured
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080


def test_at_1366_and_on_a_phone_nothing_scrolls_sideways(demo, live_server, browser):
    laptop = open_wall(browser, live_server, {"viewport": {"width": 1366, "height": 768}})
    laptop.screenshot(path=SHOTS / "3-wall-1366.png")
    phone = open_wall(browser, live_server, PHONE, "?unit=XF-S01-C01-A1")
    phone.screenshot(path=SHOTS / "4-wall-360.png", full_page=True)

    at_1366, at_360 = widths(laptop), widths(phone)

    assert at_1366["scroll"] <= 1366 and at_1366["section"] >= 0.6 * 1366, at_1366
    assert at_360["scroll"] <= 360, at_360
