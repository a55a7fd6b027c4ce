"""Which reads may go to a replica, decided in the process: the views that opted in, and
within them never a read that must see a write. (tests/config/test_read_replicas.py shows
the same against a real streaming standby.)"""

import datetime
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connections, router, transaction
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone

from common import replicas
from common.replicas import PIN_COOKIE, ReplicaRouter, _Reads
from households.models import Household, Member
from tests.servers import ROOT

ROUTER = ReplicaRouter()


@pytest.fixture
def with_a_replica(settings):
    """A replica named in the settings; no test here reaches it (where reads go is decided
    before, or without, connecting)."""
    settings.REPLICA_DATABASES = ["replica_1"]
    settings.REPLICA_PIN_SECONDS = 20
    return settings


@pytest.fixture
def reading(with_a_replica):
    """The router's view of a request to a view that opted in."""

    def start(**state):
        token = replicas._reads.set(_Reads(allowed=True, **state))
        return token

    tokens = []
    yield lambda **state: tokens.append(start(**state)) or replicas._reads.get()
    for token in reversed(tokens):
        replicas._reads.reset(token)


@pytest.fixture
def replica_connection(with_a_replica):
    """replica_1 as a connection of its own to the test database (the same rows, as a
    standby's would be): for the reads that reach it. It is no standby: it has replayed
    nothing."""
    primary = connections["default"]
    connections["replica_1"] = replica = type(primary)({**primary.settings_dict}, "replica_1")
    try:
        yield replica
    finally:
        replica.close()
        del connections["replica_1"]


def opted_in(path: str, method: str = "GET") -> bool:
    request = RequestFactory().generic(method, path)
    return replicas._opted_in(resolve(request.path_info).func, request)


def test_only_the_wall_reports_exports_and_the_api_lists_may_read_a_replica():
    assert opted_in(reverse("monitoring:wall"))
    assert opted_in(reverse("monitoring:wall_tiles"))
    assert opted_in(reverse("reports:index"))
    assert opted_in(reverse("reports:report", args=["c1", "2026-10"]))
    assert opted_in(reverse("reports:pdf", args=["c1", "2026-10"]))
    assert opted_in("/api/v1/households/")
    assert opted_in("/api/v1/visits/")
    # An export reads its ledger in the POST; its GET shows the worker's progress.
    assert opted_in(reverse("households:export"), "POST")
    assert not opted_in(reverse("households:export"))
    # Pages about to write, single records (their ETag decides a write) and API writes.
    assert not opted_in(reverse("monitoring:today"))
    assert not opted_in(reverse("households:card", args=[1]))
    assert not opted_in(reverse("monitoring:proposals"))
    assert not opted_in("/api/v1/households/1/")
    assert not opted_in("/api/v1/households/", "POST")
    assert not opted_in(reverse("reports:generate", args=["c1", "2026-10"]), "POST")


def test_the_api_change_feed_reads_the_primary_and_the_numbered_pages_a_replica():
    # The feed's cursor moves up to what the primary has settled (common.sync): read on a
    # replica a few seconds behind, it would move past rows the replica had not replayed
    # yet, and they would never be sent.
    assert opted_in("/api/v1/households/")
    assert opted_in("/api/v1/households/?page=2&page_size=50")
    assert not opted_in("/api/v1/households/?cursor=")
    assert not opted_in("/api/v1/households/?cursor=eyJ0IjoxfQ&page_size=50")
    assert not opted_in("/api/v1/visits/?cursor=")


def test_with_no_replica_configured_the_router_leaves_every_read_where_it_was(settings, reading):
    settings.REPLICA_DATABASES = []
    reading()

    assert ROUTER.db_for_read(Household) is None
    assert ROUTER.db_for_write(Household) == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_that_opted_in_stays_on_the_primary_in_a_transaction_after_a_write_and_for_who_may_do_what(
    reading,
):
    # (That it goes to the replica otherwise: tests/config/test_read_replicas.py.)
    state = reading()
    with transaction.atomic():
        assert ROUTER.db_for_read(Household) == "default"
    # Who may do what (sessions, users, tokens, lockouts, the audit chain): the primary.
    assert ROUTER.db_for_read(Session) == "default"
    assert ROUTER.db_for_read(get_user_model()) == "default"
    # A session touched is no write the reads could miss; a household changed is.
    assert ROUTER.db_for_write(Session) == "default" and not state.wrote
    assert ROUTER.db_for_write(Household) == "default" and state.wrote
    assert ROUTER.db_for_read(Household) == "default"


def test_a_row_related_to_one_read_on_a_replica_is_read_on_the_primary_where_the_router_says_so(reading):
    # Django reads a related row where its instance came from when the routers name no
    # database: the router names the primary.
    household = Household()
    household._state.db = "replica_1"

    # Its members, outside any opted-in view or job.
    assert router.db_for_read(Member, instance=household) == "default"
    # Who created it, in an opted-in request: a user, read only on the primary.
    state = reading()
    assert router.db_for_read(get_user_model(), instance=household) == "default"
    # Its members, after the request wrote.
    state.wrote = True
    assert router.db_for_read(Member, instance=household) == "default"


