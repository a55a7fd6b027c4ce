"""The ledger import pages: upload, the check's progress and result, the confirmation.

The work is the worker's (``households.tasks``); these views start it and show where it
is. The pages refresh themselves while it runs, so no script is needed on the phone.
"""

import io

from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households import ledger, tasks
from households.forms import LedgerUploadForm, importable_units
from households.ledger.imports import Progress
from households.models import LedgerImport, LedgerImportStatus

IMPORT_PERMISSIONS = ("households.add_ledgerimport", "households.add_household", "households.add_member")


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def upload(request):
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = LedgerImport.objects.create(
            unit=form.cleaned_data["unit"],
            file=form.cleaned_data["file"],
            file_name=form.cleaned_data["file"].name[:200],
            created_by=request.user,
            language=get_language(),
        )
        transaction.on_commit(lambda: tasks.check_ledger.delay(upload.pk))
        return redirect("households:ledger_import", upload.pk)
    recent = LedgerImport.objects.filter(created_by=request.user).select_related("unit")[:10]
    return render(request, "households/ledger_upload.html", {"form": form, "recent": recent})


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def template(request):
    """The empty ledger for a unit (its buildings and tiers listed in the guide sheet)."""
    unit = get_object_or_404(importable_units(request.user), code=request.GET.get("unit", ""))
    content = io.BytesIO()  # a few kilobytes
    ledger.template(unit, content)
    content.seek(0)
    return FileResponse(
        content,
        as_attachment=True,
        filename=f"ledger-template-{unit.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def detail(request, pk):
    upload = _own_upload(request, pk)
    return render(
        request,
        "households/ledger_import.html",
        {
            "upload": upload,
            "statuses": LedgerImportStatus,
            "progress": _progress(upload),
            "problem_count": upload.summary.get("problems", len(upload.errors)),
        },
    )


@require_POST
@login_required
@permission_required(IMPORT_PERMISSIONS, raise_exception=True)
def confirm(request, pk):
    upload = _own_upload(request, pk)
    # One click imports once: a second (or a double tap) finds the status moved on.
    started = LedgerImport.objects.filter(pk=upload.pk, status=LedgerImportStatus.READY).update(
        status=LedgerImportStatus.IMPORTING, queued_at=timezone.now()
    )
    if started:
        transaction.on_commit(lambda: tasks.import_ledger.delay(upload.pk))
    return redirect("households:ledger_import", upload.pk)


def _own_upload(request, pk) -> LedgerImport:
    upload = get_object_or_404(LedgerImport.objects.select_related("unit"), pk=pk)
    if upload.created_by_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return upload


def _progress(upload) -> tuple[int | None, str]:
    """How far the worker is, as a percentage (None: not known here) and in words."""
    shared = Progress(upload.pk).get()
    if upload.status == LedgerImportStatus.CHECKING:
        done, total = (shared[1], shared[2]) if shared else (upload.rows_checked, upload.rows_total)
        percent = round(100 * done / total) if total else 0
        return percent, _("Checking: %(done)s of %(total)s rows.") % {"done": done, "total": total}
    if upload.status != LedgerImportStatus.IMPORTING:
        return None, ""
    counts = {"households": upload.summary.get("households"), "members": upload.summary.get("members")}
    stage, done, total = shared or ("", 0, 0)
    if stage == "rechecking" and total:
        # Half the way: the rows once more, inside the transaction that writes them.
        return round(50 * done / total), _("Checking the rows once more: %(done)s of %(total)s.") % {
            "done": done,
            "total": total,
        }
    if stage == "writing":
        return 50 + round(50 * done / total), _(
            "Writing %(households)s households and %(members)s people: step %(done)s of %(total)s."
        ) % {**counts, "done": done, "total": total}
    return None, _("Importing %(households)s households and %(members)s people, in one go.") % counts
