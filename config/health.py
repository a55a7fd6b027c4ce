"""Health checks: what a load balancer, a Kubernetes probe or an operator reads.

Each check answers a name, ok or not, and a short reason written here: never an
exception's text, which names hosts, ports and sometimes a password in a URL. Our own
small functions rather than django-health-check: its releases since 4.9 need Python 3.14
(we would be held at 4.8), it answers 500 rather than 503, names each check by its repr
(the Redis host and port), runs an event loop per probe, and its checks of a database,
a Redis and a Celery ping are a few lines each; the lag of a replica and beat's heartbeat
are ours either way.
"""

import datetime
import hmac
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
import redis.sentinel
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from common.http import client_address
from common.replicas import LAG_SQL
from config.env import redis_database

REDIS_TIMEOUT_SECONDS = 1


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    reason: str


def _redis_ping(client: redis.Redis) -> str:
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def broker_client() -> redis.Redis | None:
    """A client of the broker's Redis (through the sentinels, for sentinel:// URLs, to the
    master they name), or None when the broker is not Redis (the demo's folder)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("sentinel://"):
        from redis.sentinel import Sentinel

        nodes = [urlsplit(part.strip()) for part in url.split(";") if part.strip()]
        sentinel = Sentinel(
            [(node.hostname or "localhost", node.port or 26379) for node in nodes],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        return sentinel.master_for(
            settings.CELERY_BROKER_TRANSPORT_OPTIONS["master_name"],
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            password=nodes[0].password,
            db=int(nodes[0].path.strip("/") or 0),
        )
    if redis_database(url) is None:
        return None
    return redis_client(url)


def _failure(error: Exception) -> str:
    # The kind of failure only: the message of a connection error names the host.
    if isinstance(error, (redis.TimeoutError, TimeoutError)):
        return "timed out"
    if isinstance(error, (redis.ConnectionError, ConnectionError, redis.sentinel.MasterNotFoundError)):
        return "unreachable"
    return f"failed ({type(error).__name__})"


def check_database() -> Result:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Result("database", False, _failure(error))
    return Result("database", True, "ok")


def check_replica(alias: str) -> Result:
    name = f"replica:{alias}"
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("SELECT 1")
                return Result(name, True, "ok (lag not measured on this database)")
            # What the router goes by (common.replicas): seconds behind, NULL unless a WAL
            # receiver streams from the primary.
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        return Result(name, False, _failure(error))
    if lag is None:
        # No WAL receiver streaming: a primary, a standby cut off from its primary (its
        # received WAL all replayed, it would otherwise say 0 s behind), or one that has
        # replayed nothing yet.
        return Result(name, False, "not streaming from a primary")
    lag = float(lag)
    limit = settings.REPLICA_MAX_LAG_SECONDS
    if lag > limit:
        return Result(name, False, f"{lag:.0f} s behind (limit {limit} s)")
    return Result(name, True, f"{lag:.1f} s behind")


def check_broker() -> Result:
    try:
        client = broker_client()
        if client is None:
            # The demo's folder of files: nothing to reach.
            return Result("broker", True, "ok (no server)")
        return Result("broker", True, _redis_ping(client))
    except (redis.RedisError, OSError) as error:
        return Result("broker", False, _failure(error))


def check_cache() -> Result:
    if not settings.CACHE_URL:
        return Result("cache", True, "ok (this process's memory)")
    try:
        return Result("cache", True, _redis_ping(redis_client(settings.CACHE_URL)))
    except (redis.RedisError, OSError) as error:
        return Result("cache", False, _failure(error))


def check_workers(app=None) -> Result:
    if app is None:
        from config.celery import app

    timeout = settings.HEALTH_CELERY_TIMEOUT_SECONDS
    try:
        # One broadcast: each worker that answers says which queues it consumes.
        answers = app.control.inspect(timeout=timeout).active_queues() or {}
    except NotImplementedError:
        # The demo's file transport has no broadcast; beat's heartbeat still tells.
        return Result("workers", True, "not asked (this broker cannot broadcast)")
    except Exception as error:  # noqa: BLE001 (kombu raises its own and the socket's)
        return Result("workers", False, _failure(error))
    if not answers:
        return Result("workers", False, f"no worker answered in {timeout} s")
    consumed = {queue["name"] for queues in answers.values() for queue in queues}
    if unserved := [name for name in queue_names() if name not in consumed]:
        return Result("workers", False, f"{len(answers)} answered; no worker for {', '.join(unserved)}")
    return Result("workers", True, f"{len(answers)} answered")


def queue_names() -> list[str]:
    queues = getattr(settings, "CELERY_TASK_QUEUES", None) or [settings.CELERY_TASK_DEFAULT_QUEUE]
    return [queue if isinstance(queue, str) else queue.name for queue in queues]


def check_beat() -> Result:
    from config.models import Heartbeat
    from config.tasks import BEAT

    try:
        ran_at = Heartbeat.objects.filter(name=BEAT).values_list("ran_at", flat=True).first()
    except DatabaseError as error:
        return Result("beat", False, _failure(error))
    if ran_at is None:
        return Result("beat", False, "the heartbeat job never ran")
    age = (timezone.now() - ran_at).total_seconds()
    if age > settings.HEARTBEAT_MAX_AGE_SECONDS:
        return Result("beat", False, f"last heartbeat {age / 60:.0f} min ago")
    return Result("beat", True, f"last heartbeat {age:.0f} s ago")


def ready_checks() -> list[Result]:
    """What this web process needs to serve a page: a load balancer's readiness. Not the
    workers nor the replicas: their trouble must not take every web process out of
    service, which would turn a slow job into a site that is down."""
    return [check_database(), check_cache()]


def all_checks() -> list[Result]:
    results = [check_database(), *(check_replica(alias) for alias in settings.REPLICA_DATABASES)]
    broker = check_broker()
    results += [broker, check_cache()]
    if broker.ok:
        results.append(check_workers())
    else:
        # A ping would wait on kombu's reconnection attempts for many seconds.
        results.append(Result("workers", False, "not asked (broker unreachable)"))
    results.append(check_beat())
    return results


def may_see_details(request) -> bool:
    """An insider: from HEALTH_ALLOWED_NETWORKS, or with the bearer token."""
    token = settings.HEALTH_TOKEN
    sent = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    networks = settings.HEALTH_ALLOWED_NETWORKS
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def report(results: list[Result]) -> dict:
    return {
        "status": "ok" if all(r.ok for r in results) else "unavailable",
        "checked_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "checks": {r.name: {"status": "ok" if r.ok else "failing", "reason": r.reason} for r in results},
    }
