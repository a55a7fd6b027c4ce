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
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

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
