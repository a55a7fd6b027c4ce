"""Writing reports: one unit's month on demand, every community's on the first."""

import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from common.tasks import send_once
from grids.models import GridLevel, GridUnit
from households.models import Household
from reports import files
from reports.figures import compute
from reports.models import MonthlyReport, previous_month

log = logging.getLogger(__name__)
# How long one worker's computing keeps the button from asking again; past it (a worker
# lost), the next press asks again.
GENERATING_SECONDS = 15 * 60

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


def computed_by_worker(unit: GridUnit) -> bool:
    """Whether ``unit`` has more households than a request should compute a report of
    (``REPORTS_IN_WORKER_HOUSEHOLDS``): counted only up to the limit."""
    limit = settings.REPORTS_IN_WORKER_HOUSEHOLDS
    if not limit:
        return False
    under = Household.objects.filter(unit__path__startswith=unit.path).order_by()
    return under[: limit + 1].count() > limit


def _generating_key(unit: GridUnit, month: datetime.date) -> str:
    return f"reports:generating:{unit.pk}:{month:%Y-%m}"


def generate_later(*, unit: GridUnit, month: datetime.date, by) -> bool:
    """Ask a worker to compute a new version of ``unit``'s ``month``; False when one is
    already computing it (asked by whoever, within the last quarter of an hour)."""
    month = month.replace(day=1)
    args = [unit.pk, month.isoformat(), getattr(by, "pk", None)]
    return send_once(_generating_key(unit, month), GENERATING_SECONDS, "reports.generate_report", args)


def generate_asked(*, unit: GridUnit, month: datetime.date, by=None) -> MonthlyReport:
    """The worker's side of ``generate_later``: the new version, and its PDF asked for."""
    try:
        report = generate_report(unit=unit, month=month, by=by)
    finally:
        cache.delete(_generating_key(unit, month))
    if files.drawn_by_worker(report):
        files.ask(report, "pdf", settings.LANGUAGE_CODE)
    return report


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
