"""The monthly job, and the large reports' files. Thin: the services decide."""

from celery import shared_task
from django.utils import translation

from common.tasks import RETRY
from reports import files, services
from reports.models import MonthlyReport


@shared_task(name="reports.generate_monthly_reports", **RETRY)
def generate_monthly_reports():
    return services.generate_monthly_reports()


@shared_task(name="reports.draw_file", **RETRY)
def draw_file(report_id: int, kind: str, language: str) -> int:
    """Draw a large report's file (reports.files) in ``language``; its size in bytes."""
    report = MonthlyReport.objects.select_related("unit", "unit__level").filter(pk=report_id).first()
    if report is None:
        return 0
    with translation.override(language):
        return len(files.draw(report, kind))
