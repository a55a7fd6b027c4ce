"""A grid worker's round in a real browser at 360x740: Today, a household, a visit.

Runs Debian's chromium through Playwright (never a downloaded browser). Screenshots go
to test-results/grid-worker/; the page weight of the visit form is measured here too.
"""

import gzip
from pathlib import Path

import pytest
from django.urls import reverse

from monitoring.followups import generate_follow_ups
from tests.browser import PHONE, accessibility_violations, chromium, needs_chromium
from tests.households.factories import HouseholdFactory, default_tier

SHOTS = Path("test-results/grid-worker")

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(monkeypatch):
    with chromium(monkeypatch) as browser:
        yield browser.new_context(**PHONE).new_page()


def test_log_in_open_today_visit_a_household_and_see_it_done(live_server, people, grid, phone):
    SHOTS.mkdir(parents=True, exist_ok=True)
    red = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), room="201")
    generate_follow_ups()
    people.worker.set_password("hhl-test-2026")
    people.worker.save()
    weight = {}
    phone.on("response", lambda r: weight.__setitem__(r.url, r))

    phone.goto(live_server.url + reverse("login"))
    phone.fill("#id_username", "worker")
    phone.fill("#id_password", "hhl-test-2026")
    phone.screenshot(path=SHOTS / "1-login.png")
    phone.click("button[type=submit]")
    phone.wait_for_url(live_server.url + "/")
    assert "今日待访 1" in phone.inner_text("[data-counts]")
    phone.screenshot(path=SHOTS / "2-today.png", full_page=True)
    assert accessibility_violations(phone) == []

    phone.click(f"a[href='{reverse('households:card', args=[red.pk])}']")
    phone.screenshot(path=SHOTS / "3-card.png", full_page=True)
    assert accessibility_violations(phone) == []
    weight.clear()
    phone.click(f"a[href='{reverse('monitoring:log_visit', args=[red.pk])}']")
    phone.wait_for_load_state("load")
    phone.screenshot(path=SHOTS / "4-visit-form.png", full_page=True)
    # Each response as if compressed: live_server serves static files as they are. What
    # the demo really transfers is measured in tests/config/test_demo_page_weight.py.
    transferred = sum(len(gzip.compress(r.body())) for r in weight.values() if r.status == 200)
    assert transferred <= 100 * 1024, transferred
    assert all(r.url.startswith(live_server.url) for r in weight.values())
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert accessibility_violations(phone) == []

    phone.fill("#id_notes", "老人在家，精神不错")
    phone.click("text=保存走访")
    phone.wait_for_url(live_server.url + reverse("households:card", args=[red.pk]))
    assert "已完成" in phone.inner_text("[data-follow-up]") or "done" in phone.inner_text("[data-follow-up]")
    phone.screenshot(path=SHOTS / "5-card-after-visit.png", full_page=True)

    phone.goto(live_server.url + "/")
    assert "今日待访 0" in phone.inner_text("[data-counts]")
    phone.screenshot(path=SHOTS / "6-today-after.png", full_page=True)
