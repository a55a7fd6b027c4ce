"""Writing a checked ledger whole, and the worker's two steps on an upload."""

import datetime
import logging
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from households.ledger.check import LedgerError, Plan, Problem, chunked_values, read
from households.ledger.format import REASON
from households.models import (
    Household,
    Member,
)
from monitoring.services import open_tier_histories

logger = logging.getLogger(__name__)


WRITING_STEPS = 4


@transaction.atomic
def write(plan: Plan, *, by, progress=None) -> dict:
    """Write a checked plan whole: households, labels, members, the first tier and the
    first follow-up of each household. ``progress("writing", step, WRITING_STEPS)`` after
    each of the four steps."""
    if plan.problems:
        raise ValueError("a plan with problems is never written")
    progress = progress or (lambda stage, done, total: None)
    households = [p.household for p in plan.households]
    for household in households:
        if household.unit is None:
            household.unit = household.building
    bulk_create_with_history(
        households, Household, batch_size=2000, default_user=by, default_change_reason=_(REASON)
    )
    if not all(h.pk for h in households):  # a database that cannot return ids
        ids = dict(
            chunked_values(
                Household.objects, "number", [h.number for h in households], values=("number", "id")
            )
        )
        for h in households:
            h.pk = h.id = ids[h.number]
    progress("writing", 1, WRITING_STEPS)
    _add_with_history(
        Household,
        "labels",
        [
            Household.labels.through(household_id=p.household.pk, label_id=label.pk)
            for p in plan.households
            for label in p.labels
        ],
    )
    progress("writing", 2, WRITING_STEPS)
    members, groups = [], []
    for p in plan.households:
        p.head.household = p.household
        members.append(p.head)
        for _row, member, member_groups in p.members:
            member.household = p.household
            members.append(member)
            groups.append((member, member_groups))
    bulk_create_with_history(
        members, Member, batch_size=2000, default_user=by, default_change_reason=_(REASON)
    )
    if groups and not all(m.pk for m, _g in groups):
        raise RuntimeError("member ids were not returned")
    _add_with_history(
        Member,
        "special_groups",
        [Member.special_groups.through(member_id=m.pk, specialgroup_id=g.pk) for m, gs in groups for g in gs],
    )
    progress("writing", 3, WRITING_STEPS)
    open_tier_histories(households, reason=_(REASON), by=by)
    progress("writing", 4, WRITING_STEPS)
    return {"households": len(households), "members": len(members)}


def _add_with_history(model, field: str, rows: list) -> None:
    """Many-to-many rows in bulk, and their copy in the history record each object got when
    it was created: simple_history copies them itself only on ``.set()``, one object at a
    time."""
    through = getattr(model, field).through
    through.objects.bulk_create(rows, batch_size=5000)
    if not rows:
        return
    owner = model._meta.model_name + "_id"
    history = model.history.model
    copies = apps.get_model(model._meta.app_label, f"{history.__name__}_{field}")
    owners = {getattr(row, owner) for row in rows}
    created = dict(
        chunked_values(history.objects.filter(history_type="+"), "id", owners, values=("id", "history_id"))
    )
    columns = [f.attname for f in through._meta.concrete_fields]
    copies.objects.bulk_create(
        [
            copies(history_id=created[getattr(row, owner)], **{name: getattr(row, name) for name in columns})
            for row in rows
        ],
        batch_size=5000,
    )


# -- an upload, checked and imported by the worker ---------------------------------

MAX_LISTED_PROBLEMS = 2000  # a file wrong on every row is not listed whole


class Progress:
    """Where the worker is with an upload, for its page.

    In the cache, because the import's own rows would not be seen until its transaction
    commits. Where the cache is not shared between the worker and the web server (the
    embedded demo's in-process cache), the page shows the stage without its figures.
    """

    def __init__(self, upload_pk: int):
        self.key = f"ledger-import-progress:{upload_pk}"

    def __call__(self, stage: str, done: int, total: int) -> None:
        cache.set(self.key, (stage, done, total), timeout=3600)

    def get(self) -> tuple[str, int, int] | None:
        return cache.get(self.key)


def check_upload(upload) -> None:
    """Check an uploaded ledger and record what came of it: ready, or refused with its
    problems. A refused file is deleted at once; a ready one waits for the confirmation.

    Each write is conditional on the upload still being checked: if the hourly sweep has
    meanwhile failed it as lost (``fail_stalled_imports``), a worker that was merely slow
    leaves it failed, as its uploader has been told."""
    from households.models import LedgerImport, LedgerImportStatus

    shared = Progress(upload.pk)

    def progress(done, total):
        LedgerImport.objects.filter(pk=upload.pk, status=LedgerImportStatus.CHECKING).update(
            rows_checked=done, rows_total=total
        )
        shared("checking", done, total)

    with translation.override(upload.language), _failing_plainly(upload, LedgerImportStatus.CHECKING):
        plan = _plan(upload, progress)
        _record(upload, plan, ready=True, running=LedgerImportStatus.CHECKING)


