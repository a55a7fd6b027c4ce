"""Series for Prometheus, read at /metrics (config.operations).

Requests are timed by their route's name ("households:card"), never their path, which
carries household and visit numbers; Celery tasks by their name. gunicorn's workers and
Celery's pool processes each keep their own numbers: with PROMETHEUS_MULTIPROC_DIR set,
each process writes them to files in that folder and a scrape adds them up. Each file is
named by the host and the process (not the process alone, prometheus-client's default),
so that the web's and the worker's containers, each numbering its processes from 1, can
share one folder and /metrics shows both.
"""

import os
import socket
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
if MULTIPROCESS:
    # Made here, so that a folder that cannot be made stops the start rather than failing
    # every request when it counts the first.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    # Before any series is made: each takes its value class when created.
    _host = socket.gethostname().replace("_", "-")
    values.ValueClass = values.MultiProcessValue(lambda: f"{_host}-{os.getpid()}")

# Kombu's Redis transport keeps a queue's prioritised messages in lists beside it.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)

REQUEST_SECONDS = Histogram(
    "hhl_http_request_duration_seconds",
    "Time to answer a request, by the route's name, method and status class (2xx, 4xx...).",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TASK_SECONDS = Histogram(
    "hhl_celery_task_duration_seconds",
    "Time a Celery task ran, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
    buckets=(0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600),
)
JOB_ROWS = Counter(
    "hhl_job_rows",
    "Rows a periodic job reported (follow-ups created, marked missed, snapshots taken...), by task name.",
    ["task"],
)


def route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    # view_name is namespace:name, or the view's dotted path when the pattern has no name.
    return match.view_name


# The methods a label may name; any other a client sends is "other": the method is the
# client's to make up, and each new name would be new series, kept for ever.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(request, response, seconds: float) -> None:
    status = f"{response.status_code // 100}xx"
    method = request.method if request.method in METHODS else "other"
    REQUEST_SECONDS.labels(route_name(request), method, status).observe(seconds)


# Started tasks by id: a pool process runs one task at a time, but a thread pool more.
_started: dict[str, float] = {}


def task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


def task_finished(task_id=None, task=None, retval=None, state=None, **kwargs) -> None:
    start = _started.pop(task_id, None)
    if start is None or task is None:
        return
    outcome = {"SUCCESS": "success", "FAILURE": "failure", "RETRY": "retry"}.get(state, "other")
    TASK_SECONDS.labels(task.name, outcome).observe(time.perf_counter() - start)
    # The jobs return the rows they wrote (monitoring.tasks: follow-ups created, missed).
    if outcome == "success" and isinstance(retval, int) and not isinstance(retval, bool) and retval >= 0:
        JOB_ROWS.labels(task.name).inc(retval)


def connect_task_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(task_started, weak=False, dispatch_uid="hhl-metrics-prerun")
    task_postrun.connect(task_finished, weak=False, dispatch_uid="hhl-metrics-postrun")


class QueueLengths:
    """Messages waiting in each queue, read from the broker at each scrape (nothing to
    keep between processes). Nothing when the broker is not Redis or does not answer."""

    def collect(self):
        import redis
        from django.conf import settings

        from config.health import broker_client, queue_names

        prefix = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("global_keyprefix", "")
        names = queue_names()
        try:
            client = broker_client()
        except (redis.RedisError, OSError):
            return
        if client is None:
            return
        try:
            with client.pipeline(transaction=False) as pipe:
                for name in names:
                    for step in PRIORITY_STEPS:
                        pipe.llen(f"{prefix}{name}{PRIORITY_SEPARATOR}{step}" if step else f"{prefix}{name}")
                lengths = pipe.execute()
        except (redis.RedisError, OSError):
            return
        finally:
            client.close()
        family = GaugeMetricFamily(
            "hhl_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        for i, name in enumerate(names):
            family.add_metric([name], sum(lengths[i * len(PRIORITY_STEPS) : (i + 1) * len(PRIORITY_STEPS)]))
        yield family


def exposition() -> tuple[bytes, str]:
    """The text a scrape reads: every process's series, and the queues now."""
    if MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ThisProcess())
    registry.register(QueueLengths())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _ThisProcess:
    """The default registry's series (ours, and the process's own) for one process."""

    def collect(self):
        yield from REGISTRY.collect()
