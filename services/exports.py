"""The cases of a ledger export: those opened in the period and those still open."""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.spreadsheets import Sheet
from households.exports import SheetRequest, address, labels_of, person, register_sheet, sheet, yes_no
from households.models import ExportKind, Household
from monitoring.periods import local_midnight
from services.models import (
    ACTIVE_STATUSES,
    CaseCategory,
    CaseEvent,
    CaseLevel,
    CaseStatus,
    EventKind,
    ServiceCase,
    Urgency,
)


@register_sheet(ExportKind.CASES, order=10)
def cases_export_sheet(request: SheetRequest) -> Sheet:
    return cases_sheet(request.households, request.start, request.end)


def cases_sheet(households, start: datetime.date, end: datetime.date) -> Sheet:
    """``households`` is already narrowed by the scope gate. A case still open now is
    listed whenever it was opened (before the period ends), so that a late one is never
    missing from a month's ledger; overdue is the list's rule: open and past its deadline."""

    def verbose(name):
        return ServiceCase._meta.get_field(name).verbose_name

    result = sheet(
        _("cases"),
        [
            _("case"),
            Household._meta.get_field("number").verbose_name,
            _("address"),
            verbose("category"),
            verbose("urgency"),
            verbose("level"),
            verbose("status"),
            verbose("description"),
            verbose("opened_at"),
            verbose("opened_by"),
            verbose("due_on"),
            _("closed at"),
            verbose("assigned_to"),
            _("overdue"),
        ],
    )
    since = local_midnight(start)
    until = local_midnight(end + datetime.timedelta(days=1))
    closed_at = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.STATUS, status=CaseStatus.CLOSED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    cases = (
        ServiceCase.objects.filter(household__in=households.values("pk"), opened_at__lt=until)
        .filter(Q(opened_at__gte=since) | Q(status__in=ACTIVE_STATUSES))
        .annotate(closed_at=Subquery(closed_at))
        .order_by("opened_at", "pk")
    )
    categories, urgencies = labels_of(CaseCategory.choices), labels_of(Urgency.choices)
    levels, statuses = labels_of(CaseLevel.choices), labels_of(CaseStatus.choices)
    today = timezone.localdate()

    def rows():
        for row in cases.values_list(
            "pk",
            "household__number",
            "household__building__name",
            "household__entrance",
            "household__room",
            "category",
            "urgency",
            "level",
            "status",
            "description",
            "opened_at",
            "opened_by__last_name",
            "opened_by__first_name",
            "opened_by__username",
            "due_on",
            "closed_at",
            "assigned_to__last_name",
            "assigned_to__first_name",
            "assigned_to__username",
        ).iterator(chunk_size=2000):
            (
                pk,
                number,
                building,
                entrance,
                room,
                category,
                urgency,
                level,
                status,
                description,
                opened_at,
            ) = row[:11]
            opened_by, due_on, closed, assigned_to = row[11:14], row[14], row[15], row[16:19]
            is_open = status in ACTIVE_STATUSES
            yield [
                pk,
                number,
                address(building, entrance, room),
                categories.get(category, category),
                urgencies.get(urgency, urgency),
                levels.get(level, level),
                statuses.get(status, status),
                description,
                opened_at,
                person(*opened_by) if any(opened_by) else "",
                due_on,
                # A reopened case keeps its old closing in the timeline: not closed now.
                closed if status == CaseStatus.CLOSED else None,
                person(*assigned_to) if any(assigned_to) else "",
                yes_no(is_open and due_on < today),
            ]

    result.read_from(rows())
    return result
