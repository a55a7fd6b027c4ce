"""Ledger exports (.xlsx) of a grid unit and a period: households and their members,
visits, cases, employment figures. Each app builds the sheets it owns in its own
``exports.py`` and registers them here (``@register_sheet``: which export kind, in which
place); ``HouseholdsConfig.ready()`` imports every app's ``exports`` module, as the admin
does its ``admin`` modules. This module picks the households through the scope gate, puts
the registered sheets together and logs the export.

Every sheet costs a fixed number of queries whatever the number of households: rows come
from ``values_list`` and the many-to-many columns from one query on their through table.
"""

import datetime
import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audit import events
from audit.models import Action
from common.replicas import reading_from_replica
from common.spreadsheets import Sheet, write_workbook
from grids.models import GridUnit
from households.ethnicity import Ethnicity
from households.models import (
    ExportKind,
    ExportLog,
    Household,
    HouseholdStatus,
    Member,
    MemberStatus,
    PreparedExport,
    PreparedExportStatus,
    Relation,
    Sex,
    mask_id_number,
)

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Kept in memory up to this size, then in a temporary file: a county's ledger is large.
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SheetRequest:
    """What a sheet is built from. ``households`` is already narrowed by the scope gate
    (and, for the households export, to those living here at some time from ``start``)."""

    user: object
    unit: GridUnit
    households: object
    start: datetime.date
    end: datetime.date
    full_id_numbers: bool = False


@dataclass(frozen=True)
class SheetSource:
    """One sheet of an export kind, contributed by the app that owns its rows."""

    kind: str
    order: int
    build: Callable[[SheetRequest], Sheet]


_sheet_sources: list[SheetSource] = []


def register_sheet(kind: str, *, order: int):
    """Register ``build(request) -> Sheet`` as a sheet of the ``kind`` export, placed by
    ``order`` among that kind's sheets (the households sheet first, at 10)."""

    def register(build):
        _sheet_sources.append(SheetSource(kind=kind, order=order, build=build))
        return build

    return register


def sheet_sources(kind: str) -> list[SheetSource]:
    return sorted((s for s in _sheet_sources if s.kind == kind), key=lambda s: s.order)


@dataclass
class LedgerExport:
    kind: str
    unit: GridUnit
    start: datetime.date
    end: datetime.date
    sheets: list[Sheet] = field(default_factory=list)
    full_id_numbers: bool = False

    @property
    def rows(self) -> int:
        """Data rows across the sheets (headers not counted), once written."""
        return sum(sheet.written for sheet in self.sheets)

    @property
    def filename(self) -> str:
        # ASCII only: some office mail gateways and old browsers mangle anything else.
        code = re.sub(r"[^A-Za-z0-9_-]+", "_", self.unit.code).strip("_") or str(self.unit.pk)
        return f"{self.kind}-{code}-{self.start.isoformat()}-{self.end.isoformat()}.xlsx"


def export_ledger(*, user, unit: GridUnit, kind: str, start: datetime.date, end: datetime.date, request=None):
    """Build the workbook and log the export: ``(log, export, file)``, the file at its start.

    The log row is written only once the workbook is, so that a failed export leaves no
    record of data that never left; the caller sends the file in the same request."""
    export, target = write_export(user=user, unit=unit, kind=kind, start=start, end=end)
    try:
        log = log_export(export, user=user, request=request)
    except BaseException:
        target.close()
        raise
    return log, export, target


