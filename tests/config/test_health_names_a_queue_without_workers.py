"""The workers' check asks every worker which queues it consumes: a queue nobody
consumes (its worker service down) fails the check, naming the queue."""

import time
import uuid

import pytest
from celery import Celery

from config.health import check_workers
from tests.config.operations import BROKER_URL, needs_redis
from tests.servers import celery_worker, delete_prefixed, needs_postgresql

pytestmark = [pytest.mark.real_clock, needs_postgresql, needs_redis]


def test_a_queue_no_worker_consumes_is_named(settings):
    prefix = f"hhl-test-{uuid.uuid4().hex}:"
    # The suite's own app was configured at import; one for our broker database, as the
    # web's is for its broker.
    app = Celery("hhl-health-test", broker=BROKER_URL)
    app.conf.broker_transport_options = {"global_keyprefix": prefix}
    settings.HEALTH_CELERY_TIMEOUT_SECONDS = 2
    worker = celery_worker(
        {"CELERY_BROKER_URL": BROKER_URL, "BROKER_KEY_PREFIX": prefix},
        "--queues",
        "engine",
        "--hostname",
        "engine@%h",
    )
    try:
        deadline = time.monotonic() + 60
        result = check_workers(app)
        while result.reason.startswith("no worker answered") and time.monotonic() < deadline:
            assert worker.poll() is None, worker.communicate()[0][-3000:]
            result = check_workers(app)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        delete_prefixed(BROKER_URL, prefix)

    assert not result.ok, output[-3000:]
    others = [queue.name for queue in settings.CELERY_TASK_QUEUES if queue.name != "engine"]
    assert result.reason == f"1 answered; no worker for {', '.join(others)}"
