"""The phone app in a real browser at 360 × 740: the service worker installs, Today and
the cards open with the network off, visits, a problem and a proposal recorded offline
survive a reload and are saved once when the network returns; a refused item shows the
server's reason and is sent again once corrected. Screenshots go to test-results/offline/."""

import datetime
import os
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from monitoring.followups import generate_follow_ups
from monitoring.models import TierProposal, Visit
from services.models import ServiceCase
from tests.browser import PHONE, chromium, needs_chromium

SHOTS = Path("test-results/offline")
PASSWORD = "hhl-offline-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser(monkeypatch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium(monkeypatch) as b:
        yield b


@pytest.fixture
def phone(browser, live_server, people):
    """A logged-in phone whose clock reads the server's (time-machine moved the server's)."""
    people.worker.set_password(PASSWORD)
    people.worker.save()
    context = browser.new_context(**PHONE)
    context.clock.set_system_time(timezone.now())
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "worker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")
    page.errors = errors
    yield page
    context.close()


def until(page, script, timeout=15, explain=None):
    """Polls ``script`` until it is true: wait_for_function evaluates a string in the page,
    which the Content-Security-Policy (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script} {explain and explain()}"
        page.wait_for_timeout(100)


REGISTRATION = """async () => {
  const r = await navigator.serviceWorker.getRegistration();
  return r ? {installing: !!r.installing, waiting: !!r.waiting, active: r.active && r.active.state} : null;
}"""


def installed(page):
    """Waits for the worker to be active, opens the page again under its control (a page
    loaded before the worker may or may not be claimed), and waits for the user's pages."""
    until(page, "async () => !!((await navigator.serviceWorker.getRegistration()) || {}).active")
    page.reload()
    until(
        page,
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)",
        timeout=30,
        explain=lambda: (page.url, page.evaluate(REGISTRATION), page.errors),
    )
    page.wait_for_selector("html[data-offline-ready]", state="attached")


def queued(page):
    page.wait_for_load_state()  # a page that navigated has its scripts again once loaded
    return page.evaluate(
        """async () => {
          const db = await idb.openDB("hhl-offline");
          return (await db.getAll("outbox")).map(i => ({key: i.key, kind: i.kind, state: i.state,
            household: i.household, errors: i.errors, photo: i.photo ? i.photo.size : 0}));
        }"""
    )


def every_item(page, *states, timeout=20):
    """Waits until every queued item is in one of ``states``; fails showing the queue."""
    deadline = time.monotonic() + timeout
    while not {i["state"] for i in _queued_or_navigating(page)} <= set(states):
        assert time.monotonic() < deadline, [(i["kind"], i["state"], i["errors"]) for i in queued(page)]
        page.wait_for_timeout(200)


def _queued_or_navigating(page):
    try:
        return queued(page)
    except PlaywrightError:  # the page went on to another one while asked
        return [{"state": "navigating"}]


def photo_file(tmp_path) -> Path:
    """A camera's photo, taken a minute ago on the server's clock (the phone sends the
    file's time, and the server refuses a photo from the future)."""
    path = tmp_path / "door.jpg"
    Image.new("RGB", (3200, 2400), "#3366aa").save(path, "JPEG", quality=95)
    taken = (timezone.now() - datetime.timedelta(minutes=1)).timestamp()
    os.utime(path, (taken, taken))
    return path


def test_the_app_installs_and_opens_today_and_a_card_with_no_network(phone, live_server, people):
    card = live_server.url + reverse("households:card", args=[people.household.pk])
    installed(phone)

    phone.context.set_offline(True)
    phone.goto(live_server.url + "/")
    phone.screenshot(path=SHOTS / "1-today-offline.png")
    phone.goto(card)
    phone.screenshot(path=SHOTS / "2-card-offline.png")

    assert "王小红" in phone.content()
    assert phone.errors == []


