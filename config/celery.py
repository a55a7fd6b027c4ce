import os

from celery import Celery

from config.metrics import connect_task_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("hhl")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each task's duration and outcome, and the rows a job reports, for /metrics.
connect_task_signals()
