"""A community's monthly meeting in a real browser, at a desktop's 1920x1080: the staff
open the agenda, tick who came, decide row by row (one row wrong first, said beside it),
record the lot with one submit, and print the minutes on A4. Screenshots and the PDF go
to test-results/review/."""

from pathlib import Path

import pytest
from django.urls import reverse

from monitoring.models import TierChange
from reviews.models import Decision, Review
from tests.browser import SCREEN, accessibility_violations, chromium, needs_chromium
from tests.households.factories import default_tier

SHOTS = Path("test-results/review")
PASSWORD = "hhl-test-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def desktop(monkeypatch):
    with chromium(monkeypatch) as browser:
        # No service worker: the phone app's warming of kept pages would race these writes.
        yield browser.new_context(**SCREEN, service_workers="block").new_page()


def test_staff_hold_the_monthly_meeting_decide_in_bulk_and_print_the_minutes(live_server, scene, desktop):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = scene.people.staff
    staff.set_password(PASSWORD)
    staff.save()
    errors = []
    desktop.on("pageerror", lambda e: errors.append(str(e)))

    desktop.goto(live_server.url + reverse("login"))
    desktop.fill("#id_username", "staff")
    desktop.fill("#id_password", PASSWORD)
    desktop.click("button[type=submit]")
    desktop.wait_for_url(live_server.url + "/")

    desktop.click(f"footer a[href='{reverse('reviews:list')}']")
    desktop.click("[data-open-agenda] button[type=submit]")
    desktop.wait_for_selector("[data-meeting]")
    rows = desktop.locator("tr[data-household]")
    assert rows.count() == 8
    assert "2026-11-20" in desktop.inner_text(f"tr[data-household='{scene.late.pk}'] [data-facts]")
    desktop.screenshot(path=SHOTS / "1-agenda.png", full_page=True)
    assert accessibility_violations(desktop) == []

    desktop.check(f"input[name=attendees][value='{staff.pk}']")
    desktop.fill("textarea[name=other_attendees]", "居民代表 张三")
    desktop.fill("textarea[name=minutes]", "一、研判本月重点户。")

    def row(household, field):
        return f"[name='h{household.pk}-{field}']"

    desktop.select_option(row(scene.zero, "kind"), "change_tier")
    desktop.select_option(row(scene.zero, "tier"), str(default_tier("yellow").pk))
    desktop.fill(row(scene.zero, "reason"), "零就业，改为周跟踪")
    desktop.select_option(row(scene.proposed, "kind"), "change_tier")
    desktop.select_option(row(scene.proposed, "tier"), str(default_tier("red").pk))
    desktop.fill(row(scene.proposed, "reason"), "同意网格员提议")
    desktop.select_option(row(scene.poor, "kind"), "measure")
    desktop.fill(row(scene.poor, "measure"), "送岗上门：保洁岗位")  # nobody named yet
    desktop.check("[data-pick-all]")  # every row of the page ticked …
    for household in (scene.warned, scene.late, scene.escalated):
        desktop.uncheck(row(household, "pick"))  # … but these, left for later
    desktop.select_option("#bulk-kind", "keep")
    desktop.click("[data-record]")

    desktop.wait_for_selector("[data-row-error]")
    assert desktop.locator(f"tr[data-household='{scene.poor.pk}'] [data-row-error]").count() == 1
    assert not Review.objects.exists() and not TierChange.objects.filter(household=scene.zero).exists()
    # What was typed is still there: only the wrong row needs mending.
    assert desktop.input_value(row(scene.zero, "reason")) == "零就业，改为周跟踪"
    assert desktop.input_value("#bulk-kind") == "keep" and desktop.is_checked(row(scene.stale, "pick"))
    desktop.screenshot(path=SHOTS / "2-refused-row.png", full_page=True)

    desktop.select_option(row(scene.poor, "person"), str(scene.people.worker.pk))
    desktop.click("[data-record]")
    desktop.wait_for_selector(".alert-success")

    review = Review.objects.get()
    assert {d.household_id: d.kind for d in Decision.objects.all()} == {
        scene.zero.pk: "change_tier",
        scene.proposed.pk: "change_tier",
        scene.poor.pk: "measure",
        scene.stale.pk: "keep",
        scene.missed.pk: "keep",
    }
    scene.zero.refresh_from_db()
    assert scene.zero.tier == default_tier("yellow")
    assert desktop.locator("[data-decided]").count() == 5
    desktop.screenshot(path=SHOTS / "3-decided.png", full_page=True)

    desktop.click("[data-minutes-link]")
    desktop.wait_for_url(live_server.url + reverse("reviews:minutes", args=[review.pk]))
    assert "居民代表 张三" in desktop.inner_text("[data-attendees]")
    assert desktop.locator("tr[data-decision]").count() == 5
    assert accessibility_violations(desktop) == []
    desktop.emulate_media(media="print")
    assert desktop.locator("header.navbar").is_hidden() and desktop.locator("body > footer").is_hidden()
    desktop.screenshot(path=SHOTS / "4-minutes-print.png", full_page=True)
    pdf = desktop.pdf(path=SHOTS / "minutes.pdf", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF") and b"/MediaBox [0 0 594.9" in pdf  # A4: 595 x 842 points
    assert errors == []