def test_with_no_replica_configured_a_related_row_is_read_where_its_instance_was(settings):
    settings.REPLICA_DATABASES = []
    household = Household()
    household._state.db = "other"

    assert ROUTER.db_for_read(Member, instance=household) is None
    assert router.db_for_read(Member, instance=household) == "other"


def test_a_replica_that_lags_too_far_is_unknown_or_behind_a_job_is_not_read(reading, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 10
    settings.REPLICA_CHECK_SECONDS = 60
    try:
        reading()
        replicas._health["replica_1"] = (time.monotonic(), 10.5)
        assert ROUTER.db_for_read(Household) == "default"
        replicas._health["replica_1"] = (time.monotonic(), None)  # unreachable or not streaming
        assert ROUTER.db_for_read(Household) == "default"
    finally:
        replicas.forget_health()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # a job runs in no transaction
def test_a_job_reads_a_replica_only_once_it_has_replayed_a_commit_made_after_the_job_was_asked_for(
    reading, replica_connection, settings, django_assert_num_queries
):
    settings.REPLICA_MAX_LAG_SECONDS = 10
    settings.REPLICA_CHECK_SECONDS = 60
    asked = timezone.now() - datetime.timedelta(seconds=30)
    # No lag, measured just now: what a replica also says that has not received the
    # commits of the last 30 s (a slow link, a receiver cut off).
    replicas._health["replica_1"] = (time.monotonic(), 0.0)
    try:
        job = reading(as_of=asked)
        # This one has replayed nothing (on SQLite it cannot even be asked): the primary.
        assert ROUTER.db_for_read(Household) == "default"
        assert job.replayed == {"replica_1": False}
        # Asked once for the job.
        with django_assert_num_queries(0, connection=replica_connection):
            assert ROUTER.db_for_read(Member) == "default"

        # A replica that has replayed a commit made after the job was asked for serves it.
        reading(as_of=asked, replayed={"replica_1": True})
        with django_assert_num_queries(0, connection=replica_connection):
            assert ROUTER.db_for_read(Household) == "replica_1"
    finally:
        replicas.forget_health()


def test_a_user_who_wrote_lately_reads_the_primary_by_cookie_or_by_user(with_a_replica):
    request = RequestFactory().get("/wall/")
    request.user = get_user_model()(pk=7, username="x")  # never saved: no database here
    assert not replicas._pinned(request)

    request.COOKIES[PIN_COOKIE] = f"{time.time() - 5:.0f}"
    assert replicas._pinned(request)
    request.COOKIES[PIN_COOKIE] = f"{time.time() - 25:.0f}"  # past REPLICA_PIN_SECONDS
    assert not replicas._pinned(request)
    request.COOKIES[PIN_COOKIE] = "not a time"
    assert not replicas._pinned(request)

    cache.set(replicas._pin_key(7), time.time() - 5)
    try:
        assert replicas._pinned(request)
    finally:
        cache.delete(replicas._pin_key(7))


@pytest.mark.django_db
def test_a_request_that_writes_pins_its_user_and_a_read_pins_nobody(client, people, with_a_replica):
    client.force_login(people.worker)

    assert PIN_COOKIE not in client.get(reverse("monitoring:inbox")).cookies
    written = client.post(reverse("monitoring:mark_read"))

    assert written.cookies[PIN_COOKIE]["max-age"] == 20
    assert written.cookies[PIN_COOKIE]["httponly"]
    # An UPDATE of the user's notifications, seen by the router: pinned by user as well.
    assert cache.get(replicas._pin_key(people.worker.pk))


def test_nothing_is_migrated_on_a_replica_and_rows_relate_across_primary_and_replicas(with_a_replica):
    assert ROUTER.allow_migrate("replica_1", "households") is False
    assert ROUTER.allow_migrate("default", "households") is None
    on_replica, on_primary = Household(), Household()
    on_replica._state.db = "replica_1"
    on_primary._state.db = "default"
    assert ROUTER.allow_relation(on_replica, on_primary)


def _settings_with(**env) -> subprocess.CompletedProcess:
    code = (
        "from django.conf import settings as s; print(s.REPLICA_DATABASES, s.DATABASES['replica_2']['HOST'])"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_replica_urls_become_aliases_and_a_pin_shorter_than_the_lag_is_refused():
    urls = "postgres://r@standby-1.example.org/hhl, postgres://r@standby-2.example.org/hhl"

    read = _settings_with(DATABASE_REPLICA_URLS=urls)
    refused = _settings_with(
        DATABASE_REPLICA_URLS=urls, REPLICA_PIN_SECONDS="10", REPLICA_MAX_LAG_SECONDS="10"
    )

    assert read.stdout.strip().splitlines()[-1:] == ["['replica_1', 'replica_2'] standby-2.example.org"], (
        read.stderr
    )
    assert "REPLICA_PIN_SECONDS must be longer than" in refused.stderr
