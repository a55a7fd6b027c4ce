"""The follow-up engine: periods become follow-ups, visits close them, misses are told.

Everything here is written to be run by a periodic job that may run twice, run
concurrently with itself, or be killed half-way: writes are single statements that
claim or skip rows by their status and by unique constraints, inside a transaction.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import F, Max
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import Assignment, GridUnit, Role
from households.models import Household, HouseholdStatus
from monitoring.models import (
    Cadence,
    FollowUp,
    FollowUpStatus,
    Notification,
    NotificationKind,
    Tier,
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

    Only households with no live follow-up in their cadence's current period are looked
    at, so a run with nothing to do costs one anti-join. The assignee is
    worked out once per unit (a floor's households share one answer): the chosen worker
    of each unit that has any, then, for each unit below, the deepest of its ancestors
    that has one, as one hash probe per level rather than a sort of every candidate.
    """
    t = {m: m._meta.db_table for m in (FollowUp, Household, Tier, Visit, Assignment, GridUnit)}
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
    only = f"AND h.id IN ({', '.join(f'%(h{i})s' for i in range(households))})" if households else ""
    return f"""
        WITH periods AS ({period_rows}),
        current_periods AS (
            SELECT cadence, MAX(period_start) AS current_start FROM periods GROUP BY cadence
        ),
        behind AS MATERIALIZED (
            -- Households with no live follow-up starting in their cadence's current period:
            -- an anti-join, so a run with nothing to do stops here. Only for these is the
            -- start of the last live period looked up: new periods start after it (a done
            -- weekly one may outlast the first daily one after a change of cadence).
            SELECT h.id AS household_id, h.tier_id, h.unit_id, h.tier_changed_at, t.cadence,
                   cp.current_start,
                   (SELECT MAX(f.period_start) FROM {t[FollowUp]} f
                     WHERE f.household_id = h.id AND f.status <> 'cancelled') AS last_start
            FROM {t[Household]} h
            JOIN {t[Tier]} t ON t.id = h.tier_id
            JOIN current_periods cp ON cp.cadence = t.cadence
            WHERE h.status = 'active' {only}
              AND NOT EXISTS (
                  SELECT 1 FROM {t[FollowUp]} f
                   WHERE f.household_id = h.id AND f.status <> 'cancelled'
                     AND f.period_start >= cp.current_start)
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
        assignees AS (
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
            SELECT b.household_id, b.tier_id, p.period_start, p.period_end, asg.user_id AS assignee_id,
                   CASE WHEN b.household_id IN (
                       SELECT rv.household_id FROM {t[Visit]} rv WHERE rv.visited_at >= %(visits_from)s
                   ) THEN
                   (SELECT v.id FROM {t[Visit]} v
                     WHERE v.household_id = b.household_id AND v.visited_at >= p.starts_at
                       AND v.visited_at < p.ends_at
                     ORDER BY v.visited_at LIMIT 1) END AS visit_id
            FROM behind b
            -- A household never followed up before starts with the current period, not
            -- with periods from before the engine knew it.
            -- Periods of the household's cadence that it had its tier in: raised to red
            -- on Wednesday, Tuesday owes no daily visit.
            JOIN periods p ON p.cadence = b.cadence
                          AND (p.period_start > b.last_start
                               OR (b.last_start IS NULL AND p.period_start = b.current_start))
                          AND (b.tier_changed_at IS NULL OR p.ends_at > b.tier_changed_at)
            LEFT JOIN assignees asg ON asg.unit_id = b.unit_id
        )
        {insert} {t[FollowUp]}
            (household_id, tier_id, period_start, period_end, due_on, status, assignee_id,
             visit_id, cancel_reason, created_at, closed_at)
        SELECT household_id, tier_id, period_start, period_end, period_end,
               CASE WHEN visit_id IS NOT NULL THEN 'done'
                    WHEN period_end < %(today)s THEN 'missed' ELSE 'open' END,
               assignee_id, visit_id, '', %(now)s,
               CASE WHEN visit_id IS NOT NULL OR period_end < %(today)s THEN %(now)s END
        FROM due
        WHERE 1 = 1
        {conflict}
    """


