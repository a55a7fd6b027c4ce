"""The embedded demo's broker (kombu's filesystem transport) writes only in its queue folder."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DECLARE = """
import django
django.setup()
import kombu
from config.celery import app
with app.connection_for_write() as connection:
    kombu.Queue("probe", kombu.Exchange("probe"), routing_key="probe")(connection.default_channel).declare()
"""


def test_the_filesystem_broker_keeps_its_exchanges_under_the_queue_folder(tmp_path):
    # Started elsewhere than the project, as a worker may be: kombu's default control
    # folder is ./control, which is how one came to be in git.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    queue = tmp_path / "queue"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_URL"}}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": str(ROOT),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_QUEUE_DIR": str(queue),
    }

    result = subprocess.run(
        [sys.executable, "-c", DECLARE], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert (queue / "control" / "probe.exchange").exists()
    assert list(elsewhere.iterdir()) == []
