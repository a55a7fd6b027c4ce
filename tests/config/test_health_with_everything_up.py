"""Everything up, as deployed: gunicorn under the production settings (two workers, the
metrics in a shared folder), a Celery worker with beat on Redis, the cache on Redis, all
on PostgreSQL. The full check answers 200 with every check ok, beat's heartbeat included,
and one scrape adds up what both web processes and the Celery worker counted."""

import json
import re
import time
import uuid

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.models import Heartbeat
from tests.config.operations import BROKER_URL, CACHE_URL, needs_redis
from tests.servers import (
    GUNICORN,
    Client,
    app_environment,
    celery_worker,
    delete_prefixed,
    free_port,
    needs_postgresql,
    serve,
)

pytestmark = [
    # The worker and the server run on the machine's clock; nothing here is about a date.
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
    needs_redis,
]


def test_every_check_is_ok_and_one_scrape_adds_up_every_process(tmp_path):
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    shared = {
        "CELERY_BROKER_URL": BROKER_URL,
        "BROKER_KEY_PREFIX": prefix,
        "CACHE_URL": CACHE_URL,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    # Every second rather than every minute (beat first sends a job one interval after it starts).
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(task="config.heartbeat").update(interval=every_second)
    worker = celery_worker(shared, "--beat", "--schedule", str(tmp_path / "beat-schedule"))
    port = free_port()
    env = app_environment(tmp_path, "config.settings.production") | shared
    env |= {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    try:
        # Beat sends the heartbeat, the worker runs it.
        deadline = time.monotonic() + 90
        while not Heartbeat.objects.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
        assert Heartbeat.objects.exists(), "the heartbeat never ran"

        with serve(
            [str(GUNICORN), "--config", "config/gunicorn_conf.py", "config.wsgi"], env, tmp_path, port=port
        ) as server:
            # A probe asks by plain HTTP, from inside: no redirect to HTTPS.
            client = Client(server, behind_tls_proxy=False)
            health = client.get("/health/")
            assert health.status == 200, (health.text, server.output())
            checks = json.loads(health.text)["checks"]
            statuses = {name: check["status"] for name, check in checks.items()}
            assert statuses == dict.fromkeys(["database", "broker", "cache", "workers", "beat"], "ok"), checks
            assert checks["workers"]["reason"] == "1 answered"
            assert health.header("Content-Type") == "application/json"

            # Twenty requests, counted wherever gunicorn sent them.
            api = Client(server)  # through the TLS proxy: no redirect to HTTPS
            for _ in range(20):
                assert api.get("/api/v1/me/").status in {401, 403}
            text = client.get("/metrics").text
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        delete_prefixed(BROKER_URL, prefix)

    requests = re.search(
        r'^hhl_http_request_duration_seconds_count\{method="GET",route="api_me",status="4xx"\} (\S+)$',
        text,
        re.M,
    )
    assert requests and float(requests.group(1)) == 20.0, text[:3000]
    # The worker's processes wrote to the same folder: its heartbeat runs are in the scrape.
    assert re.search(
        r'^hhl_celery_task_duration_seconds_count\{outcome="success",task="config.heartbeat"\} [1-9]',
        text,
        re.M,
    ), (
        text[:3000],
        output[-2000:],
    )
    assert 'hhl_celery_queue_length{queue="celery"}' in text
    # The web's processes and the worker's pool each wrote their own files (which of the two
    # gunicorn workers took the twenty requests is the kernel's choice: one may have taken
    # them all), and the scrape above added them up.
    assert len({path.name.split("_")[-1] for path in metrics_dir.glob("*.db")}) >= 2
