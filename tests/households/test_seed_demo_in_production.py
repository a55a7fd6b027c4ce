"""seed_demo never runs under production settings: its users' password is published."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from grids.models import GridUnit
from households.models import Household

ROOT = Path(__file__).resolve().parents[2]


def test_seed_demo_refuses_under_the_production_settings_module(tmp_path):
    # An empty SQLite file: were the command to go on, it would fail on a missing table,
    # with another message, and never touch a database anyone uses.
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k" * 20 + "-production-only-secret-0123456789abcdef",
        "FIELD_ENCRYPTION_KEYS": "p1:" + "cHJvZHVjdGlvbi1vbmx5LWZpZWxkLWtleS0wMDAwMDE=",
        "FIELD_BLIND_INDEX_KEYS": "p1:" + "cHJvZHVjdGlvbi1vbmx5LWluZGV4LWtleS0wMDAwMDE=",
        "ALLOWED_HOSTS": "hhl.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "CELERY_QUEUE_DIR": str(tmp_path / "queue"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--households", "10", "--no-progress"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "seed_demo refuses to run under production settings" in result.stderr
    assert "published" in result.stderr


@pytest.mark.django_db
def test_seed_demo_under_production_settings_writes_nothing(settings):
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="refuses to run under production settings"):
        call_command("seed_demo", households=10, no_progress=True)

    assert not Household.objects.exists()
    assert not GridUnit.objects.exists()
    assert not get_user_model().objects.exists()