def test_a_visit_recorded_offline_survives_a_reload_and_is_saved_once_online(phone, live_server, people):
    visit_form = live_server.url + reverse("monitoring:log_visit", args=[people.household.pk])
    installed(phone)
    phone.context.set_offline(True)

    phone.goto(visit_form)
    phone.fill("#id_notes", "楼道无信号，老人在家")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item][data-state=pending]")
    phone.reload()
    phone.wait_for_selector("[data-outbox-item][data-state=pending]")
    assert [i["kind"] for i in queued(phone)] == ["visit"]
    assert Visit.objects.count() == 0

    phone.context.set_offline(False)
    phone.click("[data-outbox-upload]")
    phone.wait_for_selector("[data-outbox-item][data-state=saved]")

    visit = Visit.objects.get()
    assert (visit.household, visit.visited_by, visit.notes) == (
        people.household,
        people.worker,
        "楼道无信号，老人在家",
    )
    assert phone.errors == []


def test_a_morning_in_a_dead_zone_three_visits_a_problem_and_a_proposal_are_saved_once_back_in_signal(
    phone, live_server, people, tmp_path
):
    pk = people.household.pk
    generate_follow_ups()
    installed(phone)
    phone.context.set_offline(True)

    # Today and the card open with no network.
    phone.goto(live_server.url + "/")
    row = phone.locator(f"[data-household='{pk}']").first
    row.locator("[data-quick-visit]").click()  # 1: the door visit, one tap
    until(
        phone,
        f"() => document.querySelector(\"[data-household='{pk}'] [data-outbox-count]\").hidden === false",
    )
    assert row.locator("[data-outbox-count]").inner_text() == "To upload 1" or "1" in row.inner_text()
    phone.screenshot(path=SHOTS / "3-today-queued.png")
    phone.goto(live_server.url + reverse("households:card", args=[pk]))
    assert "王小红" in phone.content()

    phone.goto(live_server.url + reverse("monitoring:log_visit", args=[pk]))  # 2: with needs
    phone.check("input[name=needs][value=medical]")
    phone.fill("#id_notes", "需要上门看病")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item]")
    phone.goto(live_server.url + reverse("monitoring:log_visit", args=[pk]))  # 3: with a photo
    phone.set_input_files("input[type=file]", str(photo_file(tmp_path)))
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item] >> nth=2")
    phone.goto(live_server.url + reverse("services:report", args=[pk]))
    phone.check("input[name=category] >> nth=0")
    phone.fill("textarea[name=description]", "楼道灯坏了")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item] >> nth=3")
    phone.goto(live_server.url + reverse("monitoring:propose", args=[pk]))
    phone.select_option("select[name=tier]", index=1)
    phone.fill("textarea[name=reason]", "老人独居，行动不便")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item] >> nth=4")

    # The queue survives a reload with no network, counted in the badge.
    phone.reload()
    phone.wait_for_selector("[data-outbox-item] >> nth=4")
    phone.screenshot(path=SHOTS / "4-card-queued.png", full_page=True)
    items = queued(phone)
    assert sorted(i["kind"] for i in items) == ["problem", "proposal", "visit", "visit", "visit"]
    assert {i["state"] for i in items} == {"pending"}
    photos = [i["photo"] for i in items if i["photo"]]
    assert len(photos) == 1 and photos[0] < 300_000  # shrunk on the phone from a 3200 px photo
    assert phone.locator("[data-outbox-badge-count]").inner_text().endswith("5")
    assert (Visit.objects.count(), ServiceCase.objects.count(), TierProposal.objects.count()) == (0, 0, 0)

    # Back in signal: the online event sends the queue, each item saved once.
    phone.context.set_offline(False)
    phone.evaluate("() => window.dispatchEvent(new Event('online'))")
    every_item(phone, "saved", timeout=30)
    phone.reload()
    phone.screenshot(path=SHOTS / "5-card-saved.png", full_page=True)

    visits = Visit.objects.filter(household=people.household, visited_by=people.worker)
    assert visits.count() == 3
    assert visits.exclude(photo="").count() == 1
    assert visits.get(notes="需要上门看病").needs == ["medical"]
    assert ServiceCase.objects.get().description == "楼道灯坏了"
    assert TierProposal.objects.get().reason == "老人独居，行动不便"
    assert phone.locator("[data-outbox-badge]").is_hidden()
    assert phone.errors == []


