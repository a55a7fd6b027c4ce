"""A busy bulk queue does not hold up the engine, for real: exports and an import wait on
the bulk queue, nobody consuming it, while a worker of the engine queue alone marks the
missed follow-ups in PostgreSQL. On Redis (REDIS_URL) and on the demo's folder of files."""

import datetime
import time
import uuid

import pytest
from django.db import connection
from kombu import Connection

from config.celery import app
from monitoring.models import FollowUp
from tests.households.factories import HouseholdFactory, default_tier
from tests.servers import REDIS_URL, celery_worker, delete_prefixed, needs_redis_url

pytestmark = [
    pytest.mark.real_clock,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
]

BULK_WORK = [
    ("households.prepare_export", [10**9]),
    ("households.prepare_export", [10**9 + 1]),
    ("households.import_ledger", [10**9]),
    ("reports.generate_monthly_reports", []),
]


def broker(kind, tmp_path):
    """The worker's environment and this process's connection to the same broker: under a
    prefix of this test's own on Redis, in a folder of its own on files."""
    if kind == "redis":
        prefix = f"hhl-test-{uuid.uuid4().hex}:"
        env = {"CELERY_BROKER_URL": REDIS_URL, "BROKER_KEY_PREFIX": prefix}
        return env, Connection(REDIS_URL, transport_options={"global_keyprefix": prefix})
    folder = tmp_path / "queue"
    (folder / "control").mkdir(parents=True)
    env = {"CELERY_BROKER_URL": "filesystem://", "CELERY_QUEUE_DIR": str(folder)}
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }
    return env, Connection("filesystem://", transport_options=options)


def waiting(conn, queue):
    # The transport's own count (LLEN on Redis, files on disk): a passive queue_declare
    # would do, but kombu 5.7 checks the queue's existence without the key prefix.
    return conn.default_channel._size(queue)


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("redis", marks=needs_redis_url),
        "filesystem",
    ],
)
def test_the_engine_marks_missed_follow_ups_while_exports_and_imports_wait_on_the_bulk_queue(
    grid, tmp_path, kind
):
    # The worker runs on today's real date: periods that ended ten days before it.
    today = datetime.date.today()
    for code in ["red", "yellow", "green"] * 2:
        FollowUp.objects.create(
            household=HouseholdFactory(unit=grid.building_1, tier=default_tier(code)),
            tier=default_tier(code),
            period_start=today - datetime.timedelta(days=20),
            period_end=today - datetime.timedelta(days=10),
            due_on=today - datetime.timedelta(days=10),
        )
    env, conn = broker(kind, tmp_path)
    worker = None
    try:
        producer = app.amqp.Producer(conn)
        # First the bulk work, as when a county's export and an import are queued at 08:00;
        # then the hourly job, routed by its name as beat sends it.
        for name, args in BULK_WORK:
            app.send_task(name, args=args, producer=producer)
        app.send_task("monitoring.mark_missed", producer=producer)
        assert (waiting(conn, "bulk"), waiting(conn, "engine")) == (len(BULK_WORK), 1)

        worker = celery_worker(env, "--queues", "engine")
        deadline = time.monotonic() + 90
        while (
            FollowUp.objects.filter(status="missed").count() < 6
            and time.monotonic() < deadline
            and worker.poll() is None
        ):
            time.sleep(0.5)
        marked = FollowUp.objects.filter(status="missed").count()
        still_waiting = (waiting(conn, "bulk"), waiting(conn, "engine"))
    finally:
        output = ""
        if worker is not None:
            worker.terminate()
            output, _ = worker.communicate(timeout=30)
        if kind == "redis":
            delete_prefixed(REDIS_URL, env["BROKER_KEY_PREFIX"])
        conn.release()

    assert marked == 6, output[-3000:]
    assert still_waiting == (len(BULK_WORK), 0)
    # "Task <name>[<id>] received": the worker's log of what it took (its banner lists
    # every task it knows, bulk ones too).
    assert "monitoring.mark_missed[" in output
    assert "households.prepare_export[" not in output and "households.import_ledger[" not in output
