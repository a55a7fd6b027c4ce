"""manage.py backup keeps the newest BACKUP_KEEP files, and refuses to run without a key;
production refuses the published development key."""

import base64
import io
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import Action, AuditEvent, Outcome
from config.settings.base import DEVELOPMENT_BACKUP_KEY
from tests.config.test_environment_settings import PRODUCTION, run_manage


@pytest.fixture
def backups(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_KEY = base64.b64encode(os.urandom(32)).decode()
    return settings.BACKUP_DIR


def test_a_backup_keeps_the_newest_files_and_deletes_older_ones(transactional_db, backups, settings):
    settings.BACKUP_KEEP = 2
    for _ in range(3):
        call_command("backup", stdout=io.StringIO())
    names = sorted(p.name for p in backups.iterdir())

    assert len(names) == 2
    assert (
        AuditEvent.objects.filter(action=Action.EXPORTED, username="manage.py backup", outcome="ok").count()
        == 3
    )
    assert all(name.startswith("hhl-") and name.endswith(".backup") for name in names)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL only")
def test_a_failed_backup_leaves_nothing_that_looks_like_one(db, backups, settings):
    settings.PG_DUMP = "/bin/false"

    with pytest.raises(CommandError, match="pg_dump failed"):
        call_command("backup")
    assert list(backups.iterdir()) == []
    assert AuditEvent.objects.get(action=Action.EXPORTED).outcome == Outcome.FAILED


def test_a_backup_refuses_to_run_without_a_key(db, backups, settings):
    settings.BACKUP_KEY = ""

    with pytest.raises(CommandError, match="BACKUP_KEY is not set"):
        call_command("backup")
    assert not backups.exists() or not any(backups.iterdir())


def test_production_starts_without_a_backup_key_but_its_backup_command_refuses():
    result = run_manage("backup", **PRODUCTION, DATABASE_URL="sqlite:////nonexistent/db.sqlite3")

    assert result.returncode != 0
    assert "BACKUP_KEY is not set" in result.stderr


def test_production_refuses_the_published_development_key():
    result = run_manage("check", **PRODUCTION, BACKUP_KEY=DEVELOPMENT_BACKUP_KEY)

    assert result.returncode != 0
    assert "development key" in result.stderr
