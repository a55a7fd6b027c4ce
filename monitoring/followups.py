"""The follow-up engine: periods become follow-ups, visits close them, misses are told.

Everything here is written to be run by a periodic job that may run twice, run
concurrently with itself, or be killed half-way: writes are single statements that
claim or skip rows by their status and by unique constraints, inside a transaction.
"""

import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, GridUnit, Role
from households.models import Household, HouseholdStatus
from monitoring import webhook_events
from monitoring.models import (
    Cadence,
    FollowUp,
    FollowUpStatus,
    NotificationKind,
    Tier,
    TierChange,
    Visit,
)
from monitoring.periods import Period, local_midnight, periods_between

# Who a follow-up is assigned to: the worker on the nearest unit above the household,
# full-time before part-time, a temporary cover before the colleague they stand in for.
WORKER_ROLES = [
    Role.FLOOR_HEAD,
    Role.TEN_HOUSEHOLD_HEAD,
    Role.BUILDING_HEAD,
    Role.FULL_TIME_WORKER,
    Role.PART_TIME_WORKER,
]
# How far back a run fills in periods nobody generated (the scheduler was down).
CATCH_UP_DAYS = getattr(settings, "FOLLOW_UP_CATCH_UP_DAYS", 62)


def local_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period as [start, end) instants: midnight to midnight in Asia/Shanghai."""
    return local_midnight(period.start), local_midnight(period.end + datetime.timedelta(days=1))


def _insert_sql(periods: int, depth: int, households: int) -> str:
    """One INSERT ... SELECT for every cadence and its run of periods.

    Written as one statement rather than ``bulk_create`` of model instances: at 100,000
    households that measured 3-4x slower here, and a single statement with
    ON CONFLICT DO NOTHING is also what makes two concurrent runs harmless.

    What is owed is what the tier in force asked for: each tier of a household owes the
    periods of its cadence that end after it was set and (for a tier since replaced) no
    later than it was replaced. The period a change falls in belongs to the new tier: the
    old tier's one is cancelled by ``reschedule``, the new tier's is opened at once.

    A daily run looks only at households whose current tier's current period has no live
    follow-up (an anti-join on the exact period, so a run with nothing to do stops there).
    For those whose tier has not changed inside the catch-up window, the periods after
    their last live one are owed (and the current one, always); only for the few whose
    tier changed inside it is the tier history read. Nothing is owed for a period that
    ended before the household's ``followed_since``. The assignee is worked out once per
    unit (a floor's households share one answer), as one hash probe per level.
    """
    t = {m: m._meta.db_table for m in (FollowUp, Household, Tier, TierChange, Visit, Assignment, GridUnit)}
    ops = connection.ops
    # Every unique index is an arbiter: naming only the one-per-period constraint was a
    # fifth faster, but two concurrent runs then collided on the one-open constraint
    # (a non-arbiter index raises instead of skipping); tests/monitoring saw it.
    insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    conflict = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None) or ""
    roles = ", ".join(f"'{role}'" for role in WORKER_ROLES)
    role_rank = " ".join(f"WHEN '{role}' THEN {i}" for i, role in enumerate(WORKER_ROLES))
    step = GridUnit.steplen
    levels = range(depth, 0, -1)
    level_joins = "\n".join(
        f"LEFT JOIN unit_workers w{n} ON w{n}.path = SUBSTR(u.path, 1, {step * n})" for n in levels
    )
    nearest = ", ".join(f"w{n}.user_id" for n in levels)
    period_rows = " UNION ALL ".join(
        f"SELECT %(cadence{i})s AS cadence, %(start{i})s AS period_start, %(end{i})s AS period_end, "
        f"%(starts_at{i})s AS starts_at, %(ends_at{i})s AS ends_at"
        for i in range(periods)
    )
    live = "f.household_id = h.id AND f.status <> 'cancelled'"
    changed = "CASE WHEN h.tier_changed_at >= %(window_start)s THEN 1 ELSE 0 END"
    if households:
        # Called for a few households whose tier or record just changed: all of them, with
        # every period of the window their tiers owed (what exists is skipped), since
        # periods of an earlier tier may be owed although the current one is not, and one
        # that just left (or whose day of leaving was corrected) owes what ended while it
        # lived here.
        only = f"AND h.id IN ({', '.join(f'%(h{i})s' for i in range(households))})"
        departed = "(h.status = 'active' OR h.moved_out_on IS NOT NULL)"
        changed = "1"
    else:
        departed = "h.status = 'active'"
        only = f"""AND NOT EXISTS (
                  SELECT 1 FROM {t[FollowUp]} f
                   WHERE {live} AND f.period_start = cp.current_start AND f.period_end = cp.current_end)"""
    return f"""
        WITH periods AS ({period_rows}),
        current_periods AS (
            SELECT cadence, MAX(period_start) AS current_start, MAX(period_end) AS current_end
            FROM periods GROUP BY cadence
        ),
        behind AS MATERIALIZED (
            SELECT h.id AS household_id, h.tier_id, h.unit_id, h.tier_changed_at, t.cadence,
                   cp.current_start, {changed} AS changed, h.status, h.moved_out_on,
                   -- From when the household is followed (registered, or back after it
                   -- left): nothing is owed for a period that ended before. A household
                   -- written around the services has none; for it, from when the engine
                   -- wrote its first follow-up (not that one's period start: a month opened
                   -- by a change on the 27th began before anyone followed it).
                   COALESCE(h.followed_since, CASE WHEN {changed} = 1 THEN COALESCE(
                       (SELECT MIN(f.created_at) FROM {t[FollowUp]} f WHERE {live}), %(now)s) END
                   ) AS followed_since,
                   -- Unchanged tier: new periods start after the last live one (the index
                   -- answers it with one probe).
                   CASE WHEN {changed} = 0 THEN
                       (SELECT MAX(f.period_start) FROM {t[FollowUp]} f WHERE {live}) END AS last_start
            FROM {t[Household]} h
            JOIN {t[Tier]} t ON t.id = h.tier_id
            JOIN current_periods cp ON cp.cadence = t.cadence
            WHERE {departed} {only}
        ),
        intervals AS (
            -- For households whose tier changed inside the window: the tier they have now,
            -- since it was set, and the tiers they had before, each from the change before
            -- it to the change that replaced it, where the window reaches them: what was
            -- due under the tier in force on a day counts for that day. (Read from each
            -- change's from_tier, so a history that starts with a change still answers.)
            SELECT household_id, tier_id, cadence, tier_changed_at AS since, NULL AS until
            FROM behind WHERE changed = 1
            UNION ALL
            SELECT x.household_id, x.from_tier_id, t.cadence, x.since, x.changed_at
            FROM (
                SELECT tc.household_id, tc.from_tier_id, tc.changed_at,
                       LAG(tc.changed_at) OVER (PARTITION BY tc.household_id
                                                ORDER BY tc.changed_at, tc.id) AS since
                FROM {t[TierChange]} tc
                WHERE tc.household_id IN (SELECT household_id FROM behind WHERE changed = 1)
            ) x
            JOIN {t[Tier]} t ON t.id = x.from_tier_id
            WHERE x.changed_at > %(window_start)s
        ),
        -- No anti-join against the live rows here: the unique constraints skip what exists
        -- (ON CONFLICT), and a correlated NOT EXISTS, planned against a table the
        -- statistics called empty (a county just imported), read the whole table once per
        -- row while this statement grew it: 218 s for 100,000 households, not one.
        owed AS MATERIALIZED (
            -- Tier unchanged since before the window: the current period (the household
            -- is behind, so it has no row), and the periods between the last live one and
            -- it. Two joins, not one on the cadence with an OR: that one paired every
            -- household with each period of its cadence's window (a daily one's 62) and
            -- threw most away, a fifth of a first run at 100,000 households.
            SELECT b.household_id, b.tier_id, b.unit_id, p.period_start, p.period_end, p.starts_at, p.ends_at
            FROM behind b
            JOIN periods p ON p.cadence = b.cadence AND p.period_start = b.current_start
            WHERE b.changed = 0
              AND (b.followed_since IS NULL OR p.ends_at > b.followed_since)
              AND (b.status = 'active' OR p.period_end < b.moved_out_on)
            UNION ALL
            SELECT b.household_id, b.tier_id, b.unit_id, p.period_start, p.period_end, p.starts_at, p.ends_at
            FROM behind b
            JOIN periods p ON p.cadence = b.cadence
                          AND p.period_start > b.last_start AND p.period_start < b.current_start
            WHERE b.changed = 0 AND b.last_start < b.current_start
              AND (b.followed_since IS NULL OR p.ends_at > b.followed_since)
              AND (b.status = 'active' OR p.period_end < b.moved_out_on)
            UNION ALL
            -- Tier changed inside the window: what each tier owed.
            SELECT b.household_id, i.tier_id, b.unit_id, p.period_start, p.period_end, p.starts_at, p.ends_at
            FROM intervals i
            JOIN behind b ON b.household_id = i.household_id
            JOIN periods p ON p.cadence = i.cadence
            WHERE (i.since IS NULL OR p.ends_at > i.since)
              AND (i.until IS NULL OR p.ends_at <= i.until)
              AND (b.followed_since IS NULL OR p.ends_at > b.followed_since)
              AND (b.status = 'active' OR p.period_end < b.moved_out_on)
        ),
        unit_workers AS (
            -- On a unit with several workers: full-time before part-time, a temporary
            -- cover before the colleague they stand in for.
            SELECT path, user_id FROM (
                SELECT au.path, a.user_id,
                       ROW_NUMBER() OVER (PARTITION BY au.path
                                          ORDER BY CASE WHEN a.covering_for_id IS NULL THEN 1 ELSE 0 END,
                                                   CASE a.role {role_rank} END, a.id) AS chosen
                FROM {t[Assignment]} a JOIN {t[GridUnit]} au ON au.id = a.unit_id
                WHERE a.role IN ({roles}) AND a.starts_on <= %(today)s
                  AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)
            ) ranked
            WHERE chosen = 1
        ),
        -- Materialized: computed once. Inlined, with the rows owed underestimated (a
        -- tier's history read for thousands of households just imported), the planner ran
        -- the whole lookup once per row: 93 s for 5,000 households.
        assignees AS MATERIALIZED (
            SELECT u.id AS unit_id, COALESCE({nearest}, NULL) AS user_id
            FROM {t[GridUnit]} u
            {level_joins}
            WHERE u.id IN (SELECT unit_id FROM behind)
        ),
        -- Materialized so that the visit lookup runs once per row, not once for each of
        -- the three columns below that read it. The lookup itself runs only for
        -- households visited since the first period of the run (a hashed set, built
        -- once): a probe per row measured a fifth of a first run with nothing to find.
        due AS MATERIALIZED (
            SELECT o.household_id, o.tier_id, o.period_start, o.period_end, asg.user_id AS assignee_id,
                   CASE WHEN o.household_id IN (
                       SELECT rv.household_id FROM {t[Visit]} rv WHERE rv.visited_at >= %(visits_from)s
                   ) THEN
                   (SELECT v.id FROM {t[Visit]} v
                     WHERE v.household_id = o.household_id AND v.visited_at >= o.starts_at
                       AND v.visited_at < o.ends_at
                     ORDER BY v.visited_at LIMIT 1) END AS visit_id
            FROM owed o
            LEFT JOIN assignees asg ON asg.unit_id = o.unit_id
        )
        {insert} {t[FollowUp]}
            (household_id, tier_id, period_start, period_end, due_on, status, assignee_id,
             visit_id, cancel_reason, created_at, closed_at, updated_at)
        SELECT household_id, tier_id, period_start, period_end, period_end,
               CASE WHEN visit_id IS NOT NULL THEN 'done'
                    WHEN period_end < %(today)s THEN 'missed' ELSE 'open' END,
               assignee_id, visit_id, '', %(now)s,
               CASE WHEN visit_id IS NOT NULL OR period_end < %(today)s THEN %(now)s END, %(now)s
        FROM due
        WHERE 1 = 1
        {conflict}
    """


def _window(today: datetime.date) -> tuple[datetime.date, list[tuple[str, Period]]]:
    """The first day a run looks back to, and every cadence's periods from it to today."""
    first = today - datetime.timedelta(days=CATCH_UP_DAYS)
    periods = [
        (cadence, period) for cadence in Cadence.values for period in periods_between(cadence, first, today)
    ]
    return first, periods


def _insert_statement(
    today: datetime.date, now: datetime.datetime, households: list[int] | None
) -> tuple[str, dict]:
    ops = connection.ops
    day = ops.adapt_datefield_value
    instant = ops.adapt_datetimefield_value
    first, periods = _window(today)
    depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
    params = {
        "today": day(today),
        "now": instant(now),
        "window_start": instant(local_midnight(first)),
        "visits_from": instant(local_bounds(min((p for _, p in periods), key=lambda p: p.start))[0]),
    }
    for i, (cadence, period) in enumerate(periods):
        starts_at, ends_at = local_bounds(period)
        params |= {
            f"cadence{i}": cadence,
            f"start{i}": day(period.start),
            f"end{i}": day(period.end),
            f"starts_at{i}": instant(starts_at),
            f"ends_at{i}": instant(ends_at),
        }
    params |= {f"h{i}": pk for i, pk in enumerate(households or [])}
    return _insert_sql(len(periods), depth, len(households or [])), params


def _insert_follow_ups(today: datetime.date, *, households: list[int] | None = None) -> int:
    """Write what is owed and not yet written; tell people of the periods it wrote as
    missed (a run after downtime fills in periods that ended meanwhile)."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(*_insert_statement(today, now, households))
        if connection.vendor == "sqlite":
            # Python's sqlite3 reports no row count for a statement that starts with WITH.
            cursor.execute("SELECT changes()")
            created = cursor.fetchone()[0]
        else:
            created = cursor.rowcount
    # Periods written as missed (after downtime) are told in the next morning digest, with
    # those the hourly job marks (``monitoring.digest``): one message a person, not a row.
    return created


def generate_follow_ups(today: datetime.date | None = None) -> int:
    """Give every active household its follow-up for the current period, catching up.

    Open follow-ups whose period has ended are marked missed first, so that each
    household has exactly one open follow-up, for the period that contains today.
    Households whose last follow-up ended days ago (the scheduler was down) get the
    periods in between, under the tier they had then, as missed or, where a visit was
    logged, done; whoever hears of a missed period hears of these too.
    """
    today = today or timezone.localdate()
    mark_missed(today)
    with transaction.atomic():
        # Left open under another cadence (a tier changed while the last run was writing):
        # cancelled, so that the current tier's period can be opened.
        _cancel_other_cadences(now=timezone.now())
        if connection.vendor == "postgresql":
            # Picking each household's nearest worker sorts a few hundred thousand rows;
            # in the default 4 MB that spills to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        created = _insert_follow_ups(today)
    return created


def mark_missed(today: datetime.date | None = None, *, households: list[int] | None = None) -> int:
    """Close the open follow-ups whose period has ended as missed, and tell people.

    A household no longer here (moved out, merged, no member living) owes nothing from
    the period it left in on: what it still had open is cancelled, with the reason.

    The UPDATE claims rows by their status, so a second run (or one running at the same
    time) finds nothing left to claim; the rows it claimed carry this run's timestamp,
    which is how the webhook event finds them. Claiming and the event share a transaction,
    so a run killed half-way leaves the rows open for the next run.

    Nobody is told row by row: the next morning digest lists each person's misses
    (``monitoring.digest``), from the rows closed since the digest before.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        _cancel_for_departed(now=now, today=today, households=households)
        ended = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_on__lt=today)
        if households is not None:
            ended = ended.filter(household__in=households)
        claimed = ended.update(status=FollowUpStatus.MISSED, closed_at=now, updated_at=now)
        if claimed:
            webhook_events.follow_ups_missed(closed_at=now)
    return claimed