def test_the_same_queue_sent_twice_writes_once(phone, live_server, people):
    visit_form = live_server.url + reverse("monitoring:log_visit", args=[people.household.pk])
    installed(phone)
    phone.context.set_offline(True)
    for notes in ("第一次", "第二次"):
        phone.goto(visit_form)
        phone.fill("#id_notes", notes)
        phone.click("button[type=submit]")
        phone.wait_for_selector("[data-outbox-item]")
    phone.context.set_offline(False)
    phone.click("[data-outbox-upload]")
    every_item(phone, "saved")

    # The answers were lost (a dropped connection): the phone sends the same queue again.
    phone.evaluate(
        """async () => {
          const db = await idb.openDB("hhl-offline");
          for (const item of await db.getAll("outbox")) {
            item.state = "pending";
            await db.put("outbox", item);
          }
        }"""
    )
    phone.reload()  # a page load sends what is pending
    every_item(phone, "duplicate")

    assert sorted(Visit.objects.values_list("notes", flat=True)) == ["第一次", "第二次"]


def test_an_item_the_server_refuses_shows_the_reason_and_is_sent_again_once_corrected(
    phone, live_server, people
):
    visit_form = live_server.url + reverse("monitoring:log_visit", args=[people.household.pk])
    installed(phone)
    phone.context.set_offline(True)
    phone.goto(visit_form)
    # Typed a day ahead by mistake: after the moment it is sent.
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    phone.fill("#id_visited_at", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("#id_notes", "日期填错了")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item][data-state=pending]")

    phone.context.set_offline(False)
    phone.click("[data-outbox-upload]")
    phone.wait_for_selector("[data-outbox-item][data-state=refused]")
    phone.screenshot(path=SHOTS / "6-refused.png", full_page=True)
    reason = phone.locator("[data-outbox-error=visited_at]").inner_text()
    assert reason.startswith("visited at:") or reason.startswith("走访时间"), reason
    assert Visit.objects.count() == 0
    assert phone.locator("[data-outbox-badge-count]").inner_text().endswith("1")

    earlier = timezone.localtime() - datetime.timedelta(hours=1)
    phone.fill("[data-outbox-fix] input[name=visited_at]", earlier.strftime("%Y-%m-%dT%H:%M"))
    phone.click("[data-outbox-fix] button[type=submit]")
    phone.wait_for_selector("[data-outbox-item][data-state=saved]")

    visit = Visit.objects.get()
    assert visit.notes == "日期填错了"
    assert timezone.localtime(visit.visited_at).strftime("%H:%M") == earlier.strftime("%H:%M")


def test_a_session_that_ended_offline_keeps_the_queue_and_asks_for_the_password(phone, live_server, people):
    from django.contrib.sessions.models import Session

    installed(phone)
    phone.context.set_offline(True)
    phone.goto(live_server.url + reverse("monitoring:log_visit", args=[people.household.pk]))
    phone.fill("#id_notes", "会话过期")
    phone.click("button[type=submit]")
    phone.wait_for_selector("[data-outbox-item][data-state=pending]")
    Session.objects.all().delete()

    phone.context.set_offline(False)
    phone.click("[data-outbox-upload]")
    phone.wait_for_selector("[data-outbox-status] a")
    phone.screenshot(path=SHOTS / "7-session-ended.png")
    assert [i["state"] for i in queued(phone)] == ["pending"]
    assert Visit.objects.count() == 0

    phone.click("[data-outbox-status] a")
    phone.fill("#id_username", "worker")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    every_item(phone, "saved")
    assert Visit.objects.get().notes == "会话过期"


