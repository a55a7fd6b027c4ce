"""Periodic jobs of the employment app: thin, each calls a service (see monitoring.tasks)."""

from celery import shared_task

from common.tasks import RETRY
from employment import rules


@shared_task(name="employment.evaluate_warnings", **RETRY)
def evaluate_warnings():
    raised, cleared = rules.evaluate_warnings()
    return {"raised": raised, "cleared": cleared}
