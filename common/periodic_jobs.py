"""The periodic jobs that apps' migrations create, on django-celery-beat's database
scheduler: a job is created when missing and otherwise left alone, so that an
administrator's change to its schedule (the admin, under Periodic tasks) survives later
deployments. Times are Asia/Shanghai's, as the people who read the results keep them."""

TZ = "Asia/Shanghai"


def create_periodic_job(
    apps,
    *,
    name: str,
    task: str,
    minute: str = "*",
    hour: str = "*",
    day_of_month: str = "*",
    every: int | None = None,
    period: str = "minutes",
    expire_seconds: int | None = None,
) -> None:
    """Create the job ``task`` (named ``name`` in the admin) unless one exists: on a
    crontab (``minute``, ``hour``, ``day_of_month``), or every ``every`` ``period``. For a
    migration's RunPython, with the historical ``apps``."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=task).exists():
        return
    if every is not None:
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        schedule, _ = IntervalSchedule.objects.get_or_create(every=every, period=period)
        when = {"interval": schedule}
    else:
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        schedule, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month=day_of_month,
            month_of_year="*",
            timezone=TZ,
        )
        when = {"crontab": schedule}
    PeriodicTask.objects.create(name=name, task=task, expire_seconds=expire_seconds, **when)
