"""The phone app in a real browser at 360 × 740: the service worker installs, Today and
the cards open with the network off, visits, a problem and a proposal recorded offline
survive a reload and are saved once when the network returns; a refused item shows the
server's reason and is sent again once corrected. Screenshots go to test-results/offline/."""

import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from monitoring.models import Visit
from tests.browser import PHONE, chromium, needs_chromium

SHOTS = Path("test-results/offline")
PASSWORD = "hhl-offline-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The endpoints the other half of issue 16 adds (branch `sync`): until they are merged,
# the tests that send problems, proposals or photos through them are skipped.
needs_batch_api = pytest.mark.skipif(
    not any(
        getattr(p, "name", "") == "servicecase-batch" or "cases/batch" in str(getattr(p, "pattern", ""))
        for p in __import__("config.api", fromlist=["router"]).router().urls
    ),
    reason="the proposals and cases batch API (branch sync) is not merged yet",
)


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


def until(page, script, timeout=15):
    """Polls ``script`` until it is true: wait_for_function evaluates a string in the page,
    which the Content-Security-Policy (no 'unsafe-eval') refuses."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {script}"
        page.wait_for_timeout(100)


def installed(page):
    """Waits for the worker to control the page and to have kept the user's pages."""
    until(page, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    page.reload()
    page.wait_for_selector("html[data-offline-ready]", state="attached")


def queued(page):
    return page.evaluate(
        """async () => {
          const db = await idb.openDB("hhl-offline");
          return (await db.getAll("outbox")).map(i => ({key: i.key, kind: i.kind, state: i.state,
            household: i.household, errors: i.errors, photo: i.photo ? i.photo.size : 0}));
        }"""
    )


def photo_file(tmp_path) -> Path:
    path = tmp_path / "door.jpg"
    Image.new("RGB", (3200, 2400), "#3366aa").save(path, "JPEG", quality=95)
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
    phone.wait_for_timeout(3000)
    print(queued(phone), phone.url)
    phone.screenshot(path=SHOTS / "dbg.png")
    phone.wait_for_selector("[data-outbox-item][data-state=saved]")

    visit = Visit.objects.get()
    assert (visit.household, visit.visited_by, visit.notes) == (
        people.household,
        people.worker,
        "楼道无信号，老人在家",
    )
    assert phone.errors == []
