"""Backups that restore: the database, the photos and a manifest in one sealed file.

Inside the seal (common.sealed) the plaintext is a run of sections, each a name and its
bytes in length-prefixed records, so that a section of unknown length (pg_dump's output)
streams through without a temporary file:

    database   pg_dump's custom format, or a copy of the SQLite database (the demo)
    media      a tar of MEDIA_ROOT (household and visit photos)
    manifest   JSON: when, the database vendor, every table's row count, the migrations
               applied, the number of media files

The manifest comes last because the media count is known only once the tar is written;
the row counts are taken in the same snapshot pg_dump dumps (pg_export_snapshot), so they
agree with the dump exactly even while people keep working.

A restore reads the whole file twice: once to check every chunk (a wrong key, a damaged,
altered or cut file is refused before anything is written), then to restore, with
pg_restore in a single transaction, so that a failure half-way leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import django
from django.conf import settings
from django.db import connections

from common.sealed import SealedReader, SealedWriter

FORMAT = 1
RECORD = struct.Struct(">I")
COPY_BYTES = 256 * 1024
FILE_PREFIX, FILE_SUFFIX = "hhl-", ".backup"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (and no personal data)."""


# --- sections inside the seal ----------------------------------------------------------


class _SectionWriter:
    def __init__(self, out: BinaryIO):
        self._out = out

    def write(self, data: bytes) -> int:
        for start in range(0, len(data), COPY_BYTES):
            piece = data[start : start + COPY_BYTES]
            self._out.write(RECORD.pack(len(piece)) + piece)
        return len(data)

    def flush(self) -> None:
        pass


@contextlib.contextmanager
def _section(out: BinaryIO, name: str) -> Iterator[_SectionWriter]:
    encoded = name.encode()
    out.write(bytes([len(encoded)]) + encoded)
    yield _SectionWriter(out)
    out.write(RECORD.pack(0))


