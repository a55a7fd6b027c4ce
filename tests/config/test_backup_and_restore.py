"""manage.py backup and restore, run as an operator runs them (each in a process of its
own, from the README's steps): a seeded database and its photos come back whole in a fresh
database, or, from a file sealed with another key, altered or cut short, nothing comes back.

The databases are the tests' own, made on the PostgreSQL at 127.0.0.1 whichever database
the suite runs on (both CI passes run these), and an SQLite file for the demo's round trip.
"""

import base64
import contextlib
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from tests.servers import ROOT, app_environment

pytestmark = pytest.mark.real_clock

KEY = base64.b64encode(os.urandom(32)).decode()


def server_url() -> str:
    """The PostgreSQL the suite uses, else the one CI starts on loopback."""
    url = os.environ.get("DATABASE_URL", "")
    return (
        url
        if url.startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/postgres"
    )


def url_of(name: str) -> str:
    parts = dj_database_url.parse(server_url())
    password = f":{parts['PASSWORD']}" if parts["PASSWORD"] else ""
    return (
        f"postgres://{parts['USER']}{password}@{parts['HOST'] or '127.0.0.1'}:{parts['PORT'] or 5432}/{name}"
    )


def admin_connection():
    return psycopg.connect(url_of("postgres"), autocommit=True)


@contextlib.contextmanager
def postgresql_database(label: str):
    """A database of this test's own on the server, dropped afterwards whatever happens."""
    name = f"hhl_backup_{label}_{secrets.token_hex(4)}"
    with admin_connection() as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url_of(name)
    finally:
        with admin_connection() as db:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def postgresql_available() -> bool:
    try:
        with admin_connection():
            return True
    except psycopg.OperationalError:
        return False


needs_postgresql_server = pytest.mark.skipif(
    not postgresql_available(), reason="needs the PostgreSQL server on 127.0.0.1 (CI starts one)"
)


def run(tmp_path: Path, *args: str, database_url: str, media_root: Path, key: str = KEY, module=False):
    env = app_environment(tmp_path, "config.settings.local") | {
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_KEY": key,
    }
    command = (
        [sys.executable, "-m", "tests.config.backup_data", *args]
        if module
        else [
            sys.executable,
            "manage.py",
            *args,
        ]
    )
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def table_counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(dj_database_url.parse(url)["NAME"])) as db:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    with psycopg.connect(url) as db:
        tables = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {
            t: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for t in tables
        }


class Source:
    """A seeded database, its media folder, one backup of both and what they held."""

    def __init__(self, tmp_path: Path, url: str):
        self.tmp_path, self.url, self.media = tmp_path, url, tmp_path / "media"
        ok(run(tmp_path, "migrate", "--no-input", database_url=url, media_root=self.media))
        ok(run(tmp_path, "seed", module=True, database_url=url, media_root=self.media))
        self.sample = json.loads(
            ok(run(tmp_path, "sample", module=True, database_url=url, media_root=self.media))
        )
        # What the backup holds: its own audit row is written after the snapshot it dumps.
        self.counts = table_counts(url)
        ok(run(tmp_path, "backup", database_url=url, media_root=self.media))
        (self.file,) = (tmp_path / "backups").iterdir()

    def restore(self, file: Path, target_url: str, media_root: Path, *options: str, key: str = KEY):
        return run(
            self.tmp_path,
            "restore",
            str(file),
            "--database-url",
            target_url,
            "--media-root",
            str(media_root),
            *options,
            database_url=self.url,
            media_root=self.media,
            key=key,
        )


@pytest.fixture(scope="module")
def postgresql_source(tmp_path_factory):
    if not postgresql_available():
        pytest.skip("needs the PostgreSQL server on 127.0.0.1 (CI starts one)")
    with postgresql_database("source") as url:
        yield Source(tmp_path_factory.mktemp("pg-source"), url)


def assert_restored_whole(source: Source, target_url: str, media_root: Path, tmp_path: Path):
    assert table_counts(target_url) == source.counts
    restored = json.loads(
        ok(run(tmp_path, "sample", module=True, database_url=target_url, media_root=media_root))
    )
    assert restored == source.sample
    assert len(source.sample["members"]) == 5 and len(source.sample["photos"]) == 6
    for name in source.sample["photos"]:
        assert (media_root / name).read_bytes() == (source.media / name).read_bytes()