def _cancel_for_departed(
    *, now: datetime.datetime, today: datetime.date, households: list[int] | None
) -> int:
    """Cancel, with the reason, what households that left have from the period they left
    in on: open, or marked missed before the move-out was recorded (a family that left on
    the 2nd, recorded on the 5th, missed no visit on the 3rd).

    Without ``households``, the hourly job looks at those that left inside the catch-up
    window (or on no recorded day): earlier ones were seen to when they left."""
    cancelled = 0
    for status, label in HouseholdStatus.choices:
        if status == HouseholdStatus.ACTIVE:
            continue
        left = FollowUp.objects.filter(household__status=status).filter(
            Q(status=FollowUpStatus.OPEN, household__moved_out_on__isnull=True)
            | Q(
                status__in=[FollowUpStatus.OPEN, FollowUpStatus.MISSED],
                due_on__gte=F("household__moved_out_on"),
            )
        )
        if households is not None:
            left = left.filter(household__in=households)
        else:
            recently = today - datetime.timedelta(days=CATCH_UP_DAYS)
            left = left.filter(
                Q(household__moved_out_on__isnull=True) | Q(household__moved_out_on__gte=recently)
            )
        reason = _("No longer followed up: the household's status is now “%(status)s”.") % {"status": label}
        cancelled += left.update(
            status=FollowUpStatus.CANCELLED, closed_at=now, cancel_reason=reason[:200], updated_at=now
        )
    return cancelled


