"""Writing a checked ledger whole, and the worker's two steps on an upload."""

import datetime
import logging
from contextlib import contextmanager

from django.apps import apps
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
from households.services import open_tier_histories

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
    problems. A refused file is deleted at once; a ready one waits for the confirmation."""
    from households.models import LedgerImport

    shared = Progress(upload.pk)

    def progress(done, total):
        LedgerImport.objects.filter(pk=upload.pk).update(rows_checked=done, rows_total=total)
        shared("checking", done, total)

    with translation.override(upload.language), _failing_plainly(upload):
        plan = _plan(upload, progress)
        _record(upload, plan, ready=True)


def import_upload(upload) -> None:
    """Import a checked ledger: checked again in the transaction that writes it (the
    database may have changed since the preview), then written whole or not at all.

    The upload is locked and marked done in that same transaction, so a task delivered
    twice (a worker lost after the commit) finds it done and writes nothing again."""
    from households.models import LedgerImport, LedgerImportStatus

    progress = Progress(upload.pk)
    with translation.override(upload.language), _failing_plainly(upload):
        try:
            with transaction.atomic():
                locked = (
                    LedgerImport.objects.select_for_update()
                    .filter(pk=upload.pk, status=LedgerImportStatus.IMPORTING)
                    .first()
                )
                if locked is None:
                    return  # imported, or ended, by another delivery of the task
                plan = _plan(upload, progress=lambda done, total: progress("rechecking", done, total))
                if plan.problems:
                    _record(upload, plan, ready=False)
                    return
                counts = write(plan, by=upload.created_by, progress=progress)
                upload.status = LedgerImportStatus.DONE
                upload.summary = {**upload.summary, **counts}
                _finish(upload)
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
            _finish(upload)


def expire_previews(older_than=datetime.timedelta(days=1)) -> int:
    """Previews nobody confirmed within a day end, and their files (ID numbers) go."""
    from households.models import LedgerImport, LedgerImportStatus

    count = 0
    stale = LedgerImport.objects.filter(
        status=LedgerImportStatus.READY, created_at__lt=timezone.now() - older_than
    )
    for upload in stale.iterator():
        # Claimed one by one: a confirmation at this very moment wins or loses whole.
        if LedgerImport.objects.filter(pk=upload.pk, status=LedgerImportStatus.READY).update(
            status=LedgerImportStatus.EXPIRED
        ):
            upload.status = LedgerImportStatus.EXPIRED
            _finish(upload)
            count += 1
    return count


@contextmanager
def _failing_plainly(upload):
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
        _finish(upload)


def _plan(upload, progress) -> Plan:
    try:
        with upload.file.open("rb") as handle:
            return read(handle, unit=upload.unit, user=upload.created_by, progress=progress)
    except LedgerError as error:
        return Plan(problems=[Problem("", 0, "", str(error))])


def _record(upload, plan: Plan, *, ready: bool) -> None:
    from households.models import LedgerImportStatus

    upload.rows_total = upload.rows_checked = plan.rows
    if plan.problems:
        upload.status = LedgerImportStatus.INVALID
        upload.errors = [p.as_dict() for p in plan.problems[:MAX_LISTED_PROBLEMS]]
        upload.summary = {"problems": len(plan.problems)}
        _finish(upload)
    elif ready:
        upload.status = LedgerImportStatus.READY
        upload.summary = plan.summary()
        upload.save()


def _finish(upload) -> None:
    # The file holds ID numbers: it goes as soon as it is of no more use, once what came
    # of it is committed (a rolled-back import still has it, to be tried again).
    name, storage = upload.file.name, upload.file.storage
    upload.file = None
    upload.finished_at = timezone.now()
    upload.save()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
