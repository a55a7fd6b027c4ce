import datetime
import importlib
import os
import threading
import types
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from tests.grids.factories import AssignmentFactory, GridUnitFactory, level
from tests.servers import streaming_pair

SHIPPED_DATA = [
    ("grids.migrations.0003_shipped_levels", "ship"),
    ("households.migrations.0003_shipped_taxonomy", "ship"),
    ("monitoring.migrations.0002_shipped_tier_schemes", "ship"),
    ("monitoring.migrations.0004_periodic_jobs", "create_jobs"),
    ("monitoring.migrations.0022_wall_counts", "create_job"),
    ("monitoring.migrations.0027_wall_count_job_expires", "set_expiry"),
    ("employment.migrations.0002_shipped_lines_and_nightly_rules", "ship"),
    ("services.migrations.0002_periodic_jobs", "create_job"),
    ("households.migrations.0007_expired_previews", "create_job"),
    ("audit.migrations.0003_archive_job", "create_job"),
    ("webhooks.migrations.0002_delivery_sweep_job", "create_job"),
    ("webhooks.migrations.0004_forget_old_deliveries_job", "create_job"),
    ("accounts.migrations.0005_forget_idempotency_keys_job", "create_job"),
    ("messaging.migrations.0002_periodic_jobs", "create_jobs"),
    ("messaging.migrations.0003_forget_old_messages_job", "create_job"),
    ("reports.migrations.0002_monthly_job", "create_job"),
    ("config.migrations.0002_heartbeat_job", "create_job"),
    ("config.migrations.0003_partitions_job", "create_job"),
]


# Every test runs on a day of our choosing, never on the machine's: a suite that passes on
# a Wednesday and fails on a Monday is broken. The default is an ordinary Wednesday; CI
# runs the tests marked ``dates`` again on the days where calendars turn (a Monday, a
# Sunday, the last day of a quarter, 31 December) with HHL_TEST_TODAY.
TEST_TODAY = datetime.date.fromisoformat(os.environ.get("HHL_TEST_TODAY") or "2026-11-25")


def pytest_report_header(config):
    return f"today (HHL_TEST_TODAY): {TEST_TODAY:%Y-%m-%d %A}"


