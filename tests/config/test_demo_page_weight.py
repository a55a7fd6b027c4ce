"""What a phone downloads to open the visit form for the first time, with the app served as
`make demo` serves it: runserver under the local settings, static files collected and
compressed, pages gzip-compressed. Measured in Debian's chromium."""

import sys
from pathlib import Path

import pytest
from django.urls import reverse

from monitoring.followups import generate_follow_ups
from tests.browser import PHONE, chromium, needs_chromium
from tests.servers import app_environment, free_port, needs_postgresql, serve, set_password

pytestmark = [
    needs_chromium,
    needs_postgresql,
    # The server runs on the machine's clock, so this test does too (it is about no date).
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path("test-results/grid-worker")
PASSWORD = "hhl-demo-weight-2026"
FIRST_LOAD_LIMIT = 60 * 1024


def test_the_visit_forms_first_load_under_the_demo_transfers_at_most_60_kb(
    collected_static, people, tmp_path, monkeypatch
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    generate_follow_ups()
    set_password(people.worker, PASSWORD)
    env = app_environment(tmp_path, "config.settings.local") | {"STATIC_ROOT": str(collected_static)}
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"]

    with serve(command, env, tmp_path, port=port) as server, chromium(monkeypatch) as browser:
        logging_in = browser.new_context(**PHONE).new_page()
        logging_in.goto(server.url + reverse("login"))
        logging_in.fill("#id_username", "worker")
        logging_in.fill("#id_password", PASSWORD)
        logging_in.click("button[type=submit]")
        logging_in.wait_for_url(server.url + "/")
        # A context of its own has an empty cache: the first load, logged in.
        page = browser.new_context(**PHONE, storage_state=logging_in.context.storage_state()).new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(server.url + reverse("monitoring:log_visit", args=[people.household.pk]))
        page.wait_for_load_state("load")
        page.screenshot(path=SHOTS / "demo-visit-form.png", full_page=True)

        assert page.locator("#id_notes").count() == 1, server.output()
        assert [r.url for r in responses if r.status != 200] == []
        kinds = {r.url.rsplit("/", 1)[-1].split(".")[0]: r for r in responses}
        assert {"bootstrap", "hhl"} <= kinds.keys(), [r.url for r in responses]
        # Bootstrap applied: its body font stack, not the browser's serif default.
        assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")
        encodings = {r.url: r.header_value("content-encoding") for r in responses}
        sizes = {r.url: r.request.sizes() for r in responses}
        transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes.values())
        by_performance = page.evaluate(
            "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".reduce((sum, entry) => sum + entry.transferSize, 0)"
        )

    html = sizes[responses[0].url]["responseBodySize"]
    (SHOTS / "visit-form-bytes.txt").write_text(
        f"visit_form served=make-demo transferred_bytes={transferred} html_body_bytes={html} "
        f"requests={len(responses)} performance_transfer_bytes={by_performance}\n"
    )
    assert transferred <= FIRST_LOAD_LIMIT, sizes
    assert by_performance <= FIRST_LOAD_LIMIT
    assert set(encodings.values()) == {"gzip"}, encodings