def _cancel_other_cadences(
    *, now: datetime.datetime, households: list[int] | None = None, reason: str = ""
) -> int:
    """Cancel open follow-ups of another cadence than the household's tier now has."""
    stale = FollowUp.objects.filter(status=FollowUpStatus.OPEN).exclude(
        tier__cadence=F("household__tier__cadence")
    )
    if households is not None:
        stale = stale.filter(household__in=households)
    reason = reason or _("The household's tier changed.")
    return stale.update(
        status=FollowUpStatus.CANCELLED, closed_at=now, cancel_reason=reason[:200], updated_at=now
    )


def told_of_misses(
    *,
    closed_from: datetime.datetime,
    closed_to: datetime.datetime,
    today: datetime.date,
    kinds=(NotificationKind.MISSED, NotificationKind.ESCALATED),
    first: int | None = None,
) -> list[tuple]:
    """Who hears of the follow-ups closed as missed in [closed_from, closed_to), as rows
    (user_id, kind, household_id, follow_up_id), for the morning digest.

    With ``first``, only each person's first ``first`` rows, each with two more columns:
    how many that person hears of in all, and the household's number (the digest's count
    and its lines, worked out by the database: a county's 200,000 rows never reach Python).

    Missed: the assignee and the grid heads of the nearest unit above the household that
    has any. Missed again (the previous live follow-up was missed too): the grid heads and
    community staff of the nearest unit above that one. One statement per kind; the
    planner is told to hash (it cannot know how many rows closed in the window)."""
    ops = connection.ops
    params = {
        "closed_from": ops.adapt_datetimefield_value(closed_from),
        "closed_to": ops.adapt_datetimefield_value(closed_to),
        "today": ops.adapt_datefield_value(today),
        # The missed index is read from here: a miss is closed soon after its period
        # ended (the catch-up window after downtime; a year, to be generous), so the
        # misses of earlier years are not read.
        "since": ops.adapt_datefield_value(timezone.localdate(closed_from) - datetime.timedelta(days=366)),
    }
    depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = off")
        for kind in kinds:
            sql = _told_sql(kind, depth)
            if first is not None:
                sql = f"""
                    SELECT r.user_id, r.kind, r.household_id, r.follow_up_id, r.n, hh.number FROM (
                        SELECT told.*, COUNT(*) OVER (PARTITION BY user_id) AS n,
                               ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY follow_up_id) AS rank
                        FROM ({sql}) told
                    ) r
                    JOIN {Household._meta.db_table} hh ON hh.id = r.household_id
                    WHERE r.rank <= {int(first)}"""
            cursor.execute(sql, params)
            rows += cursor.fetchall()
    return rows


