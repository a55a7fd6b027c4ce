"""Monitoring's sections of the morning digest (``messaging.registry``): the visits due
today, and the misses told since the digest before (the assignee and grid heads of each,
and for a second miss in a row the staff of the unit above), in place of the notification
per missed follow-up the engine once wrote."""

from collections import defaultdict

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy

from messaging import registry
from monitoring.followups import told_of_misses
from monitoring.models import FollowUp, FollowUpStatus, NotificationKind

LINES = 10


def visits_due(run) -> dict[int, registry.Part]:
    """Open follow-ups whose period ends today, by assignee: the visits that cannot wait."""
    due = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_on=run.day, assignee__isnull=False)
    counts = dict(due.values_list("assignee_id").annotate(n=Count("id")).values_list("assignee_id", "n"))
    first = (
        due.annotate(
            rank=Window(RowNumber(), partition_by=[F("assignee_id")], order_by=[F("household__number").asc()])
        )
        .filter(rank__lte=LINES)
        .values_list("assignee_id", "household__number")
    )
    lines = defaultdict(list)
    for user_id, number in first:
        lines[user_id].append(number)
    return {
        user_id: registry.Part(count, lines[user_id], link=reverse("monitoring:today"))  # lists them all
        for user_id, count in counts.items()
    }


def _misses(kind: str, run) -> dict[int, registry.Part]:
    """The misses closed since the digest before, by who hears of them."""
    rows = told_of_misses(
        closed_from=run.since, closed_to=run.until, today=run.day, kinds=[kind], first=LINES
    )
    counts: dict[int, int] = {}
    lines: dict[int, list[str]] = defaultdict(list)
    for user_id, _kind, _household, _follow_up, count, number in rows:
        counts[user_id] = count
        lines[user_id].append(number)
    return {user_id: registry.Part(count, lines[user_id]) for user_id, count in counts.items()}


def missed(run) -> dict[int, registry.Part]:
    return _misses(NotificationKind.MISSED, run)


def missed_again(run) -> dict[int, registry.Part]:
    return _misses(NotificationKind.ESCALATED, run)


registry.register_section(
    registry.Section("visits_due", gettext_lazy("Visits due today"), visits_due, order=10)
)
registry.register_section(registry.Section("missed", gettext_lazy("Missed yesterday"), missed, order=20))
registry.register_section(
    registry.Section("missed_again", gettext_lazy("Missed twice in a row"), missed_again, order=25)
)
