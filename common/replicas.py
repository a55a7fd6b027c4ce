"""Reads on streaming replicas, for the pages that only read much (the wall, reports,
exports, API lists), and never where a reader must see a write just made.

A view opts in (``@reads_from_replica``, or a viewset's ``replica_actions``); everything
else reads the primary, as it does with no replica configured. Inside an opted-in request
the router still sends a read to the primary when:

- the user wrote lately (``REPLICA_PIN_SECONDS``): a worker who logs a visit and goes back
  to the list must find it there, and a replica may not have replayed it yet. The time of
  the last write is kept in a cookie (browsers) and in the cache by user (API clients with
  a token keep no cookie);
- this request or job has written, or runs inside a transaction: a read there may be
  about to decide a write (a version number, a lock), and must see the rows as they are;
- the model is one of the apps that hold who may do what (sessions, users, tokens,
  lockouts, second factors, the audit chain): a lagging replica must never let a revoked
  token or a locked account through, nor chain an audit row onto an old head;
- the replica lags more than ``REPLICA_MAX_LAG_SECONDS``, is not streaming from a primary
  (cut off from it, it would look current while its data grows old) or cannot be reached
  (measured every ``REPLICA_CHECK_SECONDS`` per process, logged by its alias only);
- the view keeps some requests home by a query parameter (``replica_primary_params``: the
  API's change feed, whose cursor must not pass rows a replica has not replayed yet).

With a replica configured the router always names the database: were it to answer None,
Django would read a related row where the instance came from (``instance._state.db``), a
replica, even after a write or for the apps that hold who may do what.

Writes always go to the primary, and nothing is ever migrated on a replica.
"""

import contextvars
import datetime
import logging
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

# Who may do what is read where it is written (see the module's docstring).
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "contenttypes", "admin", "accounts", "audit", "axes", "otp_static", "otp_totp"}
)
PIN_COOKIE = "hhl_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What the standby says of its lag, in seconds (config.health shows the same). NULL, that
# is unusable, unless a WAL receiver streams from the primary: one that has lost it keeps
# its last received position, which replay soon reaches, and would read as no lag for as
# long as it stays cut off. A role without pg_read_all_stats (pg_monitor) sees only the
# receiver's pid, its status NULL: that one runs is all it can tell. Then nothing waiting
# to replay is no lag, however long ago the last transaction was (an idle primary writes
# none).
LAG_SQL = (
    "SELECT CASE WHEN NOT EXISTS (SELECT FROM pg_stat_wal_receiver"
    " WHERE coalesce(status, 'streaming') = 'streaming') THEN NULL"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE extract(epoch from now() - pg_last_xact_replay_timestamp()) END"
)
# Whether the standby has replayed a transaction that committed at or after a moment: WAL
# replays in commit order, so then it holds everything committed before that moment.
# NULL (nothing replayed since it started) is no.
REPLAYED_SINCE_SQL = "SELECT coalesce(pg_last_xact_replay_timestamp() >= %s, false)"


@dataclass
class _Reads:
    """What the router knows of the request or job it serves."""

    allowed: bool = False  # the view or job opted in
    wrote: bool = False
    as_of: datetime.datetime | None = None  # a job: what it reads must be newer than this
    request: object = None
    pinned: bool | None = None  # the user's own recent write; None until first asked
    used: set = field(default_factory=set)
    # A job: alias -> whether that replica had replayed a commit made after ``as_of``,
    # asked once per job (replay only moves on: a yes stays true).
    replayed: dict = field(default_factory=dict)


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar("replica_reads", default=None)


def replicas() -> list[str]:
    return list(getattr(settings, "REPLICA_DATABASES", []))


