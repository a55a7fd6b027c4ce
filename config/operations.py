"""Health and metrics, answered before anything else, and every other request timed.

First in MIDDLEWARE: a probe comes by the server's address over plain HTTP from inside
the network (a container's healthcheck, the kubelet, Prometheus), so it must not meet
ALLOWED_HOSTS, the HTTPS redirect, sessions or the login; and its answer says nothing
personal. Probes are not timed: they would drown the routes people use.

- /health/live/  anyone: the process answers (200), nothing is checked.
- /health/ready/ what this web process needs (database, cache): 200 or 503.
- /health/       every check (database, replicas, broker, cache, workers, beat): 200 or 503.
- /metrics       the series (config.metrics).

The answer's code is everyone's: a load balancer or a probe outside the allow-list must
see a 503 when the database is down. The detail (which checks, their reasons; the series)
is for insiders only (config.health.may_see_details): anyone else gets {"status": "ok"} or
{"status": "unavailable"} alone, and /metrics 403.
"""

import time

from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from config import health, metrics

LIVE = "/health/live/"
READY = "/health/ready/"
FULL = "/health/"
METRICS = "/metrics"


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return response


def _health(request, checks) -> HttpResponse:
    if request.path == LIVE:
        return _json({"status": "ok"})
    body = health.report(checks())
    status = 200 if body["status"] == "ok" else 503
    if not health.may_see_details(request):
        body = {"status": body["status"]}
    response = _json(body, status=status)
    # Not logged by django.request as a server error: a probe every few seconds would
    # mail the admins each time. Alerting on a failing check is the monitoring's work.
    response._has_been_logged = True
    return response


def _metrics(request) -> HttpResponse:
    if not health.may_see_details(request):
        response = HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    else:
        text, content_type = metrics.exposition()
        response = HttpResponse(text, content_type=content_type)
    add_never_cache_headers(response)
    return response


class OperationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"GET", "HEAD"}:
            if request.path in {LIVE, FULL}:
                return _health(request, health.all_checks)
            if request.path == READY:
                return _health(request, health.ready_checks)
            if request.path == METRICS:
                return _metrics(request)
        start = time.perf_counter()
        response = self.get_response(request)
        metrics.observe_request(request, response, time.perf_counter() - start)
        return response