@needs_postgresql_server
def test_a_postgresql_backup_restores_into_a_fresh_database_with_every_row_and_photo(
    postgresql_source, tmp_path
):
    with postgresql_database("target") as target:
        output = ok(postgresql_source.restore(postgresql_source.file, target, tmp_path / "restored"))

        assert "each table's count as in the manifest" in output
        assert_restored_whole(postgresql_source, target, tmp_path / "restored", tmp_path)


def test_an_sqlite_backup_restores_into_a_fresh_file_with_every_row_and_photo(tmp_path):
    source = Source(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}")
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    ok(source.restore(source.file, target, tmp_path / "restored"))

    assert_restored_whole(source, target, tmp_path / "restored", tmp_path)


def test_the_backup_file_holds_no_personal_data_in_the_clear(postgresql_source):
    content = postgresql_source.file.read_bytes()

    for member in postgresql_source.sample["members"]:
        assert member[2].encode() not in content
        assert member[4].encode() not in content
    assert b"PGDMP" not in content  # pg_dump's custom format begins so
    assert postgresql_source.file.stat().st_mode & 0o077 == 0


@needs_postgresql_server
def test_a_restore_refuses_a_database_that_already_has_our_tables_unless_forced(postgresql_source, tmp_path):
    before = table_counts(postgresql_source.url)  # the backup's audit row included
    refused = postgresql_source.restore(postgresql_source.file, postgresql_source.url, tmp_path / "m")

    assert refused.returncode != 0
    assert "already has" in refused.stderr and "--force" in refused.stderr
    assert table_counts(postgresql_source.url) == before

    ok(postgresql_source.restore(postgresql_source.file, postgresql_source.url, tmp_path / "m", "--force"))
    assert table_counts(postgresql_source.url) == postgresql_source.counts


def refused_and_nothing_restored(source: Source, file: Path, tmp_path: Path, *, key: str = KEY) -> str:
    with postgresql_database("target") as target:
        result = source.restore(file, target, tmp_path / "restored", key=key)

        assert result.returncode != 0
        assert table_counts(target) == {}
    assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").iterdir())
    assert "Traceback" not in result.stderr
    return result.stderr


@needs_postgresql_server
def test_a_backup_is_refused_with_another_key(postgresql_source, tmp_path):
    message = refused_and_nothing_restored(
        postgresql_source, postgresql_source.file, tmp_path, key=base64.b64encode(os.urandom(32)).decode()
    )

    assert "sealed with another key" in message


@needs_postgresql_server
def test_an_altered_backup_is_refused(postgresql_source, tmp_path):
    altered = tmp_path / "altered.backup"
    content = bytearray(postgresql_source.file.read_bytes())
    content[len(content) // 2] ^= 0x01
    altered.write_bytes(content)

    message = refused_and_nothing_restored(postgresql_source, altered, tmp_path)

    assert "fails its authentication" in message


@needs_postgresql_server
def test_a_forced_restore_of_an_altered_backup_leaves_the_database_as_it_was(postgresql_source, tmp_path):
    altered = tmp_path / "altered.backup"
    content = bytearray(postgresql_source.file.read_bytes())
    content[len(content) // 2] ^= 0x01
    altered.write_bytes(content)
    before = table_counts(postgresql_source.url)

    result = postgresql_source.restore(altered, postgresql_source.url, tmp_path / "m", "--force")

    # The schema was cleared in the restore's transaction: rolled back with it.
    assert result.returncode != 0 and "fails its authentication" in result.stderr
    assert table_counts(postgresql_source.url) == before


@needs_postgresql_server
def test_a_truncated_backup_is_refused(postgresql_source, tmp_path):
    truncated = tmp_path / "truncated.backup"
    content = postgresql_source.file.read_bytes()
    truncated.write_bytes(content[: len(content) * 3 // 4])

    message = refused_and_nothing_restored(postgresql_source, truncated, tmp_path)

    assert "cut short" in message
