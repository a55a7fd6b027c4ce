"""Writing reports: one unit's month on demand, every community's on the first."""

import datetime
import logging
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from grids.models import GridLevel, GridUnit
from reports import files
from reports.figures import compute
from reports.models import MonthlyReport, previous_month

log = logging.getLogger(__name__)

# The monthly job writes a report for every unit of this level and of the levels above
# it (a community, its street, the county); below it, on demand only.
LOWEST_LEVEL = getattr(settings, "MONTHLY_REPORT_LOWEST_LEVEL", "社区")


def generate_report(
    *, unit: GridUnit, month: datetime.date, by=None, first_only: bool = False
) -> MonthlyReport | None:
    """Compute ``unit``'s figures for ``month`` and store them as a new version: a report
    already written stays as it was. ``first_only`` (the monthly job) writes version 1 or
    nothing: a second run of the job at the same moment adds no second version."""
    month = month.replace(day=1)
    started = time.perf_counter()
    figures = compute(unit, month)
    seconds = round(time.perf_counter() - started, 3)
    for _attempt in range(5):
        version = (
            MonthlyReport.objects.filter(unit=unit, month=month).aggregate(v=Max("version"))["v"] or 0
        ) + 1
        if first_only and version > 1:
            return None
        try:
            with transaction.atomic():
                return MonthlyReport.objects.create(
                    unit=unit,
                    month=month,
                    version=version,
                    figures=figures,
                    generated_at=timezone.now(),
                    generated_by=by,
                    seconds=seconds,
                )
        except IntegrityError:
            continue  # another run took this version a moment ago: take the next
    raise RuntimeError(f"no free version for {unit.code} {month:%Y-%m}")


def units_reported_monthly():
    """The units the monthly job writes for: those of the lowest reported level and above
    (every unit above the buildings where no level bears that name)."""
    level = GridLevel.objects.filter(name=LOWEST_LEVEL).first()
    if level is None:
        level = (
            GridLevel.objects.filter(is_building=False, rank__lt=_building_rank()).order_by("-rank").first()
        )
    if level is None:
        return GridUnit.objects.none()
    return GridUnit.objects.filter(level__rank__lte=level.rank).select_related("level").order_by("path")


def _building_rank() -> int:
    rank = GridLevel.objects.filter(is_building=True).order_by("rank").values_list("rank", flat=True).first()
    return 10_000 if rank is None else rank


def generate_monthly_reports(today: datetime.date | None = None) -> int:
    """The job of the first of the month: last month's report for every reported unit
    that has none yet. Run twice, or after a crash half-way, it writes only what is
    missing; each unit in its own transaction, so one failure loses one report."""
    today = today or timezone.localdate()
    month = previous_month(today)
    done = set(MonthlyReport.objects.filter(month=month).values_list("unit_id", flat=True))
    written = 0
    for unit in units_reported_monthly():
        if unit.pk in done:
            continue
        report = generate_report(unit=unit, month=month, first_only=True)
        if report is not None:
            written += 1
            if files.drawn_by_worker(report):  # its PDF ready when the leader opens it
                files.ask(report, "pdf", settings.LANGUAGE_CODE)
    log.info("monthly reports for %s: %d written", f"{month:%Y-%m}", written)
    return written
