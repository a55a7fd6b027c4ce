"""The release as deployed: gunicorn under the production settings, the static files the
image's build collects, behind a TLS proxy; the pages people open first answer, and so
does every static file they name."""

import pytest

from tests.accounts.second_factor_helpers import enrolled
from tests.grids.factories import UserFactory
from tests.servers import (
    GUNICORN,
    HASHED,
    STATIC_URL,
    Client,
    app_environment,
    free_port,
    needs_postgresql,
    serve,
    set_password,
)

pytestmark = [
    # The server runs on the machine's clock, so this test does too (it is about no date).
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
]

PASSWORD = "hhl-smoke-2026"


def assert_page_and_its_static_files(client, path, *, contains):
    page = client.get(path)
    assert page.status == 200, (path, page.status, page.header("Location"), client.server.output())
    # Kept by no cache, run under the policy (config.middleware, CONTENT_SECURITY_POLICY).
    assert page.header("Cache-Control") == "no-store", path
    assert "script-src 'self'" in page.header("Content-Security-Policy"), path
    assert "camera=()" in page.header("Permissions-Policy"), path
    assert contains in page.text, (path, page.text[:2000])
    assert page.header("Content-Encoding") == "gzip", path
    names = sorted(set(STATIC_URL.findall(page.text)))
    assert names, f"{path} names no static file"
    for name in names:
        static = client.get(name)
        assert static.status == 200, (path, name, static.status)
        # Named by the manifest, so cached for ever, and compressed where it pays.
        assert HASHED.search(name), (path, name)
        assert "immutable" in static.header("Cache-Control"), (path, name)
        if name.endswith((".css", ".js")) and len(static.body) > 10_000:
            assert static.header("Content-Encoding") == "gzip", (path, name)
    return page


def test_the_first_pages_and_their_static_files_answer_under_gunicorn(collected_static, people, tmp_path):
    set_password(people.worker, PASSWORD)
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    set_password(administrator, PASSWORD)
    # Production asks both for a second factor (the worker may see ID numbers): each has
    # an authenticator, and passes with a recovery code, which does not hang on the clock.
    _, worker_codes = enrolled(people.worker)
    _, administrator_codes = enrolled(administrator)
    env = app_environment(tmp_path, "config.settings.production") | {"STATIC_ROOT": str(collected_static)}
    port = free_port()
    command = [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]

    with serve(command, env, tmp_path, port=port) as server:
        # Without the proxy's word, production sends the browser to HTTPS.
        plain = Client(server, behind_tls_proxy=False).get("/accounts/login/")
        assert plain.status == 301
        assert plain.header("Location") == f"https://127.0.0.1:{port}/accounts/login/"

        worker = Client(server)
        assert_page_and_its_static_files(worker, "/accounts/login/", contains='name="password"')
        worker.log_in("worker", PASSWORD)
        worker.pass_second_factor(worker_codes[0])
        assert_page_and_its_static_files(worker, "/", contains="data-counts")
        wall = assert_page_and_its_static_files(worker, "/wall/", contains="data-chart-src")
        assert "/static/vendor/chartjs/chart.umd.min." in wall.text
        tiles = worker.get("/wall/tiles/")
        assert tiles.status == 200
        assert tiles.header("Content-Encoding") == "gzip"
        assert_page_and_its_static_files(worker, "/api/docs/", contains="swagger-ui")
        schema = worker.get("/api/schema/")
        assert schema.status == 200
        assert "openapi" in schema.text

        admin = Client(server)
        admin.log_in("root", PASSWORD)
        admin.pass_second_factor(administrator_codes[0])
        assert_page_and_its_static_files(admin, "/admin/", contains='id="site-name"')
