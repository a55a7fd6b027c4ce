"""Celery's queues by kind: every task of ours has its queue, and nothing sends it elsewhere."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from config.celery import app

QUEUES = {"engine", "messages", "bulk"}


def our_tasks() -> set[str]:
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks
    return {name for name in app.tasks if not name.startswith("celery.")}


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_every_task_of_ours_is_routed_to_a_queue_of_its_kind_never_the_default():
    tasks = our_tasks()

    assert len(tasks) >= 19
    unrouted = {name: queue_of(name) for name in tasks if queue_of(name) not in QUEUES}
    assert unrouted == {}, "route each new task in CELERY_TASK_ROUTES (config/settings/base.py)"


def test_no_route_names_a_task_that_does_not_exist():
    assert set(settings.CELERY_TASK_ROUTES) <= our_tasks()


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("monitoring.mark_missed", "engine"),
        ("monitoring.generate_follow_ups", "engine"),
        ("employment.evaluate_warnings", "engine"),
        ("households.import_ledger", "bulk"),
        ("households.prepare_export", "bulk"),
        ("audit.archive", "bulk"),
        ("messaging.forget_old", "bulk"),
        ("messaging.send_message", "messages"),
        ("webhooks.deliver", "messages"),
    ],
)
def test_the_engine_messages_and_bulk_work_each_go_to_their_own_queue(task, queue):
    assert queue_of(task) == queue


def test_a_task_called_from_code_is_sent_to_its_queue():
    """What ``.delay()`` in a view or a service does, as opposed to beat."""
    from monitoring.tasks import mark_missed

    options = app.amqp.router.route({}, mark_missed.name, (), {}, mark_missed)

    assert options["queue"].name == "engine"
    assert options["queue"].routing_key == "engine"


def test_the_default_queue_is_declared_too_so_that_a_worker_without_queues_consumes_it():
    names = [queue.name for queue in app.amqp.queues.values()]

    assert set(names) == QUEUES | {"celery"}
    assert app.conf.task_default_queue == "celery"


@pytest.mark.django_db
def test_the_periodic_jobs_the_migrations_create_do_not_override_their_tasks_route():
    """Beat sends with a periodic task's ``queue`` when it has one, past the routes."""
    jobs = PeriodicTask.objects.exclude(task__startswith="celery.")

    assert jobs.count() >= 12
    for job in jobs:
        assert job.task in our_tasks(), job.task
        assert job.queue in (None, "", queue_of(job.task)), job.name
        assert job.exchange in (None, "") and job.routing_key in (None, ""), job.name


@pytest.mark.django_db
def test_every_periodic_job_runs_on_the_engine_or_bulk_or_messages_workers():
    kinds = {queue_of(task) for task in PeriodicTask.objects.values_list("task", flat=True)}

    assert kinds <= QUEUES
    assert "engine" in kinds and "bulk" in kinds and "messages" in kinds
