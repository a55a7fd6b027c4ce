"""The wall and the API's lists read from a real streaming replica, and never where the
reader must see a write: the app runs in a process of its own on a primary and its
standby (``postgres_pair``), and a paused replay shows which of the two answered."""

import datetime
import json
import re
import subprocess
import sys
import time

import pytest
from psycopg import sql

from common.replicas import PIN_COOKIE, REPLAYED_SINCE_SQL
from tests.servers import ROOT, Client, app_environment, free_port, serve

pytestmark = pytest.mark.real_clock  # the server runs on the machine's clock

PASSWORD = "Hhl-demo-2026"
MAX_LAG = 4
CHECK = 1


def _manage(env, *command: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]


@pytest.fixture(scope="module")
def replicated(postgres_pair, tmp_path_factory):
    """The project migrated and seeded on the primary, served with the standby as its
    replica: a lag over MAX_LAG seconds, measured every second, sends reads back home."""
    tmp_path = tmp_path_factory.mktemp("replicated-app")
    env = app_environment(tmp_path, "config.settings.test") | {"DATABASE_URL": postgres_pair.primary_url}
    _manage(env, "migrate", "--no-input")
    _manage(
        env,
        "seed_demo",
        "--households",
        "50",
        "--history-days",
        "1",
        "--trend-every-days",
        "0",
        "--no-progress",
    )
    postgres_pair.caught_up()
    env |= {
        "DATABASE_REPLICA_URLS": postgres_pair.standby_url,
        "REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
        "REPLICA_CHECK_SECONDS": str(CHECK),
        "REPLICA_PIN_SECONDS": "30",
    }
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with serve(command, env, tmp_path, port=port) as server:
        yield server


def _client(server, username: str) -> Client:
    client = Client(server, behind_tls_proxy=False)
    client.log_in(username, PASSWORD)
    # As a user who logged in a while ago: a login is an unsafe request, which pins the
    # browser to the primary for REPLICA_PIN_SECONDS.
    client.cookies.pop(PIN_COOKIE, None)
    return client


def _tiers(client: Client) -> dict[int, str]:
    """Each household's tier, as the API's list (read from a replica) says."""
    answer = client.get("/api/v1/households/?page_size=200")
    assert answer.status == 200, (answer.status, answer.text[:500], client.server.output())
    return {row["id"]: row["tier"] for row in json.loads(answer.body)["results"]}


def _tier(client: Client, pk: int) -> str:
    """The household's tier as its own record (always read from the primary) says."""
    answer = client.get(f"/api/v1/households/{pk}/")
    assert answer.status == 200, answer.text[:500]
    return json.loads(answer.body)["tier"]


def _another_tier(pair, pk: int) -> tuple[int, str]:
    """A tier of the household's scheme other than its own: (id, code)."""
    row = pair.sql(
        "primary",
        "SELECT json_build_array(t.id, t.code) FROM monitoring_tier t JOIN households_household h"
        " ON h.id = %s JOIN monitoring_tier c ON c.id = h.tier_id"
        " WHERE t.scheme_id = c.scheme_id AND t.id <> c.id ORDER BY t.severity LIMIT 1",
        (pk,),
    )
    return row[0], row[1]


def _replica_health(client: Client) -> dict:
    """The replica's check in /health/ (asked from loopback: the detail is given)."""
    answer = client.get("/health/")
    return json.loads(answer.body)["checks"]["replica:replica_1"]


def _pause_replay(pair) -> None:
    """Stop the standby replaying, right after a fresh transaction: its lag counts from then."""
    pair.sql("primary", "CREATE TABLE IF NOT EXISTS replica_probe (at timestamptz)")
    pair.sql("primary", "INSERT INTO replica_probe VALUES (now())")
    pair.caught_up()
    pair.sql("standby", "SELECT pg_wal_replay_pause()")


def _resume_replay(pair) -> None:
    pair.sql("standby", "SELECT pg_wal_replay_resume()")
    pair.caught_up()
    time.sleep(CHECK + 0.1)  # the server's last look at the lag is over: it reads the standby again


def test_a_list_and_the_wall_are_read_from_the_standby_until_it_lags_too_far(replicated, postgres_pair):
    leader = _client(replicated, "leader")
    before = _tiers(leader)
    pk = next(iter(before))
    tier_id, tier_code = _another_tier(postgres_pair, pk)
    wall_before = leader.get("/wall/tiles/").body
    assert _replica_health(leader)["status"] == "ok"
    _pause_replay(postgres_pair)
    try:
        paused_at = time.monotonic()
        # Someone else (another system, another user) moves the household on the primary.
        postgres_pair.sql(
            "primary", "UPDATE households_household SET tier_id = %s WHERE id = %s", (tier_id, pk)
        )

        assert _tiers(leader)[pk] == before[pk], "the list was not read from the (paused) standby"
        assert leader.get("/wall/tiles/").body == wall_before
        assert _tier(leader, pk) == tier_code, "a single record is read from the primary"

        # Once the standby lags more than REPLICA_MAX_LAG_SECONDS, the primary answers.
        deadline = time.monotonic() + MAX_LAG + 15
        while _tiers(leader)[pk] != tier_code:
            assert time.monotonic() < deadline, replicated.output()
            time.sleep(0.25)
        assert time.monotonic() - paused_at > MAX_LAG - 1
        assert leader.get("/wall/tiles/").body != wall_before
        assert (
            postgres_pair.sql("standby", "SELECT tier_id FROM households_household WHERE id = %s", (pk,))
            != tier_id
        )
        assert "replica replica_1 lags" in replicated.output()
        # The health endpoint says so too, with the same limit, naming the replica by alias.
        health = _replica_health(leader)
        assert health["status"] == "failing" and "behind" in health["reason"], health
    finally:
        _resume_replay(postgres_pair)