def _insert_statement(today: datetime.date, households: list[int] | None) -> tuple[str, dict]:
    ops = connection.ops
    day = ops.adapt_datefield_value
    first = today - datetime.timedelta(days=CATCH_UP_DAYS)
    periods = [
        (cadence, period) for cadence in Cadence.values for period in periods_between(cadence, first, today)
    ]
    depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
    params = {
        "today": day(today),
        "now": ops.adapt_datetimefield_value(timezone.now()),
        "visits_from": ops.adapt_datetimefield_value(
            local_bounds(min((period for _, period in periods), key=lambda p: p.start))[0]
        ),
    }
    for i, (cadence, period) in enumerate(periods):
        starts_at, ends_at = local_bounds(period)
        params |= {
            f"cadence{i}": cadence,
            f"start{i}": day(period.start),
            f"end{i}": day(period.end),
            f"starts_at{i}": ops.adapt_datetimefield_value(starts_at),
            f"ends_at{i}": ops.adapt_datetimefield_value(ends_at),
        }
    params |= {f"h{i}": pk for i, pk in enumerate(households or [])}
    return _insert_sql(len(periods), depth, len(households or [])), params


def _insert_follow_ups(today: datetime.date, *, households: list[int] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(*_insert_statement(today, households))
        if connection.vendor == "sqlite":
            # Python's sqlite3 reports no row count for a statement that starts with WITH.
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return cursor.rowcount


def generate_follow_ups(today: datetime.date | None = None) -> int:
    """Give every active household its follow-up for the current period, catching up.

    Open follow-ups whose period has ended are marked missed first, so that each
    household has exactly one open follow-up, for the period that contains today.
    Households whose last follow-up ended days ago (the scheduler was down) get the
    periods in between, as missed or, where a visit was logged, done.
    """
    today = today or timezone.localdate()
    mark_missed(today)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Picking each household's nearest worker sorts a few hundred thousand rows;
            # in the default 4 MB that spills to disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        created = _insert_follow_ups(today)
    return created


def mark_missed(today: datetime.date | None = None) -> int:
    """Close the open follow-ups whose period has ended as missed, and tell people.

    The UPDATE claims rows by their status, so a second run (or one running at the same
    time) finds nothing left to claim; the rows it claimed carry this run's timestamp,
    which is how the notification statements find them. Claiming and notifying share a
    transaction, so a run killed half-way leaves the rows open for the next run.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    ops = connection.ops
    params = {"now": ops.adapt_datetimefield_value(now), "today": ops.adapt_datefield_value(today)}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {FollowUp._meta.db_table} SET status = 'missed', closed_at = %(now)s "
            "WHERE status = 'open' AND due_on < %(today)s",
            params,
        )
        claimed = cursor.rowcount
        if claimed:
            depth = GridUnit.objects.aggregate(depth=Max("depth"))["depth"] or 1
            if connection.vendor == "postgresql":
                # The planner cannot know how many rows this run claimed (it guesses one)
                # and would loop over them; hashing is right from ten rows to a county.
                cursor.execute("SET LOCAL enable_nestloop = off")
            for kind in (NotificationKind.MISSED, NotificationKind.ESCALATED):
                cursor.execute(_notify_sql(kind, depth), params)
    return claimed


def _notify_sql(kind: str, depth: int) -> str:
    """Notifications for the follow-ups this run claimed, as one INSERT ... SELECT.

    Missed: the assignee and the grid heads of the nearest unit above the household
    that has any. Missed again (the previous live follow-up was missed too): the grid
    heads and community staff of the nearest unit above that one.
    """
    t = {m: m._meta.db_table for m in (FollowUp, Household, Assignment, GridUnit, Notification)}
    ops = connection.ops
    insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    conflict = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None) or ""
    depths = " UNION ALL ".join(f"SELECT {n} AS n" for n in range(1, depth + 1))
    step = GridUnit.steplen
    current = "a.starts_on <= %(today)s AND (a.ends_on IS NULL OR a.ends_on >= %(today)s)"
    common = f"""
        WITH claimed AS (
            SELECT f.id, f.household_id, f.assignee_id, f.period_start, u.path, u.depth
            FROM {t[FollowUp]} f
            JOIN {t[Household]} h ON h.id = f.household_id
            JOIN {t[GridUnit]} u ON u.id = h.unit_id
            WHERE f.status = 'missed' AND f.closed_at = %(now)s
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
            SELECT assignee_id, '{kind}', household_id, id, %(now)s FROM claimed WHERE assignee_id IS NOT NULL
            UNION
            SELECT h.user_id, '{kind}', c.household_id, c.id, %(now)s
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
            SELECT user_id, '{kind}', household_id, follow_up_id, %(now)s FROM (
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
        {insert} {t[Notification]} (recipient_id, kind, household_id, follow_up_id, created_at)
        {select}
        {conflict}
    """


def send_notification_emails() -> int:
    """E-mail the notifications not yet sent to recipients who have an address."""
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True, recipient__email__gt="").select_related(
            "recipient", "household", "follow_up", "proposal__to_tier", "case"
        )[:500]
    )
    if not pending:
        return 0
    messages = [
        (
            _("%(kind)s: household %(household)s")
            % {"kind": n.get_kind_display(), "household": n.household.number},
            _notification_text(n),
            None,
            [n.recipient.email],
        )
        for n in pending
    ]
    send_mass_mail(messages, fail_silently=False)
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


def _notification_text(notification: Notification) -> str:
    household = notification.household.number
    if notification.follow_up_id:
        return _("The follow-up due on %(due)s for household %(household)s was not done.") % {
            "due": notification.follow_up.due_on,
            "household": household,
        }
    if notification.case_id:
        return _("The case for household %(household)s was due on %(due)s and is still open.") % {
            "due": notification.case.due_on,
            "household": household,
        }
    text = _("The proposal to move household %(household)s to %(tier)s was decided: %(status)s. %(reason)s")
    return text % {
        "household": household,
        "tier": notification.proposal.to_tier,
        "status": notification.proposal.get_status_display(),
        "reason": notification.proposal.decision_reason,
    }


def validate_visit(*, household: Household, visited_at: datetime.datetime) -> None:
    """The rules a visit must meet, for forms to check before ``record_visit``."""
    errors = {}
    # A few minutes' grace: phone clocks run fast.
    if visited_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["visited_at"] = _("A visit cannot be in the future.")
    elif household.relocated_on and timezone.localdate(visited_at) < household.relocated_on:
        errors["visited_at"] = _("The household had not moved here yet on that day.")
    if household.status != HouseholdStatus.ACTIVE:
        errors["household"] = _("This household has moved out; visits are no longer recorded.")
    if errors:
        raise ValidationError(errors)


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
) -> Visit:
    """Record a visit and close the follow-up of the period it falls in.

    A visit is accepted at any time and counts for its own period: the day after a
    missed daily visit it closes that day's follow-up; a visit logged late (offline)
    for a period already marked missed turns it done. Sending the same ``key`` again
    returns the first visit. ``photo`` is a file already cleaned by
    ``households.photos.clean_photo``.
    """
    if key is not None:
        existing = Visit.objects.filter(key=key).first()
        if existing is not None:
            return existing
    validate_visit(household=household, visited_at=visited_at)
    now = timezone.now()
    visit = Visit(
        household=household, visited_by=by, visited_at=visited_at, mode=mode, notes=notes, needs=needs or []
    )
    if key is not None:
        visit.key = key
    visit.full_clean(exclude=["household", "visited_by", "photo"])
    if photo is not None:
        visit.photo.save(photo.name, photo, save=False)
    visit.save()
    day = timezone.localdate(visited_at)
    follow_up = (
        FollowUp.objects.select_for_update()
        .filter(
            household=household,
            period_start__lte=day,
            period_end__gte=day,
            status__in=[FollowUpStatus.OPEN, FollowUpStatus.MISSED],
        )
        .first()
    )
    if follow_up is not None:
        follow_up.status, follow_up.visit, follow_up.closed_at = FollowUpStatus.DONE, visit, now
        follow_up.save(update_fields=["status", "visit", "closed_at"])
    return visit


def reschedule(*, households: list[Household], reason: str, today: datetime.date | None = None) -> None:
    """After tier changes: each household's follow-up under its new tier's cadence.

    Raised to red today, a household is due today. An open follow-up of another cadence
    is cancelled with the reason, and kept; one of the same cadence stays as it is.
    """
    today = today or timezone.localdate()
    ids = [h.pk for h in households]
    FollowUp.objects.filter(household__in=ids, status=FollowUpStatus.OPEN).exclude(
        tier__cadence=F("household__tier__cadence")
    ).update(status=FollowUpStatus.CANCELLED, closed_at=timezone.now(), cancel_reason=reason[:200])
    _insert_follow_ups(today, households=ids)
