"""A real browser for the tests: Debian's chromium driven by Playwright (never a
downloaded browser), and axe-core's accessibility checks."""

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[1] / "node_modules/axe-core/axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium tries to reach outside hosts, many times a second.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
SCREEN = {"viewport": {"width": 1920, "height": 1080}}

needs_chromium = pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed")


@contextmanager
def chromium(monkeypatch):
    """The browser, with Django told that the test thread's event loop (Playwright's
    sync API keeps one) does not make its database calls asynchronous."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def accessibility_violations(page) -> list[str]:
    """axe-core's WCAG 2 A and AA findings on the page, as "rule: where" lines."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    # Evaluated through the driver, not added as a <script>: the pages' Content-Security-
    # Policy refuses inline scripts, as it should.
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result["violations"]]