class _SectionReader:
    """One section's bytes as a file; read to its end before the next section."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self._left = 0
        self.finished = False

    def read(self, size: int = -1) -> bytes:
        parts = []
        while not self.finished and (size < 0 or size > 0):
            if self._left == 0:
                self._left = RECORD.unpack(_exactly(self._source, RECORD.size))[0]
                if self._left == 0:
                    self.finished = True
                    break
            take = self._left if size < 0 else min(size, self._left)
            parts.append(_exactly(self._source, take))
            self._left -= take
            if size > 0:
                size -= take
        return b"".join(parts)

    def drain(self) -> None:
        while self.read(COPY_BYTES):
            pass


def _exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupError("The backup's contents end in the middle of a section.")
    return data


def _sections(source: BinaryIO) -> Iterator[tuple[str, _SectionReader]]:
    while True:
        length = source.read(1)
        if not length:
            return
        name = _exactly(source, length[0]).decode()
        reader = _SectionReader(source)
        yield name, reader
        reader.drain()


# --- the database ------------------------------------------------------------------------


def vendor_of(database: dict[str, Any]) -> str:
    engine = database["ENGINE"]
    if engine == "django.db.backends.postgresql":
        return "postgresql"
    if engine == "django.db.backends.sqlite3":
        return "sqlite"
    raise BackupError(f"Backups cover PostgreSQL and SQLite, not {engine}.")


def pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump and pg_restore: the password travels here, never on
    a command line, where any user of the machine would read it in `ps`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database.get("NAME") or "",
        "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode", ""),
    }
    return env | {k: v for k, v in values.items() if v}


def _pg_connect(database: dict[str, Any]):
    import psycopg

    options = database.get("OPTIONS") or {}
    return psycopg.connect(
        dbname=database["NAME"],
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
        sslmode=options.get("sslmode"),
    )


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor, tables: list[str]) -> dict[str, int]:
    from psycopg import sql

    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in rows]


def _sqlite_counts(db: sqlite3.Connection, tables: list[str]) -> dict[str, int]:
    return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def _migrations(rows) -> list[list[str]]:
    return [[app, name] for app, name in rows]


def _dump_postgresql(database: dict[str, Any], out: BinaryIO) -> dict[str, Any]:
    with _pg_connect(database) as db, db.cursor() as cursor:
        # One snapshot for the counts and the dump: held open (this transaction) until
        # pg_dump has finished, which reads exactly what the counts saw.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _pg_tables(cursor)
        counts = _pg_counts(cursor, tables)
        migrations = []
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = _migrations(cursor.fetchall())
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
        # Its messages go to a file, not a second pipe: a pipe nobody reads until the end
        # could fill and stop it.
        with _section(out, "database") as section, tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                [settings.PG_DUMP, "--format=custom", f"--snapshot={snapshot}", "--no-password"],
                stdout=subprocess.PIPE,
                stderr=errors,
                env=pg_environment(database),
            )
            try:
                while chunk := process.stdout.read(COPY_BYTES):
                    section.write(chunk)
            finally:
                process.stdout.close()
                process.wait()
            if process.returncode != 0:
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()[-2000:]
                raise BackupError(f"pg_dump failed ({process.returncode}): {message}")
        db.rollback()
    return {"counts": counts, "migrations": migrations, "server_version": server_version}


def _dump_sqlite(alias: str, out: BinaryIO, scratch: Path) -> dict[str, Any]:
    # The online backup API copies a consistent database while others write to it; the
    # copy goes to a private scratch folder for as long as it takes to seal it.
    connection = connections[alias]
    if connection.in_atomic_block:
        # The backup API would wait for ever on the transaction's own uncommitted writes.
        raise BackupError("An SQLite database is backed up outside a transaction (run manage.py backup).")
    connection.ensure_connection()
    copy_path = scratch / "database.sqlite3"
    copy = sqlite3.connect(copy_path)
    try:
        connection.connection.backup(copy)
        tables = _sqlite_tables(copy)
        counts = _sqlite_counts(copy, tables)
        migrations = []
        if "django_migrations" in tables:
            migrations = _migrations(copy.execute("SELECT app, name FROM django_migrations ORDER BY id"))
        server_version = sqlite3.sqlite_version
    finally:
        copy.close()
    with _section(out, "database") as section, open(copy_path, "rb") as copied:
        shutil.copyfileobj(copied, section, COPY_BYTES)
    copy_path.unlink()
    return {"counts": counts, "migrations": migrations, "server_version": server_version}


# --- media -------------------------------------------------------------------------------


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _tar_media(root: Path, out: BinaryIO) -> int:
    count = 0
    with _section(out, "media") as section, tarfile.open(fileobj=section, mode="w|") as tar:
        for path in _media_files(root):
            try:
                tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
            except FileNotFoundError:
                continue  # deleted since the walk saw it (an expired export)
            count += 1
    return count


# --- backup ------------------------------------------------------------------------------


def backup_name(now: datetime.datetime) -> str:
    return f"{FILE_PREFIX}{now.astimezone(datetime.UTC):%Y%m%dT%H%M%S%fZ}{FILE_SUFFIX}"


def make_backup(
    *, key: bytes, directory: Path, media_root: Path, alias: str = "default", suite: int | None = None
) -> tuple[Path, dict[str, Any]]:
    """Write one sealed backup into ``directory``; returns its path and manifest.

    Written under a temporary name and renamed when complete, so that a failed or
    interrupted run never leaves a file that looks like a backup.
    """
    database = connections[alias].settings_dict
    vendor = vendor_of(database)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    final = directory / backup_name(now)
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=directory))
    partial = scratch / (final.name + ".partial")
    try:
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as raw:
            sealed = SealedWriter(raw, key, suite=suite)
            if vendor == "postgresql":
                found = _dump_postgresql(database, sealed)
            else:
                found = _dump_sqlite(alias, sealed, scratch)
            media_count = _tar_media(media_root, sealed)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "vendor": vendor,
                "server_version": found["server_version"],
                "django_version": django.get_version(),
                "cipher": sealed.suite_name,
                "tables": found["counts"],
                "migrations": found["migrations"],
                "media_files": media_count,
            }
            with _section(sealed, "manifest") as section:
                section.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        partial.rename(final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final, manifest


def backups_in(directory: Path) -> list[Path]:
    """The complete backups in a folder, oldest first (their names sort by time)."""
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.iterdir() if p.name.startswith(FILE_PREFIX) and p.name.endswith(FILE_SUFFIX)
    )


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    doomed = backups_in(directory)[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


# --- restore -----------------------------------------------------------------------------


def read_manifest(path: Path, key: bytes) -> dict[str, Any]:
    """Check every chunk of a backup and return its manifest; writes nothing.

    Raises common.sealed.SealError for a wrong key or a damaged, altered or cut file, and
    BackupError for a sealed file that is not a backup.
    """
    manifest = None
    seen = []
    with open(path, "rb") as raw:
        for name, section in _sections(SealedReader(raw, key)):
            seen.append(name)
            if name == "manifest":
                manifest = json.loads(section.read())
    if seen != ["database", "media", "manifest"] or manifest is None or manifest.get("format") != FORMAT:
        raise BackupError("This sealed file is not a backup this version can restore.")
    return manifest


def our_tables_in(database: dict[str, Any], tables: list[str]) -> list[str]:
    """Which of the backup's tables the target database has already."""
    if vendor_of(database) == "postgresql":
        with _pg_connect(database) as db, db.cursor() as cursor:
            present = set(_pg_tables(cursor))
    else:
        target = Path(database["NAME"])
        if not target.exists():
            return []
        with contextlib.closing(sqlite3.connect(target)) as db:
            present = set(_sqlite_tables(db))
    return sorted(present & set(tables))