def test_logging_out_with_items_queued_asks_first_and_keeps_them_but_not_the_pages(
    phone, live_server, people
):
    installed(phone)
    # Recorded on the phone and not sent yet (nothing prompts a send before the question).
    phone.evaluate(
        """([household, user]) => hhlOutbox.save({key: hhlOutbox.uuid(), kind: "visit", household: household,
          owner: user, state: "pending", fields: {mode: "door", notes: "还没上传", needs: [],
          visited_at: new Date().toISOString()}, created: Date.now()})""",
        [
            people.household.pk,
            phone.evaluate("JSON.parse(document.getElementById('hhl-offline').textContent).user"),
        ],
    )

    asked = []
    phone.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    phone.click("footer form[action='/accounts/logout/'] button")
    phone.wait_for_timeout(500)
    assert asked and "1" in asked[0]
    assert "/accounts/login/" not in phone.url

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("footer form[action='/accounts/logout/'] button")
    phone.wait_for_url("**/accounts/login/**")
    kept = phone.evaluate("async () => (await caches.keys()).filter(n => n.startsWith('pages-'))")
    assert kept == []
    assert [i["state"] for i in queued(phone)] == ["pending"]


def test_a_household_that_left_the_workers_scope_is_dropped_from_the_phone_at_the_next_refresh(
    phone, live_server, people, grid
):
    installed(phone)
    card = reverse("households:card", args=[people.household.pk])
    kept = """async (path) => {
      const user = JSON.parse(document.getElementById('hhl-offline').textContent).user;
      const cache = await caches.open("pages-" + user);
      return (await cache.keys()).map(r => new URL(r.url).pathname).filter(p => p.startsWith(path));
    }"""
    assert card in phone.evaluate(kept, card)

    people.household.unit = grid.building_3  # moved to another building: not this worker's now
    people.household.save()
    # The refresh the worker runs every quarter hour, run now.
    phone.evaluate(
        """async () => {
          const user = JSON.parse(document.getElementById('hhl-offline').textContent).user;
          const answer = await (await fetch("/offline/pages.json", {credentials: "same-origin"})).json();
          await hhlOutbox.warm(answer, "pages-" + user);
        }"""
    )

    assert phone.evaluate(kept, card) == []
    assert phone.evaluate(kept, "/") != []  # Today stays


def test_a_form_posted_without_the_page_script_is_kept_by_the_worker_when_the_network_fails(
    phone, live_server, people
):
    installed(phone)
    # The page's script never runs (an old copy, a failed download): the form posts natively.
    phone.route(
        "**/static/offline/app.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    phone.context.set_offline(True)

    phone.goto(live_server.url + reverse("monitoring:log_visit", args=[people.household.pk]))
    phone.fill("#id_notes", "脚本没有加载")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**{reverse('households:card', args=[people.household.pk])}")

    assert [(i["kind"], i["state"]) for i in queued(phone)] == [("visit", "pending")]
    phone.unroute("**/static/offline/app.js")
    phone.context.set_offline(False)
    phone.reload()  # the page's script, or the worker's Background Sync, sends what it kept
    # "already saved" when both sent it and the second answer came last: saved once either way.
    every_item(phone, "saved", "duplicate")
    assert Visit.objects.get().notes == "脚本没有加载"


def test_without_javascript_the_visit_form_still_saves_a_visit(browser, live_server, people):
    people.worker.set_password(PASSWORD)
    people.worker.save()
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", "worker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(live_server.url + reverse("monitoring:log_visit", args=[people.household.pk]))
    page.fill("#id_notes", "没有脚本")
    page.click("button[type=submit]")
    page.wait_for_url(f"**{reverse('households:card', args=[people.household.pk])}")

    assert Visit.objects.get().notes == "没有脚本"
    assert page.locator("[data-outbox-badge]").is_hidden()
    context.close()


def test_a_door_visit_tapped_on_today_with_the_network_is_saved_at_once_and_the_row_says_so(
    phone, live_server, people
):
    generate_follow_ups()
    phone.goto(live_server.url + "/")
    row = phone.locator(f"[data-household='{people.household.pk}']").first

    row.locator("[data-quick-visit]").click()
    every_item(phone, "saved")

    row.locator("[data-outbox-count]").wait_for(state="visible")

    visit = Visit.objects.get()
    assert (visit.household, visit.mode) == (people.household, "door")
    assert phone.url == live_server.url + "/"
