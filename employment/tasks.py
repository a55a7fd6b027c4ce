"""Periodic jobs of the employment app: thin, each calls a service (see monitoring.tasks)."""

from celery import shared_task

from employment import rules
from monitoring.tasks import RETRY


@shared_task(name="employment.evaluate_warnings", **RETRY)
def evaluate_warnings():
    raised, cleared = rules.evaluate_warnings()
    return {"raised": raised, "cleared": cleared}