def _told_sql(kind: str, depth: int) -> str:
    """The rows ``told_of_misses`` answers for one kind, as one SELECT."""
    t = {m: m._meta.db_table for m in (FollowUp, Household, Assignment, GridUnit)}
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, depth + 1))
    step = GridUnit.steplen
    current = "a.starts_on <= %(today)s AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)"
    common = f"""
        WITH claimed AS (
            SELECT f.id, f.household_id, f.assignee_id, f.period_start, u.path, u.depth
            FROM {t[FollowUp]} f
            JOIN {t[Household]} h ON h.id = f.household_id
            JOIN {t[GridUnit]} u ON u.id = h.unit_id
            WHERE f.status = 'missed' AND f.due_on >= %(since)s
              AND f.closed_at >= %(closed_from)s AND f.closed_at < %(closed_to)s
        ),
        grid_heads AS (
            SELECT a.user_id, au.path, au.depth
            FROM {t[Assignment]} a JOIN {t[GridUnit]} au ON au.id = a.unit_id
            WHERE a.role = '{Role.GRID_HEAD}' AND {current}
        ),
        heads AS (
            SELECT c.id AS follow_up_id, gh.user_id, gh.depth,
                   RANK() OVER (PARTITION BY c.id ORDER BY gh.depth DESC) AS nearest
            FROM claimed c
            JOIN ({depths}) d ON d.n <= c.depth
            JOIN grid_heads gh ON gh.path = SUBSTR(c.path, 1, {step} * d.n)
        )"""
    extra = ""
    if kind == NotificationKind.MISSED:
        select = f"""
            SELECT assignee_id AS user_id, '{kind}' AS kind, household_id, id AS follow_up_id
            FROM claimed WHERE assignee_id IS NOT NULL
            UNION
            SELECT h.user_id, '{kind}', c.household_id, c.id
            FROM heads h JOIN claimed c ON c.id = h.follow_up_id WHERE h.nearest = 1"""
    else:
        # Only follow-ups whose previous live one was missed too; their grid heads'
        # depth is aggregated once and joined, never looked up row by row.
        extra = f""",
        again AS (
            SELECT g.* FROM claimed g
            WHERE (SELECT p.status FROM {t[FollowUp]} p
                    WHERE p.household_id = g.household_id AND p.period_end < g.period_start
                      AND p.status <> 'cancelled'
                    ORDER BY p.period_end DESC LIMIT 1) = 'missed'
        ),
        head_depth AS (SELECT follow_up_id, MAX(depth) AS depth FROM heads GROUP BY follow_up_id),
        above AS (
            SELECT a.user_id, au.path, au.depth
            FROM {t[Assignment]} a JOIN {t[GridUnit]} au ON au.id = a.unit_id
            WHERE a.role IN ('{Role.GRID_HEAD}', '{Role.COMMUNITY_STAFF}') AND {current}
        )"""
        select = f"""
            SELECT user_id, '{kind}' AS kind, household_id, follow_up_id FROM (
                SELECT g.id AS follow_up_id, g.household_id, ab.user_id,
                       RANK() OVER (PARTITION BY g.id ORDER BY ab.depth DESC) AS nearest
                FROM again g
                LEFT JOIN head_depth hd ON hd.follow_up_id = g.id
                JOIN ({depths}) d ON d.n <= g.depth
                JOIN above ab ON ab.path = SUBSTR(g.path, 1, {step} * d.n)
                WHERE ab.depth < COALESCE(hd.depth, g.depth)
            ) escalate
            WHERE nearest = 1"""
    return f"""{common}{extra}
        {select}
    """