def counts_in(database: dict[str, Any], tables: list[str]) -> dict[str, int | None]:
    if vendor_of(database) == "postgresql":
        with _pg_connect(database) as db, db.cursor() as cursor:
            present = set(_pg_tables(cursor))
            counts = _pg_counts(cursor, [t for t in tables if t in present])
    else:
        with contextlib.closing(sqlite3.connect(database["NAME"])) as db:
            present = set(_sqlite_tables(db))
            counts = _sqlite_counts(db, [t for t in tables if t in present])
    return {table: counts.get(table) for table in tables}


# What --force clears before the backup's objects are made again, in the restore's own
# transaction: every table (a partitioned one with its months) and every function (the
# audit guard's, the partitions' side-table triggers) of the public schema. pg_restore's
# own --clean drops object by object, and a month's primary key, inherited from its
# table's, cannot be dropped on its own ("cannot drop inherited constraint").
_CLEAR_PUBLIC_SCHEMA = """
DO $clear$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.relname);
  END LOOP;
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'S' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f);
  END LOOP;
END
$clear$;
"""


def _restore_postgresql(database: dict[str, Any], section: _SectionReader, *, force: bool) -> None:
    if force:
        _replace_postgresql(database, section)
        return
    command = [
        settings.PG_RESTORE,
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--dbname={database['NAME']}",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=pg_environment(database),
        )
        try:
            while chunk := section.read(COPY_BYTES):
                process.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore stopped at an error: its code and messages say which
        except BaseException:
            # The file failed its check half-way (or we were stopped): pg_restore dies
            # inside its single transaction, which commits nothing.
            process.kill()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
            process.wait()
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-2000:]
            raise BackupError(f"pg_restore failed ({process.returncode}), nothing was restored: {message}")


