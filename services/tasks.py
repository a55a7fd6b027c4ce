"""Periodic jobs of the services app: thin, each calls a service (see monitoring.tasks)."""

from celery import shared_task

from common.tasks import RETRY
from services import deadlines


@shared_task(name="services.check_case_deadlines", **RETRY)
def check_case_deadlines():
    told = deadlines.check_case_deadlines()
    return told + deadlines.warn_cases_due_today()
