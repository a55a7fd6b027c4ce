"""Daily counts of households per tier for each unit above the buildings.

One definition of "the snapshot of day D", used by the daily job and by the backfill
alike: the households that lived under the unit on D (moved in by then, not moved out
before its end), each in the tier in force at the end of D (midnight, Asia/Shanghai).
A tier changed at 16:00 counts for that day; a household that moved out on D does not.

Buildings and floors are left out on purpose: a county has tens of thousands of them,
and a trend is read for a street, a community or an area.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from grids.models import GridLevel, GridUnit
from households.models import Household
from monitoring.models import TierChange, TierSnapshot
from monitoring.periods import local_midnight

# How far back the daily job fills in days it did not run (the scheduler was down).
CATCH_UP_DAYS = getattr(settings, "TIER_SNAPSHOT_CATCH_UP_DAYS", 62)


def _snapshot_sql(depth: int) -> str:
    h, u, lv, tc = (m._meta.db_table for m in (Household, GridUnit, GridLevel, TierChange))
    s = TierSnapshot._meta.db_table
    # Each household counts for each unit above it: one indexed lookup per level.
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, depth + 1))
    return f"""
        WITH lived AS (
            -- Its tier at the end of the day: the household's own column unless it changed
            -- since (for yesterday, a handful of households), else the history's answer.
            SELECT h.unit_id,
                   CASE WHEN h.tier_changed_at IS NULL OR h.tier_changed_at < %(end)s THEN h.tier_id
                   ELSE (SELECT tc.to_tier_id FROM {tc} tc
                          WHERE tc.household_id = h.id AND tc.changed_at < %(end)s
                          ORDER BY tc.changed_at DESC, tc.id DESC LIMIT 1) END AS tier_id
            FROM {h} h
            WHERE (h.relocated_on IS NULL OR h.relocated_on <= %(day)s)
              AND (h.status = 'active' OR h.moved_out_on > %(day)s)
        )
        INSERT INTO {s} (day, unit_id, tier_id, households)
        SELECT %(day)s, au.id, x.tier_id, COUNT(*)
        FROM lived x
        JOIN {u} hu ON hu.id = x.unit_id
        JOIN ({depths}) d ON d.n <= hu.depth
        JOIN {u} au ON au.path = SUBSTR(hu.path, 1, {GridUnit.steplen} * d.n)
        JOIN {lv} l ON l.id = au.level_id
        WHERE l.rank < %(building_rank)s AND x.tier_id IS NOT NULL
        GROUP BY au.id, x.tier_id
    """


def snapshot_day(day: datetime.date) -> int:
    """Write the snapshot of ``day`` (replacing it if it was written before)."""
    building_rank = GridLevel.objects.filter(is_building=True).aggregate(rank=Min("rank"))["rank"]
    if building_rank is None:
        return 0
    ops = connection.ops
    params = {
        "day": ops.adapt_datefield_value(day),
        "end": ops.adapt_datetimefield_value(local_midnight(day + datetime.timedelta(days=1))),
        "building_rank": building_rank,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        TierSnapshot.objects.filter(day=day).delete()
        depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
        cursor.execute(_snapshot_sql(depth), params)
        return cursor.rowcount


def take_tier_snapshots(today: datetime.date | None = None) -> int:
    """The daily job: the snapshot of every day that has ended since the last one written,
    oldest first, so that days the scheduler was down leave no hole in the trend (as far
    back as ``CATCH_UP_DAYS``). Run again the same day, it writes nothing."""
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    latest = TierSnapshot.objects.filter(day__lte=yesterday).aggregate(day=Max("day"))["day"]
    first = yesterday if latest is None else latest + datetime.timedelta(days=1)
    first = max(first, today - datetime.timedelta(days=CATCH_UP_DAYS))
    written, day = 0, first
    while day <= yesterday:
        written += snapshot_day(day)
        day += datetime.timedelta(days=1)
    return written


def backfill_tier_snapshots(first: datetime.date, last: datetime.date, every_days: int = 7) -> int:
    """Snapshots of past days replayed from the tier history (a new install, the demo):
    the same snapshot as the daily job's for each day."""
    written, day = 0, first
    while day <= last:
        written += snapshot_day(day)
        day += datetime.timedelta(days=every_days)
    return written
