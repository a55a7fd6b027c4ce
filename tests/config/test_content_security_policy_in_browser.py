"""The main pages, the admin and the API's docs in a real browser under the
Content-Security-Policy: not one violation, and their scripts still work (the wall draws
its tiles, Swagger UI draws the API). Screenshots go to test-results/csp/."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from households.models import Household, Member
from services.door_cards import door_card_token
from services.models import DoorCard
from tests.browser import PHONE, SCREEN, chromium, needs_chromium

SHOTS = Path("test-results/csp")
PASSWORD = "Hhl-demo-2026"

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every violation the page reports, whether or not it reaches the console.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""


@pytest.fixture
def demo():
    call_command("seed_demo", households=120, history_days=1, stdout=io.StringIO(), no_progress=True)
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def browser(monkeypatch):
    with chromium(monkeypatch) as b:
        yield b


class Visit:
    """A browser context that keeps every CSP complaint: the page's own report and the
    console's "Refused to ..." lines, and any script error."""

    def __init__(self, browser, live_server, **context):
        self.live_server = live_server
        self.context = browser.new_context(**context)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: {error}"))

    def _console(self, message):
        # Not every console error: the residents' page has no favicon, a 404 that says so.
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.problems.append(f"{self.page.url}: {message.text}")

    def log_in(self, username):
        self.page.goto(self.live_server.url + reverse("login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def open(self, path, *, ready="body", shot=None):
        response = self.page.goto(self.live_server.url + path)
        assert response.status == 200, (path, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.page.wait_for_selector(ready)
        if shot:
            self.page.screenshot(path=SHOTS / shot)
        self.problems += [f"{path}: {v}" for v in self.page.evaluate("window.__csp")]


def test_the_phone_pages_and_the_wall_run_without_a_violation(demo, live_server, browser, monkeypatch):
    monkeypatch.setattr("monitoring.views.WALL_REFRESH_SECONDS", 1)
    household = Household.objects.filter(members__isnull=False).first()
    member = Member.objects.filter(household=household).first()
    visit = Visit(browser, live_server, **PHONE)

    visit.open(reverse("login"), ready="#id_username", shot="1-login.png")
    visit.log_in("staff")
    visit.open(reverse("monitoring:today"), shot="2-today.png")
    visit.open(reverse("households:card", args=[household.pk]), shot="3-card.png")
    visit.open(
        reverse("monitoring:log_visit", args=[household.pk]), ready="input[type=file]", shot="4-visit.png"
    )
    visit.open(reverse("households:find"))
    visit.open(reverse("employment:labour", args=[member.pk]), shot="5-labour.png")
    visit.open(reverse("services:door_card", args=[household.pk]), shot="6-door-card.png")
    visit.open(reverse("services:cases"))
    visit.open(reverse("households:overview"))
    visit.open(reverse("monitoring:inbox"))
    # The wall's script draws its tiles, and their colours, through the CSSOM; the
    # preloaded answer is used (one request), and refreshes revalidate it (304).
    tiles = []
    visit.page.on("response", lambda r: tiles.append(r.status) if "/wall/tiles/" in r.url else None)
    visit.open(reverse("monitoring:wall"), ready="body[data-tiles-painted]", shot="7-wall.png")
    assert tiles == [200]
    visit.page.wait_for_function("document.body.dataset.refreshed", timeout=5000)
    visit.page.wait_for_timeout(1500)
    assert tiles[:2] == [200, 304]
    red = visit.page.locator("#tiles a.t.t0").first
    colour = red.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    red.click()
    visit.page.wait_for_selector("#panel-content .card-panel")
    visit.problems += visit.page.evaluate("window.__csp")

    assert visit.problems == []


def test_the_residents_help_page_runs_without_a_violation(demo, live_server, browser):
    card = DoorCard.objects.filter(revoked_at__isnull=True).first()
    if card is None:
        pytest.skip("the demo printed no door card")
    visit = Visit(browser, live_server, **PHONE)

    visit.open(reverse("services:help", args=[door_card_token(card)]), shot="8-help.png")

    assert visit.problems == []


def test_the_admin_and_the_api_docs_run_without_a_violation(demo, live_server, browser):
    household = Household.objects.first()
    visit = Visit(browser, live_server, **SCREEN)
    visit.log_in("admin")

    visit.open(reverse("admin:index"), ready="#site-name", shot="9-admin.png")
    visit.open(reverse("admin:households_household_changelist"), ready="#result_list")
    visit.open(reverse("admin:households_household_change", args=[household.pk]), ready="form")
    visit.open(reverse("admin:households_household_find"), ready="form")
    visit.open(reverse("admin:monitoring_visit_add"), ready="form")
    visit.open(reverse("admin:grids_gridunit_changelist"), ready="#result_list")
    # Swagger UI draws the API from the schema, with its starter script served as a file.
    visit.open(reverse("api_docs"), ready=".swagger-ui .opblock", shot="10-api-docs.png")

    assert visit.problems == []