def reads_from_replica(view=None, *, methods=("GET", "HEAD"), primary_params=()):
    """Let this view read from a replica for these methods: it only reads (a POST that
    reads before it logs, as an export does, may be named), and what it shows may be a
    few seconds old (the wall, a report, a list) except for the user's own writes. A
    request carrying any of ``primary_params`` in its query reads the primary."""

    def mark(view):
        view.replica_methods = frozenset(methods)
        view.replica_primary_params = tuple(primary_params)
        return view

    return mark(view) if view is not None else mark


@contextmanager
def reading_from_replica(*, as_of: datetime.datetime):
    """For a job that reads much before it writes (a prepared export): reads in the block
    may go to a replica until the job's first write, if that replica has replayed a
    transaction committed at or after ``as_of`` (when the job was asked for: the asker's
    own writes came before, and the row asking for the job commits after it). WAL replays
    in commit order, so such a replica holds everything committed before ``as_of``. Its
    lag says nothing of that: a replica that has not yet received the commit reports none.
    Asked once per replica for the job; ``as_of`` is the application's clock, compared with
    the primary's commit times (the same machine's, or NTP's). The caller's state comes
    back after the block."""
    token = _reads.set(_Reads(allowed=True, as_of=as_of))
    try:
        yield
    finally:
        _reads.reset(token)


# --- the replicas' health, per process -----------------------------------------------

# alias -> (when measured, on time.monotonic(); its lag in seconds, None if unusable)
_health: dict[str, tuple[float, float | None]] = {}
_health_lock = threading.Lock()


def _unreachable(alias: str, error: Exception) -> None:
    # By its alias and the error's kind: the error's text could name a host or a user.
    logger.warning("replica %s unreachable, reading from the primary: %s", alias, type(error).__name__)
    connections[alias].close()


