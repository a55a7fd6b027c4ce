"""Services' section of the morning digest: the open cases each worker must answer by
tomorrow (or is late with)."""

import datetime
from collections import defaultdict

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy

from messaging import registry
from services.models import ACTIVE_STATUSES, ServiceCase

LINES = 10


def cases_due(run) -> dict[int, registry.Part]:
    due = ServiceCase.objects.filter(
        status__in=ACTIVE_STATUSES,
        assigned_to__isnull=False,
        due_on__lte=run.day + datetime.timedelta(days=1),
    )
    counts = dict(
        due.values_list("assigned_to_id").annotate(n=Count("id")).values_list("assigned_to_id", "n")
    )
    first = (
        due.annotate(
            rank=Window(
                RowNumber(), partition_by=[F("assigned_to_id")], order_by=[F("due_on").asc(), F("id").asc()]
            )
        )
        .filter(rank__lte=LINES)
        .values_list("assigned_to_id", "household__number", "due_on", "category")
    )
    labels = dict(ServiceCase._meta.get_field("category").flatchoices)
    lines = defaultdict(list)
    for user_id, number, due_on, category in first:
        lines[user_id].append(f"{number} · {labels.get(category, category)} · {due_on:%m-%d}")
    return {user_id: registry.Part(count, lines[user_id]) for user_id, count in counts.items()}


registry.register_section(registry.Section("cases_due", gettext_lazy("Cases due"), cases_due, order=30))
