"""gunicorn's access log, as the image runs it (config/gunicorn_conf.py), names each
request by its path alone: no query string, no Referer."""

import pytest

from tests.servers import GUNICORN, Client, app_environment, free_port, needs_postgresql, serve

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
]

MOBILE = "13912345678"


def test_the_access_log_writes_paths_without_their_query_strings(collected_static, tmp_path):
    env = app_environment(tmp_path, "config.settings.production") | {"STATIC_ROOT": str(collected_static)}
    port = free_port()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    env["GUNICORN_WORKERS"] = "1"
    command = [str(GUNICORN), "--config", "config/gunicorn_conf.py", "config.wsgi"]

    with serve(command, env, tmp_path, port=port) as server:
        client = Client(server)
        refused = client.request(
            "GET", f"/accounts/login/?next=/&q={MOBILE}", headers={"Referer": f"/?q={MOBILE}"}
        )
        page = client.request("GET", "/accounts/login/?next=/households/7/&page=3")
        assert (refused.status, page.status) == (400, 200), server.output()
        server.process.terminate()  # flushes the log
        server.process.wait(timeout=20)
        log = server.output()

    lines = [line for line in log.splitlines() if '"GET /accounts/login/ HTTP/1.1"' in line]
    assert [line.split('" ')[1].split()[0] for line in lines] == ["400", "200"], log
    assert MOBILE not in log
    assert "page=3" not in log and "next=" not in log
