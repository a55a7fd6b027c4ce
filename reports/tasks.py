"""The monthly job. Thin: the service decides what is missing and writes it."""

from celery import shared_task

from common.tasks import RETRY
from reports import services


@shared_task(name="reports.generate_monthly_reports", **RETRY)
def generate_monthly_reports():
    return services.generate_monthly_reports()