def send_notification_emails() -> int:
    """Hand the notifications not yet sent to the channel each recipient chose for their
    kind (``monitoring.outbound``); the name is from when e-mail was the only one.
    Returns how many left the app."""
    from monitoring import outbound

    return outbound.dispatch_notifications()


# A few minutes' grace for what a phone says is now: phone clocks run fast.
CLOCK_GRACE = datetime.timedelta(minutes=5)


def validate_visit(*, household: Household, visited_at: datetime.datetime) -> None:
    """The rules a visit must meet, for forms to check before ``record_visit``."""
    errors = {}
    if visited_at > timezone.now() + CLOCK_GRACE:
        errors["visited_at"] = _("A visit cannot be in the future.")
    elif household.relocated_on and timezone.localdate(visited_at) < household.relocated_on:
        errors["visited_at"] = _("The household had not moved here yet on that day.")
    if error := household_error(household):
        errors["household"] = error
    if errors:
        raise ValidationError(errors)


def household_error(household: Household) -> str | None:
    """Why no visit is recorded for ``household`` any more, if none is."""
    if household.status != HouseholdStatus.ACTIVE:
        return _("This household is no longer followed up (%(status)s); visits are no longer recorded.") % {
            "status": household.get_status_display()
        }
    return None


class RecordedVisit(NamedTuple):
    visit: Visit
    created: bool  # False: the same submission came before, and this is what it saved


