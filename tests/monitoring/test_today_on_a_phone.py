"""Today and the visit form on a phone, in a real browser at 360x740: the common visit
(mode, time, needs, Save) on the first screen; a door visit with the usual choices saved
in at most three taps from Today, counted; the search narrowing the list as it is typed;
and every step working with JavaScript off.

Runs Debian's chromium through Playwright (never a downloaded browser). Screenshots go to
test-results/today/."""

from pathlib import Path

import pytest
from django.urls import reverse

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, FollowUpStatus, Visit
from tests.browser import PHONE, accessibility_violations, chromium, needs_chromium
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

SHOTS = Path("test-results/today")
PASSWORD = "hhl-test-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone_browser(monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(monkeypatch) as browser:
        yield browser


@pytest.fixture
def round_(grid, people):
    """Three red households due today in building 1, with their heads."""
    homes = []
    for floor, room, head in [(2, "201", "钱二楼"), (3, "301", "孙三楼"), (9, "901", "李九楼")]:
        household = HouseholdFactory(unit=grid.floor_1_1, tier=default_tier("red"), floor=floor, room=room)
        MemberFactory(household=household, name=head)
        homes.append(household)
    generate_follow_ups()
    people.worker.set_password(PASSWORD)
    people.worker.save()
    return homes


class Taps:
    """The page, with every tap the worker makes counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector):
        """A tap that opens a page or sends a form, and the page it leads to, loaded."""
        self.count += 1
        with self.page.expect_navigation():
            self.page.locator(selector).first.tap()


def logged_in(browser, live_server, **context):
    page = browser.new_context(**PHONE, **context).new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "worker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    return page


def in_first_screen(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740


@pytest.mark.parametrize("language, save", [("zh-hans", "保存走访"), ("en", "Save visit")])
def test_the_common_visit_fits_the_first_screen_notes_and_photo_below(
    live_server, round_, phone_browser, language, save
):
    page = logged_in(phone_browser, live_server)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(live_server.url + reverse("monitoring:log_visit", args=[round_[0].pk]))
    page.screenshot(path=SHOTS / f"visit-form-first-screen-{language}.png")

    assert page.evaluate("window.scrollY") == 0
    for selector in [
        "label[for=id_mode_0]",
        "label[for=id_mode_2]",
        "#id_visited_at",
        "label[for=id_needs_0]",
        "label[for=id_needs_6]",
        f"button[type=submit]:has-text('{save}')",
    ]:
        assert in_first_screen(page, selector), selector
    save = page.locator(f"button[type=submit]:has-text('{save}')").bounding_box()
    assert page.locator("#id_notes").bounding_box()["y"] > save["y"]
    assert page.locator("#id_photo").bounding_box()["y"] > save["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert accessibility_violations(page) == []


def test_a_door_visit_is_saved_in_one_tap_from_today_as_a_plain_page(live_server, round_, phone_browser):
    # The page as the server sends it. With the phone script, the same tap goes through
    # the outbox and Today stays put (tests/config/test_offline_app_in_browser.py).
    page = Taps(logged_in(phone_browser, live_server, java_script_enabled=False))
    second = round_[1]

    page.tap(f"form[data-household='{second.pk}'] button[data-quick-visit]")

    visit = Visit.objects.get(household=second)
    assert page.count == 1
    assert (visit.mode, visit.needs, visit.notes) == ("door", [], "")
    assert FollowUp.objects.get(household=second).status == FollowUpStatus.DONE
    assert "入户走访已保存" in page.page.inner_text("main")
    assert "孙三楼" not in page.page.inner_text("main")  # done: off today's list
    page.page.screenshot(path=SHOTS / "today-after-quick-visit.png", full_page=True)


def test_the_full_form_with_the_usual_choices_is_three_taps_from_today(live_server, round_, phone_browser):
    page = Taps(logged_in(phone_browser, live_server))
    page.page.screenshot(path=SHOTS / "today.png", full_page=True)
    assert accessibility_violations(page.page) == []
    first = round_[0]

    page.tap(f"[data-household='{first.pk}'] a.hh-link")
    page.tap(f"a[href='{reverse('monitoring:log_visit', args=[first.pk])}']")
    page.tap("button[type=submit]:has-text('保存走访')")
    page.page.wait_for_url(live_server.url + reverse("households:card", args=[first.pk]))

    visit = Visit.objects.get(household=first)
    assert page.count == 3
    assert (visit.mode, visit.needs) == ("door", [])


def test_typing_a_room_narrows_the_list_on_the_page(live_server, round_, phone_browser):
    page = logged_in(phone_browser, live_server)
    rows = page.locator("[data-list] > [data-household]")
    assert rows.count() == 4  # the three due today, and 王小红's weekly visit

    for query, shown in [("1栋301", ["孙三楼"]), ("1-901", ["李九楼"]), ("钱", ["钱二楼"]), ("", None)]:
        page.fill("input[name=query]", query)
        visible = [rows.nth(i).inner_text() for i in range(rows.count()) if rows.nth(i).is_visible()]
        if shown is None:
            assert len(visible) == 4
        else:
            assert len(visible) == 1 and shown[0] in visible[0], (query, visible)
    assert page.url == live_server.url + "/"  # nothing sent, nothing in the URL
    page.fill("input[name=query]", "1栋301")
    page.screenshot(path=SHOTS / "today-narrowed.png")


def test_without_javascript_today_finds_and_saves_a_door_visit(live_server, round_, people, phone_browser):
    page = logged_in(phone_browser, live_server, java_script_enabled=False)
    third = round_[2]

    page.fill("input[name=query]", "李九楼")
    with page.expect_navigation():
        page.click("form[data-find] button[type=submit]")
    assert page.url == live_server.url + "/"  # POSTed: the name is in no URL
    found = page.locator("[data-found] > [data-household]")
    assert found.count() == 1 and "1栋" in found.inner_text() and "901" in found.inner_text()
    page.screenshot(path=SHOTS / "today-found-without-javascript.png", full_page=True)

    with page.expect_navigation():
        found.locator("button[data-quick-visit]").click()
    assert Visit.objects.filter(household=third, mode="door").count() == 1

    page.select_option("select[name=building]", "B1")
    page.check("input[name=overdue]")
    with page.expect_navigation():
        page.click("form[data-filters] button[type=submit]")
    assert page.url.endswith("?building=B1&overdue=on")
    assert page.locator("[data-list] > [data-household]").count() == 0  # nothing missed

    page.goto(live_server.url + reverse("monitoring:log_visit", args=[round_[0].pk]))
    page.click("label[for=id_mode_1]")
    page.click("label[for=id_needs_1]")
    page.click("button[type=submit]:has-text('保存走访')")
    page.wait_for_url(live_server.url + reverse("households:card", args=[round_[0].pk]))
    visit = Visit.objects.get(household=round_[0])
    assert (visit.mode, visit.needs) == ("phone", ["medical"])
