"""Monthly report pages: the list of a unit's months, a month's page with its charts, its
PDF and its spreadsheet, and "compute again" (a new version; the old ones stay).

A unit outside the user's scope is a 404, as a household outside it is."""

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.replicas import reads_from_replica
from grids.models import GridUnit, scope_roots
from monitoring.wall import default_unit
from reports import files, layout
from reports.models import MonthlyReport, previous_month
from reports.services import computed_by_worker, generate_later, generate_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A large unit's new version is computed by a worker (reports.services.generate_later).
ASKED_A_WORKER = gettext_lazy(
    "A unit this large is computed by a worker: the new version appears here in a minute or two."
)
A_WORKER_IS_AT_IT = gettext_lazy("This month is being computed already: the new version appears here soon.")


def _unit_or_404(user, code: str) -> GridUnit:
    return get_object_or_404(GridUnit.objects.visible_to(user).select_related("level"), code=code)


def _month_or_404(text: str) -> datetime.date:
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404 from None
    # Only months that have begun: a report of next month would be empty, and misleading.
    if month > timezone.localdate() or month.year < 2000:
        raise Http404
    return month


def _report_or_404(request, code: str, month: str) -> MonthlyReport:
    unit = _unit_or_404(request.user, code)
    reports = MonthlyReport.objects.filter(unit=unit, month=_month_or_404(month))
    version = request.GET.get("version")
    if version:
        if not version.isdigit():
            raise Http404
        return get_object_or_404(reports.select_related("unit", "generated_by"), version=int(version))
    report = reports.select_related("unit", "generated_by").order_by("-version").first()
    if report is None:
        raise Http404
    return report


@reads_from_replica
@login_required
@permission_required("reports.view_monthlyreport", raise_exception=True)
def index(request):
    """A unit's stored reports (the user's own unit at first), and the units below it."""
    if request.GET.get("unit"):
        unit = _unit_or_404(request.user, request.GET["unit"])
    else:
        unit = default_unit(request.user)
        if unit is None:
            roots = scope_roots(request.user)
            unit = roots[0] if roots else GridUnit.objects.filter(depth=1).select_related("level").first()
            if unit is not None and not GridUnit.objects.visible_to(request.user).filter(pk=unit.pk).exists():
                unit = None
    if unit is None:
        return render(request, "reports/index.html", {"unit": None})
    reports = (
        MonthlyReport.objects.filter(unit=unit).select_related("generated_by").order_by("-month", "-version")
    )
    months: dict[datetime.date, list[MonthlyReport]] = {}
    for report in reports[:240]:
        months.setdefault(report.month, []).append(report)
    children = (
        GridUnit.objects.visible_to(request.user)
        .filter(path__startswith=unit.path, depth=unit.depth + 1, level__is_building=False)
        .select_related("level")
        .order_by("path")
    )
    context = {
        "unit": unit,
        "lineage": GridUnit.objects.visible_to(request.user)
        .filter(path__in=unit.ancestor_paths())
        .order_by("depth"),
        "months": sorted(months.items(), reverse=True),
        "children": children,
        "last_month": previous_month(timezone.localdate()),
    }
    return render(request, "reports/index.html", context)


@reads_from_replica
@login_required
@permission_required("reports.view_monthlyreport", raise_exception=True)
def report(request, code, month):
    report = _report_or_404(request, code, month)
    versions = list(
        MonthlyReport.objects.filter(unit=report.unit, month=report.month)
        .order_by("-version")
        .values_list("version", "generated_at")
    )
    context = {
        "report": report,
        "title": layout.title(report.figures),
        "month_label": layout.month_label(report.figures["month"]),
        "sections": layout.sections(report.figures),
        "versions": versions,
        "latest": versions[0][0] == report.version,
    }
    return render(request, "reports/report.html", context)


@reads_from_replica
@login_required
@permission_required("reports.view_monthlyreport", raise_exception=True)
def report_pdf(request, code, month):
    report = _report_or_404(request, code, month)
    if (data := files.file_or_ask(report, "pdf")) is None:
        return _being_drawn(request, report)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_file_name(report)}.pdf"'
    return response


@reads_from_replica
@login_required
@permission_required("reports.view_monthlyreport", raise_exception=True)
def report_xlsx(request, code, month):
    report = _report_or_404(request, code, month)
    if (data := files.file_or_ask(report, "xlsx")) is None:
        return _being_drawn(request, report)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report)}.xlsx"'
    return response


def _being_drawn(request, report: MonthlyReport):
    """A large report's file, asked of a worker: the page looks again every few seconds
    and gets the file once it is drawn."""
    context = {"report": report, "month_label": layout.month_label(report.figures["month"])}
    return render(request, "reports/file_being_drawn.html", context, status=202)


def _file_name(report: MonthlyReport) -> str:
    # ASCII: a unit's code and the month say which report it is, in any browser.
    code = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in report.unit.code)
    return f"report-{code}-{report.month:%Y-%m}-v{report.version}"


@login_required
@permission_required("reports.add_monthlyreport", raise_exception=True)
@require_POST
def generate(request, code, month):
    """Compute a unit's month now: the first version, or a new one beside the old."""
    unit = _unit_or_404(request.user, code)
    month = _month_or_404(month)
    if computed_by_worker(unit):
        asked = generate_later(unit=unit, month=month, by=request.user)
        messages.info(request, ASKED_A_WORKER if asked else A_WORKER_IS_AT_IT)
        if MonthlyReport.objects.filter(unit=unit, month=month).exists():
            return redirect("reports:report", code=unit.code, month=f"{month:%Y-%m}")
        return redirect(f"{reverse('reports:index')}?unit={quote(unit.code)}")
    report = generate_report(unit=unit, month=month, by=request.user)
    messages.success(
        request,
        _("Computed in %(seconds)s s; version %(version)s.")
        % {"seconds": report.seconds, "version": report.version},
    )
    return redirect("reports:report", code=unit.code, month=f"{month:%Y-%m}")


@login_required
@permission_required("reports.add_monthlyreport", raise_exception=True)
@require_POST
def generate_chosen(request):
    """The index page's form: a unit and a month chosen there."""
    code = request.POST.get("unit", "")
    month = request.POST.get("month", "")
    return generate(request, code=code, month=month)