def write_export(*, user, unit: GridUnit, kind: str, start: datetime.date, end: datetime.date):
    """The workbook, written to a temporary file: ``(export, file)``, the file at its start."""
    export = build_export(user=user, unit=unit, kind=kind, start=start, end=end)
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    try:
        write_workbook(export.sheets, target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return export, target


def log_export(export: "LedgerExport", *, user, request=None) -> ExportLog:
    """The export's own log (what, of which unit and period), and its row in the audit log,
    chained with every other read: both or neither."""
    with transaction.atomic():
        log = ExportLog.objects.create(
            kind=export.kind,
            unit=export.unit,
            period_start=export.start,
            period_end=export.end,
            rows=export.rows,
            full_id_numbers=export.full_id_numbers,
            exported_by=user,
        )
        events.record(
            Action.EXPORTED,
            request=request,
            user=user,
            target=log,
            detail={
                "kind": export.kind,
                "unit": export.unit.pk,
                "rows": export.rows,
                "full_id_numbers": export.full_id_numbers,
            },
        )
    return log


def prepare(prepared) -> None:
    """Build a prepared export's file, in the worker, and log it as the page logs one.
    Anything unforeseen ends it as failed, logged by its kind only (a database's message
    can quote an ID number).

    The file is kept, and the export logged, only if the export is still being prepared
    once it is built: if the sweep has meanwhile failed it as lost (``fail_stalled``),
    its requester has been told so, and a worker that was merely slow leaves no file
    and no log behind."""
    from django.core.files import File

    running = PreparedExport.objects.filter(pk=prepared.pk, status=PreparedExportStatus.PREPARING)
    stored = ""
    try:
        # Read on a replica that has replayed what was committed before the request (the
        # requester's own writes included); the log and the file's row, on the primary.
        with translation.override(prepared.language), reading_from_replica(as_of=prepared.created_at):
            export, target = write_export(
                user=prepared.requested_by,
                unit=prepared.unit,
                kind=prepared.kind,
                start=prepared.period_start,
                end=prepared.period_end,
            )
        with target, transaction.atomic():
            # Locked while the file is stored: the sweep waits, then finds it ready.
            if running.select_for_update().exists():
                log = log_export(export, user=prepared.requested_by)
                prepared.file.save(export.filename, File(target), save=False)
                stored = prepared.file.name
                ready = running.update(
                    status=PreparedExportStatus.READY,
                    file=stored,
                    file_name=export.filename,
                    log=log,
                    finished_at=timezone.now(),
                )
                if not ready:  # ended meanwhile (SQLite has no row locks): no log either
                    transaction.set_rollback(True)
    except Exception as error:
        logger.error("prepared export %s failed: %s", prepared.pk, type(error).__name__)
        running.update(status=PreparedExportStatus.FAILED, finished_at=timezone.now())
    finally:
        # A file stored for an export that did not commit as ready holds personal data
        # nobody will fetch: it goes.
        if stored and not PreparedExport.objects.filter(pk=prepared.pk, file=stored).exists():
            prepared.file.storage.delete(stored)


def expire_prepared(older_than=datetime.timedelta(days=1)) -> int:
    """Files ready for more than a day go: the personal data in them has been fetched, or
    will not be."""
    count = 0
    stale = PreparedExport.objects.filter(
        status=PreparedExportStatus.READY, finished_at__lt=timezone.now() - older_than
    )
    for prepared in stale.iterator():
        if prepared.file:
            prepared.file.delete(save=False)
        prepared.status = PreparedExportStatus.EXPIRED
        prepared.save(update_fields=["file", "status"])
        count += 1
    return count


def fail_stalled() -> int:
    """Exports still being prepared ``STALLED_WORK_SECONDS`` after they were asked for (the
    queue message or the worker lost) fail, and their page tells the requester that the
    export did not finish in time. Each is claimed with a conditional UPDATE on its
    status: a worker finishing it at that moment either wins whole or keeps nothing."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.STALLED_WORK_SECONDS)
    stalled = PreparedExport.objects.filter(status=PreparedExportStatus.PREPARING, created_at__lt=cutoff)
    count = 0
    for pk in stalled.values_list("pk", flat=True):
        if PreparedExport.objects.filter(pk=pk, status=PreparedExportStatus.PREPARING).update(
            status=PreparedExportStatus.FAILED, timed_out=True, finished_at=timezone.now()
        ):
            logger.warning("prepared export %s: still preparing after the limit, failed", pk)
            count += 1
    return count


def build_export(
    *, user, unit: GridUnit, kind: str, start: datetime.date, end: datetime.date
) -> LedgerExport:
    sources = sheet_sources(kind)
    if not sources:
        raise ValueError(f"Unknown export kind {kind!r}")
    export = LedgerExport(kind=kind, unit=unit, start=start, end=end)
    # The one gate: the unit's subtree, narrowed to what the user may see.
    households = Household.objects.below(unit).visible_to(user)
    if kind == ExportKind.HOUSEHOLDS:
        households = active_between(households, start)
        export.full_id_numbers = user.has_perm("households.view_id_number")
    request = SheetRequest(
        user=user,
        unit=unit,
        households=households,
        start=start,
        end=end,
        full_id_numbers=export.full_id_numbers,
    )
    export.sheets = [source.build(request) for source in sources]
    return export


def active_between(households, start: datetime.date):
    """Households that were living here at some time from ``start`` on."""
    return households.filter(Q(status=HouseholdStatus.ACTIVE) | Q(moved_out_on__gte=start))


# -- shared by the apps' sheets ------------------------------------------------------


def person(last_name: str | None, first_name: str | None, username: str | None) -> str:
    """A user as the pages show one: family name first (郑瑞), else the user name."""
    name = f"{last_name or ''}{first_name or ''}"
    return name or (username or "")


def yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def address(building: str, entrance, room: str) -> str:
    """As ``Household.address`` words it, from columns rather than an instance."""
    return gettext("%(building)s entrance %(entrance)s room %(room)s") % {
        "building": building,
        "entrance": entrance,
        "room": room,
    }


def labels_of(choices) -> dict:
    """A choices class's labels in the active language, looked up once per export."""
    return {value: str(label) for value, label in choices}


def sheet(title, headers, rows=()) -> Sheet:
    # Lazy msgids become text in the request's language here; openpyxl wants plain str.
    return Sheet(str(title)[:31], [str(h) for h in headers], rows)


def _verbose(model, name):
    return model._meta.get_field(name).verbose_name


# -- households and members -----------------------------------------------------------

_HOUSEHOLD_FIELDS = (
    "number",
    "building",
    "entrance",
    "floor",
    "room",
    "origin_county",
    "origin_township",
    "origin_village",
    "phone",
    "tier",
    "tier_changed_at",
    "labels",
    "moved_out_on",
)
_MEMBER_FIELDS = (
    "relation",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "mobile",
    "is_labour_force",
    "special_groups",
    "status",
)


# Households read per chunk: a county's 100,000 and their 370,000 members are never all
# in memory, and a street's fit in a handful of chunks.
CHUNK = 2000


@register_sheet(ExportKind.HOUSEHOLDS, order=10)
def households_export_sheet(request: SheetRequest) -> Sheet:
    return households_sheet(request.households, full_id_numbers=request.full_id_numbers)


def households_sheet(households, *, full_id_numbers: bool) -> Sheet:
    """One row per active member, the household's columns first; a household without an
    active member (one that moved out whole) is one row with the member's columns empty.
    The rows are read while the file is written, a chunk of households at a time."""
    headers = [_verbose(Household, name) for name in _HOUSEHOLD_FIELDS]
    headers += [pgettext_lazy("person", "name")]
    headers += [_verbose(Member, name) for name in _MEMBER_FIELDS]
    ordered = households.order_by("building__path", "entrance", "floor", "room", "pk")
    return sheet(_("households"), headers, _household_rows(ordered, full_id_numbers))


def _household_rows(ordered, full_id_numbers: bool):
    ids = list(ordered.values_list("pk", flat=True))
    empty = [""] * (1 + len(_MEMBER_FIELDS))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = Household.objects.filter(pk__in=chunk).values_list(
            "pk",
            "number",
            "building__name",
            "entrance",
            "floor",
            "room",
            "origin_county",
            "origin_township",
            "origin_village",
            "phone",
            "tier__name",
            "tier_changed_at",
            "moved_out_on",
        )
        by_pk = {row[0]: row for row in rows}
        labels = defaultdict(list)
        for household_id, name in (
            Household.labels.through.objects.filter(household__in=chunk)
            .order_by("label__subcategory__category__order", "label__subcategory__order", "label__order")
            .values_list("household_id", "label__name")
        ):
            labels[household_id].append(name)
        members = _members_by_household(chunk, full_id_numbers=full_id_numbers)
        for pk in chunk:
            _pk, *columns, moved_out_on = by_pk[pk]
            household = [*columns, "、".join(labels.get(pk, ())), moved_out_on]
            for member in members.get(pk) or [empty]:
                yield household + member


def _members_by_household(household_ids, *, full_id_numbers: bool) -> dict[int, list[list]]:
    active = Member.objects.filter(household__in=household_ids, status=MemberStatus.ACTIVE)
    groups = defaultdict(list)
    for member_id, name in (
        Member.special_groups.through.objects.filter(member__in=active.values("pk"))
        .order_by("specialgroup__order", "specialgroup__code")
        .values_list("member_id", "specialgroup__name")
    ):
        groups[member_id].append(name)
    relations, sexes = labels_of(Relation.choices), labels_of(Sex.choices)
    ethnicities, statuses = labels_of(Ethnicity.choices), labels_of(MemberStatus.choices)
    head_first = Case(
        When(relation=Relation.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    by_household = defaultdict(list)
    for (
        pk,
        household_id,
        name,
        relation,
        sex,
        ethnicity,
        born,
        id_number,
        mobile,
        labour,
        status,
    ) in active.order_by("household_id", head_first, "birth_date", "pk").values_list(
        "pk",
        "household_id",
        "name",
        "relation",
        "sex",
        "ethnicity",
        "birth_date",
        "id_number",
        "mobile",
        "is_labour_force",
        "status",
    ):
        by_household[household_id].append(
            [
                name,
                relations.get(relation, relation),
                sexes.get(sex, sex),
                ethnicities.get(ethnicity, ethnicity),
                born,
                id_number if full_id_numbers else mask_id_number(id_number),
                mobile,
                yes_no(labour),
                "、".join(groups.get(pk, ())),
                statuses.get(status, status),
            ]
        )
    return by_household
