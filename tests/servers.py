"""The app served as it is deployed, in a process of its own: gunicorn under the production
settings, or runserver as `make demo` runs it, on a free loopback port, against the test
database, with static files collected as the image's build collects them.

A server in another process sees only committed rows: tests that use it need a
transactional database, and PostgreSQL (pytest-django's SQLite test database lives in
the test process's memory).
"""

import gzip
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from config.env import redis_database

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a server in another process needs a database it can share: PostgreSQL (CI runs this on it)",
)

# Names and URLs of static files in a page: <link href>, <script src>, data-*-src.
STATIC_URL = re.compile(r"""["'](/static/[^"'?#\s]+)""")
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def encryption_environment() -> dict[str, str]:
    """The suite's field keys, so that a server reads the rows the tests wrote."""
    return {
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS,
        "FIELD_BLIND_INDEX_KEYS": settings.FIELD_BLIND_INDEX_KEYS,
        "FIELD_ENCRYPTION_CIPHER": settings.FIELD_ENCRYPTION_CIPHER,
        "FIELD_BLIND_INDEX_HASH": settings.FIELD_BLIND_INDEX_HASH,
    }


def app_environment(tmp_path: Path, settings_module: str) -> dict[str, str]:
    """The environment of a server or command: the given settings, the test database when
    there is one, no Redis (the cache in memory, the broker in files), nothing kept."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "DEBUG"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SECRET_KEY": secrets.token_urlsafe(50),
        **encryption_environment(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_QUEUE_DIR": str(tmp_path / "queue"),
    }
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    return env


def collect_static(static_root: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """collectstatic as the Dockerfile runs it: production settings, their storage."""
    env = app_environment(tmp_path, "config.settings.production") | {"STATIC_ROOT": str(static_root)}
    return subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def set_password(user, password: str) -> None:
    """A password the server's settings can check: the test settings' MD5 hasher is
    unknown to them, and their own first hasher is slow on purpose (few rounds here)."""
    user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)
    user.save(update_fields=["password"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextmanager
def serve(command: list[str], env: dict[str, str], tmp_path: Path, *, port: int):
    """Start ``command`` (listening on ``port``), wait until it accepts connections, and
    stop it afterwards; its output goes to a file, for the assertions' messages."""
    log = tmp_path / f"server-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server stopped ({process.returncode}):\n{server.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the server did not listen in 60 s:\n{server.output()}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Response:
    def __init__(self, status: int, headers, body: bytes, raw_length: int):
        self.status = status
        self.headers = headers
        self.body = body
        self.raw_length = raw_length  # bytes on the wire, before decompression

    def header(self, name: str) -> str:
        return self.headers.get(name) or ""

    @property
    def text(self) -> str:
        return self.body.decode()


class Client:
    """A plain HTTP client with a cookie jar, as behind a TLS proxy: each request says it
    came over HTTPS (X-Forwarded-Proto), so secure cookies go back and forth."""

    def __init__(self, server: Server, *, behind_tls_proxy: bool = True):
        self.server = server
        self.behind_tls_proxy = behind_tls_proxy
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None) -> Response:
        sent = {"Accept-Encoding": "gzip"}
        if self.behind_tls_proxy:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent |= headers or {}
        http = HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            http.request(method, path, body=body, headers=sent)
            answer = http.getresponse()
            raw = answer.read()
        finally:
            http.close()
        for line in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        body_bytes = gzip.decompress(raw) if answer.headers.get("Content-Encoding") == "gzip" else raw
        return Response(answer.status, answer.headers, body_bytes, len(raw))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def log_in(self, username: str, password: str) -> Response:
        from urllib.parse import urlencode

        form = self.get("/accounts/login/")
        assert form.status == 200, (form.status, self.server.output())
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        origin = f"{'https' if self.behind_tls_proxy else 'http'}://127.0.0.1:{self.server.port}"
        answer = self.request(
            "POST",
            "/accounts/login/",
            body=urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/accounts/login/",
            },
        )
        assert answer.status == 302, (answer.status, answer.text[:2000], self.server.output())
        return answer

    def pass_second_factor(self, code: str) -> Response:
        """Answer the second-factor page production sends an enrolled user to after the password."""
        from urllib.parse import urlencode

        form = self.get("/accounts/second-factor/")
        assert form.status == 200, (form.status, form.header("Location"), self.server.output())
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        origin = f"{'https' if self.behind_tls_proxy else 'http'}://127.0.0.1:{self.server.port}"
        answer = self.request(
            "POST",
            "/accounts/second-factor/",
            body=urlencode({"code": code, "csrfmiddlewaretoken": token}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + "/accounts/second-factor/",
            },
        )
        assert answer.status == 302, (answer.status, answer.text[:2000], self.server.output())
        return answer


def shared_database_url() -> str:
    """The test database as a URL, for a process of ours that must share it."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def celery_worker(env: dict[str, str], *options: str) -> subprocess.Popen:
    """A Celery worker of the project in a process of its own, on the test database, with
    ``env`` over this process's environment (its broker, above all); the caller stops it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            *options,
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": shared_database_url(),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# --- Redis: the environment's server, shared under a prefix of a test's own; a sentinel ------

