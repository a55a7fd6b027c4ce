"""Daily counts of households per tier for each unit above the buildings.

Buildings and floors are left out on purpose: a county has tens of thousands of them,
and a trend is read for a street, a community or an area.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from grids.models import GridLevel, GridUnit
from households.models import Household
from monitoring.models import TierChange, TierSnapshot
from monitoring.periods import local_midnight


def _snapshot_sql(historical: bool, depth: int) -> str:
    h, u, lv, tc = (m._meta.db_table for m in (Household, GridUnit, GridLevel, TierChange))
    s = TierSnapshot._meta.db_table
    tier = (
        f"(SELECT tc.to_tier_id FROM {tc} tc WHERE tc.household_id = h.id AND tc.changed_at < %s "
        "ORDER BY tc.changed_at DESC, tc.id DESC LIMIT 1)"
        if historical
        else "h.tier_id"
    )
    # Each household counts for each unit above it: one indexed lookup per level.
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, depth + 1))
    return f"""
        INSERT INTO {s} (day, unit_id, tier_id, households)
        SELECT %s, x.unit_id, x.tier_id, COUNT(*) FROM (
            SELECT au.id AS unit_id, {tier} AS tier_id
            FROM {h} h
            JOIN {u} hu ON hu.id = h.unit_id
            JOIN ({depths}) d ON d.n <= hu.depth
            JOIN {u} au ON au.path = SUBSTR(hu.path, 1, {GridUnit.steplen} * d.n)
            JOIN {lv} l ON l.id = au.level_id
            WHERE l.rank < %s AND (h.relocated_on IS NULL OR h.relocated_on <= %s)
              AND (h.status = 'active' OR h.moved_out_on > %s)
        ) x
        WHERE x.tier_id IS NOT NULL
        GROUP BY x.unit_id, x.tier_id
    """


def _write(day: datetime.date, historical: bool) -> int:
    building_rank = GridLevel.objects.filter(is_building=True).aggregate(rank=Min("rank"))["rank"]
    if building_rank is None:
        return 0
    ops = connection.ops
    end_of_day = local_midnight(day + datetime.timedelta(days=1))
    params = [ops.adapt_datefield_value(day)]
    if historical:
        params.append(ops.adapt_datetimefield_value(end_of_day))
    params += [building_rank, ops.adapt_datefield_value(day), ops.adapt_datefield_value(day)]
    with transaction.atomic(), connection.cursor() as cursor:
        # Taken again the same day, the day's rows are replaced rather than added to.
        TierSnapshot.objects.filter(day=day).delete()
        depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
        cursor.execute(_snapshot_sql(historical, depth), params)
        return cursor.rowcount


def take_tier_snapshot(day: datetime.date | None = None) -> int:
    """Today's counts, from the households' current tiers."""
    return _write(day or timezone.localdate(), historical=False)


def backfill_tier_snapshots(first: datetime.date, last: datetime.date, every_days: int = 7) -> int:
    """Counts for past days, replayed from the tier history (for demo data, or a new install)."""
    written, day = 0, first
    while day <= last:
        written += _write(day, historical=True)
        day += datetime.timedelta(days=every_days)
    return written
