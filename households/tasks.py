"""The worker's share of ledgers: an import's two steps and a large export, which take
longer than a request should, and the hourly end of files nobody came back for and of
work that a lost message left running. Thin: each loads its record and calls the service."""

from celery import shared_task

from households import exports, ledger
from households.models import LedgerImport, LedgerImportStatus, PreparedExport, PreparedExportStatus


@shared_task(name="households.check_ledger", acks_late=True, reject_on_worker_lost=True)
def check_ledger(upload_id: int) -> None:
    upload = LedgerImport.objects.filter(pk=upload_id, status=LedgerImportStatus.CHECKING).first()
    if upload is not None:
        ledger.check_upload(upload)


@shared_task(name="households.import_ledger", acks_late=True, reject_on_worker_lost=True)
def import_ledger(upload_id: int) -> None:
    upload = LedgerImport.objects.filter(pk=upload_id, status=LedgerImportStatus.IMPORTING).first()
    if upload is not None:
        ledger.import_upload(upload)


@shared_task(name="households.expire_files")
def expire_files() -> int:
    """Hourly: unconfirmed ledger previews and prepared exports older than a day, and
    imports and exports still running long after they were asked for (their queue message
    or their worker lost: ``STALLED_WORK_SECONDS``)."""
    return (
        ledger.expire_previews()
        + exports.expire_prepared()
        + ledger.fail_stalled_imports()
        + exports.fail_stalled()
    )


@shared_task(name="households.prepare_export", acks_late=True, reject_on_worker_lost=True)
def prepare_export(prepared_id: int) -> None:
    prepared = PreparedExport.objects.filter(pk=prepared_id, status=PreparedExportStatus.PREPARING).first()
    if prepared is not None:
        exports.prepare(prepared)