def measure_lag(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it cannot be read from (logged)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = cursor.fetchone()[0]
    except DatabaseError as error:
        _unreachable(alias, error)
        return None
    if lag is None:
        # No WAL receiver streaming (cut off from the primary, or not a standby at all),
        # or nothing replayed yet while WAL waits: how far behind it is, nobody knows.
        logger.warning(
            "replica %s is not streaming from a primary or has replayed nothing, reading from the primary",
            alias,
        )
        return None
    return float(lag)


def replayed_since(alias: str, moment: datetime.datetime) -> bool:
    """Whether the replica has replayed a transaction committed at or after ``moment``,
    and so everything committed before it (see ``reading_from_replica``)."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(REPLAYED_SINCE_SQL, [moment])
            return bool(cursor.fetchone()[0])
    except DatabaseError as error:
        _unreachable(alias, error)
        return False


def usable(alias: str) -> bool:
    """Whether to read from the replica: it answers, streams from the primary and lags no
    more than REPLICA_MAX_LAG_SECONDS."""
    now = time.monotonic()
    with _health_lock:
        measured = _health.get(alias)
    fresh = measured is None or now - measured[0] >= settings.REPLICA_CHECK_SECONDS
    if fresh:
        measured = (now, measure_lag(alias))
        with _health_lock:
            _health[alias] = measured
        if measured[1] is not None and measured[1] > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("replica %s lags %.1f s, reading from the primary", alias, measured[1])
    lag = measured[1]
    if lag is None or lag > settings.REPLICA_MAX_LAG_SECONDS:
        return False
    if not fresh and connections[alias].connection is None:
        # Usable a moment ago, but this thread has no connection to it yet: open one now,
        # so that a replica gone since falls back here rather than failing the page.
        try:
            connections[alias].ensure_connection()
        except DatabaseError as error:
            _unreachable(alias, error)
            with _health_lock:
                _health[alias] = (now, None)
            return False
    return True


def forget_health() -> None:
    """Drop what this process knows of the replicas: the next read measures again."""
    with _health_lock:
        _health.clear()


# --- the user's own writes ---------------------------------------------------------------


def _pin_key(user_pk) -> str:
    return f"replica-pin:{user_pk}"


def _pinned(request) -> bool:
    """Whether this request's user wrote within REPLICA_PIN_SECONDS."""
    since = time.time() - settings.REPLICA_PIN_SECONDS
    try:
        if float(request.COOKIES.get(PIN_COOKIE, "0")) > since:
            return True
    except ValueError:
        pass  # a mangled cookie pins nothing; the cache still may
    # Read here, not when the request came in: an API token is checked in the view.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return (cache.get(_pin_key(user.pk)) or 0) > since
    return False


def _remember_write(request, response, *, seen: bool) -> None:
    """Pin the user's reads to the primary for a while: by a cookie after any unsafe
    request (it may have written in ways the router does not see, raw SQL), and by the
    user in the cache after a write the router saw (a token client keeps no cookie).
    A login is unsafe but writes only rows of primary-only apps: it pins the browser, not
    the user."""
    now = time.time()
    seconds = settings.REPLICA_PIN_SECONDS
    response.set_cookie(
        PIN_COOKIE,
        f"{now:.0f}",
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    user = getattr(request, "user", None)
    if seen and user is not None and user.is_authenticated:
        cache.set(_pin_key(user.pk), now, seconds)


# --- the router and the middleware ----------------------------------------------------


def _fresh_for_job(state: _Reads, alias: str) -> bool:
    """For a job (``as_of``), whether the replica has replayed a commit made after it was
    asked for; asked of the replica once per job. A request needs no such proof."""
    if state.as_of is None:
        return True
    if alias not in state.replayed:
        state.replayed[alias] = replayed_since(alias, state.as_of)
    return state.replayed[alias]


class ReplicaRouter:
    """Reads of opted-in views and jobs to a usable replica; everything else, and every
    write, to the primary."""

    def db_for_read(self, model, **hints):
        names = replicas()
        if not names:
            return None  # as if there were no router
        # The primary, by name (see the module's docstring): not None, which would read a
        # related row on the replica its instance was read from.
        state = _reads.get()
        if state is None or not state.allowed or state.wrote:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if state.pinned is None and state.request is not None:
            state.pinned = True  # while it is worked out, the reads it makes (the user) stay home
            state.pinned = _pinned(state.request)
        if state.pinned:
            return DEFAULT_DB_ALIAS
        # Spread over the replicas; a request sticks to the one it started on, so that its
        # pages, counts and rows agree with each other.
        for alias in sorted(state.used) or random.sample(names, len(names)):
            if usable(alias) and _fresh_for_job(state, alias):
                state.used = {alias}
                return alias
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        state = _reads.get()
        # Rows of the primary-only apps are never read from a replica, so their writes
        # (a session touched, a token's last use) cannot be missed there.
        if state is not None and model._meta.app_label not in PRIMARY_ONLY_APPS:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The same rows wherever they were read.
        ours = {DEFAULT_DB_ALIAS, *replicas()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica replays the primary's schema; it refuses writes anyway.
        if db in replicas():
            return False
        return None


def _opted_in(view_func, request) -> bool:
    """Whether the request's view lets it read a replica: the view names the method
    (``replica_methods``), or a DRF viewset the action (``replica_actions``), and the
    request carries none of the query parameters that keep it on the primary
    (``replica_primary_params`` of the view or the viewset)."""
    method = request.method
    # A DRF viewset's route: its class says.
    cls = getattr(view_func, "cls", None)
    if any(name in request.GET for name in getattr(cls or view_func, "replica_primary_params", ())):
        return False
    if method in getattr(view_func, "replica_methods", ()):
        return True
    actions = getattr(view_func, "actions", None) or {}
    action = actions.get(method.lower())
    return bool(cls is not None and action and action in getattr(cls, "replica_actions", ()))


class ReplicaReadsMiddleware:
    """Gives the router the request: whether its view opted in, and remembers when the
    user wrote. With no replica configured it does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        state = _Reads(request=request)
        token = _reads.set(state)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            _remember_write(request, response, seen=state.wrote)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _reads.get()
        if state is not None:
            state.allowed = _opted_in(view_func, request)
        return None