# The Redis database the environment gives this run (CI's, a developer's own): others may
# use it too, so a test's broker keys carry a prefix of its own and only they are deleted.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_is_up(url: str = REDIS_URL) -> bool:
    if not url:
        return False
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis_url = pytest.mark.skipif(not redis_is_up(), reason="needs Redis at REDIS_URL (not set or down)")


def delete_prefixed(url: str, prefix: str) -> int:
    """Delete the keys under a test's own ``prefix``, and no others; how many there were."""
    server = redis.Redis.from_url(url)
    ours = list(server.scan_iter(match=f"{prefix}*"))
    if ours:
        server.delete(*ours)
    return len(ours)


@contextmanager
def redis_sentinel(redis_url: str, master: str, folder: Path):
    """A real ``redis-server --sentinel`` on a free loopback port, watching the server at
    ``redis_url`` as ``master``; yields its port once it names that master."""
    host, port, _ = redis_database(redis_url)
    listen = free_port()
    conf = folder / "sentinel.conf"  # a sentinel rewrites its own file: one in the test's folder
    conf.write_text(f"port {listen}\nbind 127.0.0.1\nsentinel monitor {master} {host} {port} 1\n")
    process = subprocess.Popen(
        ["redis-server", str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        client = redis.Redis(port=listen, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if client.sentinel_get_master_addr_by_name(master):
                    break
            except redis.RedisError:
                pass
            time.sleep(0.2)
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- a PostgreSQL primary and its streaming standby, of our own ---------------------------

POSTGRES_BIN = Path(os.environ.get("HHL_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))


class PostgresPair:
    """A primary and a standby streaming from it, each a postmaster of ours on a free
    loopback port, with trust for local connections (replication included): the machine's
    own server allows no replication connection, and CI's must not be reconfigured."""

    def __init__(self, root: Path):
        self.root = root
        self.primary_dir = root / "primary"
        self.standby_dir = root / "standby"
        self.primary_port = free_port()
        self.standby_port = free_port()
        # initdb and postgres refuse to run as root: as the postgres account, then.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def bin(name: str) -> str:
        return str(POSTGRES_BIN / name)

    def url(self, port: int, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{name}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port, "hhl")

    @property
    def standby_url(self) -> str:
        return self.url(self.standby_port, "hhl")

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self.as_owner, *command], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise AssertionError(f"{command[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _start(self, data: Path, port: int) -> None:
        # Its socket in its own folder, not the machine server's; durability traded for speed.
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run(self.bin("pg_ctl"), "-D", str(data), "-o", options, "-l", f"{data}.log", "-w", "start")

    def _stop(self, data: Path) -> None:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *self.as_owner,
                    self.bin("pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
            )

    def start(self) -> None:
        self._run(
            self.bin("initdb"),
            "-D",
            str(self.primary_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        )
        with (self.primary_dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n")
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\n")
        self._start(self.primary_dir, self.primary_port)
        self.sql("primary", "CREATE DATABASE hhl", database="postgres")
        self._run(
            self.bin("pg_basebackup"),
            "-R",
            "-D",
            str(self.standby_dir),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "--no-sync",
            "--checkpoint=fast",  # a spread one takes minutes after CREATE DATABASE
        )
        self.start_standby()

    def start_standby(self) -> None:
        self._start(self.standby_dir, self.standby_port)
        deadline = time.monotonic() + 30
        while not self.sql("standby", "SELECT pg_is_in_recovery()", database="postgres"):
            if time.monotonic() > deadline:
                raise AssertionError("the standby did not enter recovery in 30 s")
            time.sleep(0.1)

    def stop_standby(self) -> None:
        self._stop(self.standby_dir)

    def stop(self) -> None:
        self._stop(self.standby_dir)
        self._stop(self.primary_dir)

    def sql(self, server: str, query: str, params=(), *, database: str = "hhl"):
        """The first column of the first row (None if none), in autocommit."""
        import psycopg

        port = self.primary_port if server == "primary" else self.standby_port
        with psycopg.connect(self.url(port, database), autocommit=True, connect_timeout=5) as db:
            cursor = db.execute(query, params)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def caught_up(self, timeout: float = 30) -> None:
        """Wait until the standby has replayed everything the primary has written."""
        target = self.sql("primary", "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + timeout
        while not self.sql("standby", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)):
            if time.monotonic() > deadline:
                raise AssertionError(f"the standby did not reach {target} in {timeout} s")
            time.sleep(0.05)


@contextmanager
def streaming_pair():
    """A primary and its streaming standby (``PostgresPair``), stopped and removed after;
    a skip if this machine has no PostgreSQL server binaries. The ``postgres_pair``
    fixture (tests/conftest.py) holds one for the session."""
    import shutil

    needed = ["initdb", "pg_ctl", "pg_basebackup", "postgres"]
    if missing := [name for name in needed if not (POSTGRES_BIN / name).exists()]:
        pytest.skip(f"no PostgreSQL server binaries in {POSTGRES_BIN} (missing {', '.join(missing)})")
    root = Path(tempfile.mkdtemp(prefix="hhl-postgres-pair-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")  # who runs the postmasters
    pair = PostgresPair(root)
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
        shutil.rmtree(root, ignore_errors=True)
