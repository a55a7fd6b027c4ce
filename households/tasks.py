"""The ledger import's two steps, run by the worker: a 20,000-row file takes longer than
a request should. Thin: each loads its upload and calls the ledger's service."""

from celery import shared_task

from households import ledger
from households.models import LedgerImport, LedgerImportStatus


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


@shared_task(name="households.expire_ledger_previews")
def expire_ledger_previews() -> int:
    return ledger.expire_previews()