def _replace_postgresql(database: dict[str, Any], section: _SectionReader) -> None:
    """--force: pg_restore writes the backup as SQL, and psql runs it after clearing the
    schema, all in one transaction: a failure anywhere (a bad file, a statement) leaves
    the database as it was, as a restore into an empty one does."""
    restore = [settings.PG_RESTORE, "--no-owner", "--no-privileges", "--file=-"]
    psql = [
        str(Path(settings.PG_RESTORE).with_name("psql")),
        "--single-transaction",
        "--no-psqlrc",
        "--quiet",
        "--set=ON_ERROR_STOP=1",
        "--no-password",
        f"--dbname={database['NAME']}",
    ]
    env = pg_environment(database)
    with tempfile.TemporaryFile() as errors:
        sql = subprocess.Popen(psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        sql.stdin.write(_CLEAR_PUBLIC_SCHEMA.encode())
        sql.stdin.flush()
        dump = subprocess.Popen(restore, stdin=subprocess.PIPE, stdout=sql.stdin, stderr=errors, env=env)
        try:
            while chunk := section.read(COPY_BYTES):
                dump.stdin.write(chunk)
        except BrokenPipeError:
            pass  # pg_restore or psql stopped at an error: their codes and messages say which
        except BaseException:
            # The file failed its check half-way: psql's transaction, never committed,
            # is rolled back when it is killed.
            sql.kill()
            dump.kill()
            raise
        finally:
            with contextlib.suppress(BrokenPipeError):
                dump.stdin.close()
            dump.wait()
            if dump.returncode != 0:
                # psql would commit what it was given at the end of its input: it must
                # not see the end of a half-written restore.
                sql.kill()
            with contextlib.suppress(BrokenPipeError):
                sql.stdin.close()
            sql.wait()
        if dump.returncode != 0 or sql.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-2000:]
            code = dump.returncode or sql.returncode
            raise BackupError(f"pg_restore failed ({code}), nothing was restored: {message}")


def _restore_sqlite(database: dict[str, Any], section: _SectionReader) -> None:
    target = Path(database["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".restore-", dir=target.parent))
    try:
        copy_path = scratch / "database.sqlite3"
        with open(copy_path, "wb") as copy:
            shutil.copyfileobj(section, copy, COPY_BYTES)
        with (
            contextlib.closing(sqlite3.connect(copy_path)) as source,
            contextlib.closing(sqlite3.connect(target)) as destination,
        ):
            source.backup(destination)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _extract_media(section: _SectionReader, media_root: Path) -> int:
    media_root.mkdir(parents=True, exist_ok=True)
    count = 0
    with tarfile.open(fileobj=section, mode="r|") as tar:
        for member in tar:
            # The "data" filter refuses absolute names, "..", links out of the folder and
            # device files, should a file ever be crafted to carry them.
            tar.extract(member, media_root, filter="data")
            count += member.isfile()
    return count


def restore_backup(
    path: Path, *, key: bytes, database: dict[str, Any], media_root: Path, force: bool = False
) -> dict[str, Any]:
    """Restore a backup into an empty database and a media folder, then check the row
    counts against the manifest. Returns the manifest."""
    manifest = read_manifest(path, key)
    vendor = vendor_of(database)
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"This backup is of a {manifest['vendor']} database; the target is {vendor}. "
            "Restore it into the same kind of database."
        )
    existing = our_tables_in(database, list(manifest["tables"]))
    if existing and not force:
        raise BackupError(
            f"The target database already has {len(existing)} of the backup's tables "
            f"({', '.join(existing[:5])}{', ...' if len(existing) > 5 else ''}). Restore into an empty "
            "database, or add --force to replace what it holds."
        )
    if existing and vendor == "sqlite":
        Path(database["NAME"]).unlink()
    media_count = None
    with open(path, "rb") as raw:
        for name, section in _sections(SealedReader(raw, key)):
            if name == "database":
                if vendor == "postgresql":
                    _restore_postgresql(database, section, force=force)
                else:
                    _restore_sqlite(database, section)
            elif name == "media":
                media_count = _extract_media(section, media_root)
    differences = {
        table: (expected, found)
        for table, found in counts_in(database, list(manifest["tables"])).items()
        if found != (expected := manifest["tables"][table])
    }
    if differences:
        lines = ", ".join(
            f"{t}: {e} in the backup, {f} restored" for t, (e, f) in sorted(differences.items())
        )
        raise BackupError(f"The restored database does not match the backup's manifest: {lines}.")
    if media_count != manifest["media_files"]:
        raise BackupError(
            f"The backup's manifest lists {manifest['media_files']} media files; {media_count} were restored."
        )
    return manifest
