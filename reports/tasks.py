"""The monthly job, and the large reports' versions and files. Thin: the services decide."""

import datetime

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils import translation

from common.tasks import RETRY
from grids.models import GridUnit
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


@shared_task(name="reports.generate_report", **RETRY)
def generate_report(unit_id: int, month: str, by_id: int | None) -> int:
    """A new version of a large unit's month, asked for on its page; its version number."""
    unit = GridUnit.objects.select_related("level").get(pk=unit_id)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    report = services.generate_asked(unit=unit, month=datetime.date.fromisoformat(month), by=by)
    return report.version
