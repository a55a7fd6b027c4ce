"""The monitoring rows of a ledger export: tier changes and visits in a period.

``households`` is a queryset already narrowed to the user's scope (``visible_to``);
each sheet is one query, whatever its number of rows.
"""

import datetime

from django.utils.translation import gettext_lazy as _

from common.spreadsheets import Sheet
from households.exports import SheetRequest, address, labels_of, person, register_sheet, sheet, yes_no
from households.models import ExportKind, Household
from monitoring.models import Need, TierChange, Visit, VisitMode
from monitoring.periods import local_midnight


def _instants(start: datetime.date, end: datetime.date):
    """[start 00:00, the day after end 00:00) in Asia/Shanghai."""
    return local_midnight(start), local_midnight(end + datetime.timedelta(days=1))


@register_sheet(ExportKind.HOUSEHOLDS, order=20)
def tier_changes_export_sheet(request: SheetRequest) -> Sheet:
    return tier_changes_sheet(request.households, request.start, request.end)


@register_sheet(ExportKind.VISITS, order=10)
def visits_export_sheet(request: SheetRequest) -> Sheet:
    return visits_sheet(request.households, request.start, request.end)


def tier_changes_sheet(households, start: datetime.date, end: datetime.date) -> Sheet:
    def verbose(name):
        return TierChange._meta.get_field(name).verbose_name

    result = sheet(
        _("tier changes"),
        [
            Household._meta.get_field("number").verbose_name,
            verbose("changed_at"),
            verbose("from_tier"),
            verbose("to_tier"),
            verbose("reason"),
            verbose("changed_by"),
        ],
    )
    since, until = _instants(start, end)

    def rows():
        for number, at, before, after, reason, last, first, username in (
            TierChange.objects.filter(
                household__in=households.values("pk"), changed_at__gte=since, changed_at__lt=until
            )
            .order_by("changed_at", "pk")
            .values_list(
                "household__number",
                "changed_at",
                "from_tier__name",
                "to_tier__name",
                "reason",
                "changed_by__last_name",
                "changed_by__first_name",
                "changed_by__username",
            )
            .iterator(chunk_size=2000)
        ):
            yield [number, at, before or "", after, reason, person(last, first, username)]

    result.read_from(rows())
    return result


def visits_sheet(households, start: datetime.date, end: datetime.date) -> Sheet:
    def verbose(name):
        return Visit._meta.get_field(name).verbose_name

    result = sheet(
        _("visits"),
        [
            Household._meta.get_field("number").verbose_name,
            _("address"),
            verbose("visited_at"),
            verbose("visited_by"),
            verbose("mode"),
            verbose("needs"),
            verbose("notes"),
            verbose("photo"),
            verbose("created_at"),
        ],
    )
    modes, needs = labels_of(VisitMode.choices), labels_of(Need.choices)
    since, until = _instants(start, end)

    def rows():
        for row in (
            Visit.objects.filter(
                household__in=households.values("pk"), visited_at__gte=since, visited_at__lt=until
            )
            .order_by("visited_at", "pk")
            .values_list(
                "household__number",
                "household__building__name",
                "household__entrance",
                "household__room",
                "visited_at",
                "visited_by__last_name",
                "visited_by__first_name",
                "visited_by__username",
                "mode",
                "needs",
                "notes",
                "photo",
                "created_at",
            )
            .iterator(chunk_size=2000)
        ):
            (
                number,
                building,
                entrance,
                room,
                at,
                last,
                first,
                username,
                mode,
                found,
                notes,
                photo,
                created,
            ) = row
            yield [
                number,
                address(building, entrance, room),
                at,
                person(last, first, username),
                modes.get(mode, mode),
                "、".join(needs.get(code, code) for code in found or ()),
                notes,
                yes_no(bool(photo)),
                created,
            ]

    result.read_from(rows())
    return result