@pytest.fixture(autouse=True)
def test_today(request):
    """The clock stands at 10:00 in Asia/Shanghai on TEST_TODAY and runs on from there.

    A test that needs another instant travels there itself (time-machine nests). A test
    whose code runs in another process (a Celery worker) cannot be moved in time and is
    marked ``real_clock``; it must not depend on the date.
    """
    if request.node.get_closest_marker("real_clock"):
        yield datetime.date.today()
        return
    start = datetime.datetime.combine(TEST_TODAY, datetime.time(10), zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(start, tick=True):
        yield TEST_TODAY


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the site's language: a request in English (a test's
    ``django_language`` cookie) leaves English active in the thread after it, and a later
    test's e-mail or notice would be written in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Put back the data that migrations ship, if a previous session lost it.

    A transactional test flushes every table when it ends, shipped data included, and
    --reuse-db keeps that database for the next session. The migrations' functions are
    idempotent, so running them again is safe.
    """
    from grids.roles import create_missing_role_groups

    with django_db_blocker.unblock():
        for module, function in SHIPPED_DATA:
            getattr(importlib.import_module(module), function)(apps, None)
        create_missing_role_groups()
        # serialized_rollback restores what Django serialised at set-up, which may have
        # been the flushed database: take the picture again, now that it is whole.
        if hasattr(connection, "_test_serialized_contents"):
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()


@pytest.fixture(scope="session", autouse=True)
def _flush_lifts_the_audit_guard():
    """The database refuses to delete audit rows (audit/migrations/0002), and so the flush
    that ends a transactional test: it lifts the guard for the flush, as only the
    database's owner could."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from tests.audit.tamper import guard_lifted

    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if self.connection.alias != "default" or not sql_list:
            return flush(self, sql_list)
        with guard_lifted():
            return flush(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = flush


@pytest.fixture
def grid(db):
    """A small settlement: 县 > 街道 > 社区 > two areas > buildings > floors.

    Every unit is an attribute: county, street, community, area_east, area_west,
    building_1 (with floor_1_1, floor_1_2), building_2, building_3 (in the west area).
    """
    g = types.SimpleNamespace()
    g.county = GridUnitFactory(level=level("县"), name="幸福县", code="XF")
    g.street = GridUnitFactory(parent=g.county, level=level("街道"), name="第一街道", code="S1")
    g.community = GridUnitFactory(parent=g.street, level=level("社区"), name="铜源社区", code="C1")
    g.area_east = GridUnitFactory(parent=g.community, level=level("片区"), name="东片区", code="A1")
    g.area_west = GridUnitFactory(parent=g.community, level=level("片区"), name="西片区", code="A2")
    g.building_1 = GridUnitFactory(
        parent=g.area_east, level=level("楼栋"), name="1栋", code="B1", symbol="apple"
    )
    g.building_2 = GridUnitFactory(
        parent=g.area_east, level=level("楼栋"), name="2栋", code="B2", symbol="deer"
    )
    g.building_3 = GridUnitFactory(parent=g.area_west, level=level("楼栋"), name="3栋", code="B3")
    g.floor_1_1 = GridUnitFactory(parent=g.building_1, level=level("楼层"), name="1层", code="B1F1")
    g.floor_1_2 = GridUnitFactory(parent=g.building_1, level=level("楼层"), name="2层", code="B1F2")
    for name, unit in vars(g).copy().items():
        unit.refresh_from_db()
        setattr(g, name, unit)
    return g


@pytest.fixture
def assign():
    """Assign a user to a unit: ``assign(user, unit, role=..., starts_on=..., ends_on=...)``."""

    def _assign(user, unit, **kwargs):
        return AssignmentFactory(user=user, unit=unit, **kwargs)

    return _assign


@pytest.fixture
def people(grid, assign):
    """Who uses the phone pages: a grid worker on building 1, community staff on the
    community, a read-only leader; a household in the worker's scope and one outside it."""
    from grids.models import Role
    from grids.roles import LEADER
    from tests.grids.factories import UserFactory, community_staff, grid_worker
    from tests.households.factories import HouseholdFactory, MemberFactory, default_tier

    p = types.SimpleNamespace()
    p.worker = grid_worker(username="worker")
    assign(p.worker, grid.building_1, role=Role.BUILDING_HEAD, starts_on=datetime.date(2020, 1, 1))
    p.staff = community_staff(username="staff")
    assign(p.staff, grid.community, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    p.leader = UserFactory(username="leader", groups=[LEADER])
    p.household = HouseholdFactory(
        unit=grid.floor_1_1, tier=default_tier("yellow"), room="501", phone="13912345678"
    )
    MemberFactory(household=p.household, name="王小红")
    p.outside = HouseholdFactory(unit=grid.building_3, tier=default_tier("red"), room="302")
    MemberFactory(household=p.outside, name="张大山")
    return p


@pytest.fixture
def year_nobody_knows(monkeypatch):
    """2027 and later as chinesecalendar 1.11 answers them (it raises for a year whose 调休
    the State Council has not published), whatever release is installed, so that tests of
    provisional deadlines do not start to fail the day the package learns 2027."""
    import chinese_calendar

    known = chinese_calendar.is_workday

    def is_workday(day):
        if day.year >= 2027:
            raise NotImplementedError(f"no available data for year {day.year}")
        return known(day)

    monkeypatch.setattr(chinese_calendar, "is_workday", is_workday)


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one request at a time when it shares the test's
    in-memory SQLite connection.

    Django's live server answers each browser connection in its own thread, and with an
    in-memory SQLite database every thread uses the test's one connection object. Two
    requests at once (the wall refreshing while a tile's panel loads) then interleave
    their transactions on it: one fails with "An error occurred in the current
    transaction", and the test's flush after it fails too (seen in CI's SQLite run). A
    lock around each request, not each connection, since browsers keep connections open.
    """

    _request_lock = threading.Lock()

    def get_app(self):
        app = super().get_app()
        if not self.connections_override:
            return app

        def one_at_a_time(environ, start_response):
            with self._request_lock:
                return app(environ, start_response)

        return one_at_a_time


@pytest.fixture(scope="session", autouse=True)
def _live_server_shares_sqlite_safely():
    LiveServerThread.server_class = _OneRequestAtATimeServer


@pytest.fixture(scope="session")
def postgres_pair():
    """A PostgreSQL primary and its streaming standby of our own on loopback, for the
    session (tests.servers.PostgresPair); skipped where the server binaries are absent."""
    with streaming_pair() as pair:
        yield pair