def test_b_the_user_who_wrote_reads_their_own_write_while_the_standby_lags(replicated, postgres_pair):
    staff, leader = _client(replicated, "staff"), _client(replicated, "leader")
    pk, before = next(iter(_tiers(staff).items()))
    tier_id, tier_code = _another_tier(postgres_pair, pk)
    _pause_replay(postgres_pair)
    try:
        changed = staff.request(
            "POST",
            f"/api/v1/households/{pk}/change-tier/",
            body=json.dumps({"tier": tier_id, "reason": "家中变故"}),
            headers={"Content-Type": "application/json", "X-CSRFToken": staff.cookies["csrftoken"]},
        )
        assert changed.status == 200, (changed.text[:500], replicated.output())
        assert PIN_COOKIE in staff.cookies

        assert _tiers(staff)[pk] == tier_code, "the writer's list did not show their own write"
        # Anyone else still reads the standby, which has not replayed it.
        assert _tiers(leader)[pk] == before, replicated.output()
        # A client that keeps no cookie (a token) is pinned by its user too.
        staff.cookies.pop(PIN_COOKIE)
        assert _tiers(staff)[pk] == tier_code
    finally:
        _resume_replay(postgres_pair)
    assert _tiers(leader)[pk] == tier_code


def test_c_a_stopped_standby_leaves_the_pages_answered_by_the_primary(replicated, postgres_pair):
    leader = _client(replicated, "leader")
    on_replica = _tiers(leader)
    postgres_pair.stop_standby()
    try:
        assert _tiers(leader) == on_replica
        tiles = leader.get("/wall/tiles/")
        assert tiles.status == 200
        log = replicated.output()
        assert "replica replica_1 unreachable, reading from the primary: OperationalError" in log
        # The error's own text (the host, the port, the user) is not logged.
        assert str(postgres_pair.standby_port) not in log
    finally:
        postgres_pair.start_standby()


def _set_primary_conninfo(pair, conninfo: str) -> None:
    """Point the standby's WAL receiver elsewhere; PostgreSQL restarts it on reload."""
    pair.sql("standby", sql.SQL("ALTER SYSTEM SET primary_conninfo = {}").format(sql.Literal(conninfo)))
    pair.sql("standby", "SELECT pg_reload_conf()")


def _wait(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} in {timeout} s"
        time.sleep(0.2)


def test_d_a_standby_cut_off_from_its_primary_is_not_read_though_it_has_replayed_all_it_received(
    replicated, postgres_pair
):
    postgres_pair.caught_up()
    time.sleep(CHECK + 0.1)  # what the server last knew of the standby (stopped, above) is old
    leader = _client(replicated, "leader")
    pk, before = next(iter(_tiers(leader).items()))
    tier_id, tier_code = _another_tier(postgres_pair, pk)
    conninfo = postgres_pair.sql("standby", "SHOW primary_conninfo")
    # The primary's address with a port nobody listens on: the receiver loses the primary,
    # its received position freezes and replay reaches it, "no lag" by the positions alone.
    cut, replaced = re.subn(r"\bport=\d+", f"port={free_port()}", conninfo)
    assert replaced == 1, conninfo
    _set_primary_conninfo(postgres_pair, cut)
    try:
        _wait(
            lambda: not postgres_pair.sql("standby", "SELECT count(*) FROM pg_stat_wal_receiver"),
            "the standby's WAL receiver did not stop",
        )
        postgres_pair.sql(
            "primary", "UPDATE households_household SET tier_id = %s WHERE id = %s", (tier_id, pk)
        )

        # Within the server's next look at the replica, the list is the primary's.
        _wait(lambda: _tiers(leader)[pk] == tier_code, "the list still came from the standby", CHECK + 10)
        assert (
            postgres_pair.sql("standby", "SELECT tier_id FROM households_household WHERE id = %s", (pk,))
            != tier_id
        ), "the standby received the change: it was not cut off"
        # (The whole log: the requests above may have pushed it out of output()'s tail.)
        assert "replica replica_1 is not streaming from a primary" in replicated.log.read_text()
        health = _replica_health(leader)
        assert health == {"status": "failing", "reason": "not streaming from a primary"}, health
    finally:
        _set_primary_conninfo(postgres_pair, conninfo)
        postgres_pair.caught_up()
        time.sleep(CHECK + 0.1)  # the server's last look is over: it reads the standby again
    # Streaming again, and caught up: read from again.
    assert _replica_health(leader)["status"] == "ok"
    assert _tiers(leader)[pk] == tier_code != before


def test_e_a_job_may_read_the_standby_once_it_has_replayed_a_commit_made_after_the_job_was_asked_for(
    postgres_pair,
):
    # (How a job uses it: tests/common/test_replica_router.py.)
    def replayed_since(moment) -> bool:
        return postgres_pair.sql("standby", REPLAYED_SINCE_SQL, (moment,))

    _pause_replay(postgres_pair)
    try:
        asked = datetime.datetime.now(datetime.UTC)
        assert replayed_since(asked - datetime.timedelta(minutes=10))
        # The export's own row, committed on the primary after it was asked for.
        postgres_pair.sql("primary", "INSERT INTO replica_probe VALUES (now())")
        assert not replayed_since(asked), "the paused standby has not replayed it"
    finally:
        _resume_replay(postgres_pair)
    assert replayed_since(asked)