def visit_for_key(*, by, key, household: Household, visited_at: datetime.datetime) -> Visit | None:
    """The visit ``by`` already recorded with ``key``, if any.

    A client's key names a visit for its own author only: another user's key, equal by
    chance or by malice, finds nothing here (and never shows that user's visit). The same
    author using a key again for another visit (another household, another time) is a
    mistake in the client, refused with the key named rather than answered with the first
    visit, which would drop the second."""
    earlier = Visit.objects.filter(visited_by=by, key=key).first()
    if earlier is not None and (earlier.household_id, earlier.visited_at) != (household.pk, visited_at):
        raise ValidationError(
            {"key": _("The key %(key)s was already used for another visit.") % {"key": key}},
            code="key_reused",
        )
    return earlier


@transaction.atomic
def record_visit(
    *,
    household: Household,
    by,
    visited_at: datetime.datetime,
    mode: str,
    notes: str = "",
    needs: list[str] | None = None,
    photo=None,
    key=None,
) -> RecordedVisit:
    """Record a visit and close the follow-up of the period it falls in.

    A visit is accepted at any time and counts for its own period: the day after a
    missed daily visit it closes that day's follow-up; a visit logged late (offline)
    for a period already marked missed turns it done. The same ``key`` sent again by the
    same author (a double tap, a resend on a weak network, two sent at the same moment)
    answers with the visit the first one saved. ``photo`` is a file already cleaned by
    ``households.photos.clean_photo``.
    """
    if key is not None and (
        earlier := visit_for_key(by=by, key=key, household=household, visited_at=visited_at)
    ):
        return RecordedVisit(earlier, created=False)
    validate_visit(household=household, visited_at=visited_at)
    now = timezone.now()
    visit = Visit(
        household=household, visited_by=by, visited_at=visited_at, mode=mode, notes=notes, needs=needs or []
    )
    if key is not None:
        visit.key = key
    visit.full_clean(exclude=["household", "visited_by", "photo"], validate_constraints=False)
    if photo is not None:
        visit.photo.save(photo.name, photo, save=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same submission, saved by a request that ran at the same moment: the unique
        # key made this one wait for it, and what it saved is the answer.
        if visit.photo:
            visit.photo.delete(save=False)
        earlier = (
            visit_for_key(by=by, key=visit.key, household=household, visited_at=visited_at)
            if key is not None
            else None
        )
        if earlier is None:
            raise
        return RecordedVisit(earlier, created=False)
    # Every follow-up whose period holds the visit's day is satisfied by it: around a tier
    # change an old daily one and the new weekly one can both hold a late upload's day.
    day = timezone.localdate(visited_at)
    FollowUp.objects.filter(
        household=household,
        period_start__lte=day,
        period_end__gte=day,
        status__in=[FollowUpStatus.OPEN, FollowUpStatus.MISSED],
    ).update(status=FollowUpStatus.DONE, visit=visit, closed_at=now, updated_at=now)
    return RecordedVisit(visit, created=True)


def reschedule(*, households: list[Household], reason: str, today: datetime.date | None = None) -> None:
    """After tier changes (or a household's first tier): what each household now owes.

    Periods that ended before the change were owed under the old tier: still open, they
    are missed (and told), not cancelled. The open follow-up of the old cadence, for the
    period the change falls in, is cancelled with the reason and kept; one of the same
    cadence stays as it is. Then the new tier's period is opened at once (raised to red
    today, due today; done at once if a visit was already logged in it), and periods the
    scheduler never wrote while it was down are filled in under the tier of their time.
    """
    today = today or timezone.localdate()
    ids = [h.pk for h in households]
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        mark_missed(today, households=chunk)
        _cancel_other_cadences(now=timezone.now(), households=chunk, reason=reason)
        _insert_follow_ups(today, households=chunk)
        # A generation run that was writing the old cadence's period when the tier changed
        # commits it while the insert above waits on it, and the insert skips: now visible,
        # it is cancelled too and the new period opened.
        if _cancel_other_cadences(now=timezone.now(), households=chunk, reason=reason):
            _insert_follow_ups(today, households=chunk)


def close_for_departure(*, household: Household, today: datetime.date | None = None) -> None:
    """A household that moved out (merged, no member living): periods that ended while it
    lived here stay owed (those the scheduler did not write, down at the time, are
    written now); what it has open from the period it left in is cancelled."""
    today = today or timezone.localdate()
    _insert_follow_ups(today, households=[household.pk])
    mark_missed(today, households=[household.pk])


def resume_follow_ups(*, household: Household, today: datetime.date | None = None) -> None:
    """A household recorded as active again (a mistake corrected, a family back): its
    current period from now on (its ``followed_since``); the time it was away owed nothing."""
    _insert_follow_ups(today or timezone.localdate(), households=[household.pk])