def import_upload(upload) -> None:
    """Import a checked ledger: checked again in the transaction that writes it (the
    database may have changed since the preview), then written whole or not at all.

    The upload is locked and marked done in that same transaction, so a task delivered
    twice (a worker lost after the commit) finds it done and writes nothing again, and
    the sweep that fails lost imports waits for the lock and then finds it done. Marking
    it done is conditional on it still being imported, and nothing is written if it is
    not: an import its uploader was told had failed is never written (on a database
    without row locks, SQLite, the sweep may get in before that last write)."""
    from households.models import LedgerImport, LedgerImportStatus

    running = LedgerImportStatus.IMPORTING
    progress = Progress(upload.pk)
    with translation.override(upload.language), _failing_plainly(upload, running):
        try:
            with transaction.atomic():
                locked = LedgerImport.objects.select_for_update().filter(pk=upload.pk, status=running).first()
                if locked is None:
                    return  # imported, or ended, by another delivery of the task or the sweep
                plan = _plan(upload, progress=lambda done, total: progress("rechecking", done, total))
                if plan.problems:
                    _record(upload, plan, ready=False, running=running)
                    return
                counts = write(plan, by=upload.created_by, progress=progress)
                upload.status = LedgerImportStatus.DONE
                upload.summary = {**upload.summary, **counts}
                if not _finish(upload, running=running):
                    transaction.set_rollback(True)  # ended meanwhile: nothing of it is kept
        except IntegrityError:
            # Another import or clerk took a number, an address or a person in the
            # meantime. The database's message names the value (an ID number): not logged.
            logger.warning("ledger import %s: a uniqueness constraint stopped it", upload.pk)
            upload.status = LedgerImportStatus.FAILED
            upload.errors = [
                Problem(
                    "",
                    0,
                    "",
                    _("Someone saved a conflicting household or person meanwhile; upload it again."),
                ).as_dict()
            ]
            _finish(upload, running=running)


def expire_previews(older_than=datetime.timedelta(days=1)) -> int:
    """Previews nobody confirmed within a day end, and their files (ID numbers) go."""
    from households.models import LedgerImport, LedgerImportStatus

    count = 0
    stale = LedgerImport.objects.filter(
        status=LedgerImportStatus.READY, created_at__lt=timezone.now() - older_than
    )
    for upload in stale.iterator():
        # Claimed one by one: a confirmation at this very moment wins or loses whole.
        upload.status = LedgerImportStatus.EXPIRED
        count += _finish(upload, running=LedgerImportStatus.READY)
    return count


def fail_stalled_imports() -> int:
    """Uploads still being checked or imported ``STALLED_WORK_SECONDS`` after the worker
    was asked (its queue message or the worker itself lost) fail, their files (ID numbers)
    go, and their page tells the uploader, in their language, to upload the file again.

    Each is claimed with a conditional UPDATE on its status, so a worker that was merely
    slow and ends it at the same moment either wins whole or writes nothing."""
    from households.models import LedgerImport, LedgerImportStatus

    count = 0
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.STALLED_WORK_SECONDS)
    stalled = LedgerImport.objects.filter(
        status__in=[LedgerImportStatus.CHECKING, LedgerImportStatus.IMPORTING], queued_at__lt=cutoff
    )
    for upload in stalled.iterator():
        running = upload.status
        with translation.override(upload.language):
            upload.status = LedgerImportStatus.FAILED
            upload.errors = [Problem("", 0, "", _("Not finished in time; upload the file again.")).as_dict()]
        if _finish(upload, running=running):
            logger.warning("ledger import %s: still %s after the limit, failed", upload.pk, running)
            count += 1
    return count


@contextmanager
def _failing_plainly(upload, running):
    """Anything unforeseen ends the upload as failed (its page stops waiting, its file
    goes) and is logged by its kind only: a database's message can quote an ID number."""
    from households.models import LedgerImportStatus

    try:
        yield
    except Exception as error:
        logger.error("ledger import %s failed: %s", upload.pk, type(error).__name__)
        upload.status = LedgerImportStatus.FAILED
        upload.errors = [
            Problem("", 0, "", _("The import failed; nothing was saved. Upload the file again.")).as_dict()
        ]
        _finish(upload, running=running)


def _plan(upload, progress) -> Plan:
    try:
        with upload.file.open("rb") as handle:
            return read(handle, unit=upload.unit, user=upload.created_by, progress=progress)
    except LedgerError as error:
        return Plan(problems=[Problem("", 0, "", str(error))])


def _record(upload, plan: Plan, *, ready: bool, running: str) -> None:
    from households.models import LedgerImportStatus

    upload.rows_total = upload.rows_checked = plan.rows
    if plan.problems:
        upload.status = LedgerImportStatus.INVALID
        upload.errors = [p.as_dict() for p in plan.problems[:MAX_LISTED_PROBLEMS]]
        upload.summary = {"problems": len(plan.problems)}
        _finish(upload, running=running)
    elif ready:
        upload.status = LedgerImportStatus.READY
        upload.summary = plan.summary()
        _save_if(upload, running)


def _finish(upload, *, running: str) -> bool:
    """End the upload with what ``upload`` now holds, if it is still ``running``: whether
    it was. Whoever ends an upload deletes its file; whoever finds it ended leaves the
    file to whatever ended it (a confirmation that won over the expiry needs it)."""
    # The file holds ID numbers: it goes as soon as it is of no more use, once what came
    # of it is committed (a rolled-back import still has it, to be tried again).
    name, storage = upload.file.name, upload.file.storage
    upload.file = None
    upload.finished_at = timezone.now()
    ended = _save_if(upload, running)
    if ended and name:
        transaction.on_commit(lambda: storage.delete(name))
    return ended


def _save_if(upload, running: str) -> bool:
    """Save the upload's outcome only if its status is still ``running``: an UPDATE
    conditional on the status, never a plain save that would bring back an upload that
    something else (the sweep, another delivery of the task) has ended."""
    from households.models import LedgerImport

    fields = ["status", "errors", "summary", "rows_total", "rows_checked", "file", "finished_at"]
    values = {name: getattr(upload, name) for name in fields}
    values["file"] = upload.file.name or ""
    return bool(LedgerImport.objects.filter(pk=upload.pk, status=running).update(**values))
