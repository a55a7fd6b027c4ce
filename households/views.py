from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grids.models import Assignment, GridUnit
from households import tasks
from households.card import Card, card_slots
from households.export_forms import ExportForm
from households.exports import XLSX, export_ledger
from households.models import (
    ExportLog,
    Household,
    HouseholdStatus,
    Member,
    MemberStatus,
    PreparedExport,
    PreparedExportStatus,
)
from households.photos import private_file
from households.search import find_households


@login_required
def overview(request):
    """The user's grid, and how its households stand by tier."""
    households = Household.objects.visible_to(request.user).filter(status=HouseholdStatus.ACTIVE)
    by_tier = list(
        households.values("tier__name", "tier__colour", "tier__scheme__name", "tier__severity")
        .annotate(count=Count("id"))
        .order_by("tier__scheme__name", "tier__severity")
    )
    total = sum(row["count"] for row in by_tier)
    for row in by_tier:
        row["share"] = 100 * row["count"] / total if total else 0
    assignments = list(
        Assignment.objects.current().filter(user=request.user).select_related("unit__level", "covering_for")
    )
    # Each unit named with the units above it ("铜源社区 › 东片区 › 1栋 › 2层"), in one query.
    paths = {path for a in assignments for path in a.unit.ancestor_paths()}
    names = dict(GridUnit.objects.filter(path__in=paths).values_list("path", "name"))
    for a in assignments:
        a.place = " › ".join(names[path] for path in a.unit.ancestor_paths()[1:] or [a.unit.path])
    return render(
        request,
        "households/home.html",
        {
            "assignments": assignments,
            "by_tier": by_tier,
            "total": total,
        },
    )


class FindForm(forms.Form):
    query = forms.CharField(
        label=_("name, room, household number or phone"),
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 3栋2单元501"), "autofocus": True}),
    )


@login_required
def find(request):
    """POSTed, so that a phone number searched for stays out of URLs and access logs."""
    form = FindForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        try:
            results = list(find_households(request, form.cleaned_data["query"]))
        except PermissionDenied as refused:
            form.add_error("query", str(refused))
    return render(request, "households/find.html", {"form": form, "results": results})


@login_required
def card(request, pk, template_name="households/card.html"):
    """Everything a grid worker needs at the door, in a handful of queries; the same
    card, without the page around it, opens beside the wall. Beside the household and its
    members, its sections are those the apps register (households.card)."""
    household = get_object_or_404(
        Household.objects.select_related("building", "unit", "tier")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Member.objects.filter(status=MemberStatus.ACTIVE).prefetch_related("special_groups"),
            ),
            "labels",
        )
        .visible_to(request.user),
        pk=pk,
    )
    members = sorted(household.members.all(), key=lambda m: (m.relation != "head", m.birth_date))
    context = {
        "household": household,
        "members": members,
        "show_ids": request.user.has_perm("households.view_id_number"),
        "card_slots": card_slots(Card(household=household, user=request.user, members=members)),
    }
    return render(request, template_name, context)


@login_required
def photo(request, pk):
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    if not household.photo:
        raise Http404
    return private_file(household.photo)


@login_required
@permission_required("households.export_ledgers", raise_exception=True)
def export(request):
    """A unit's ledger for a period as .xlsx. POSTed: every export is logged, and the file
    holds personal data that should stay out of URLs, access logs and caches."""
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["in_background"]:
            prepared = PreparedExport.objects.create(
                kind=data["kind"],
                unit=data["unit"],
                period_start=data["start"],
                period_end=data["end"],
                requested_by=request.user,
                language=get_language(),
            )
            transaction.on_commit(lambda: tasks.prepare_export.delay(prepared.pk))
            return redirect("households:prepared_export", prepared.pk)
        _log, ledger, file = export_ledger(
            user=request.user, unit=data["unit"], kind=data["kind"], start=data["start"], end=data["end"]
        )
        response = FileResponse(file, as_attachment=True, filename=ledger.filename, content_type=XLSX)
        response["Cache-Control"] = "no-store"
        return response
    recent = ExportLog.objects.filter(exported_by=request.user).select_related("unit")[:10]
    prepared = PreparedExport.objects.filter(
        requested_by=request.user, status__in=[PreparedExportStatus.PREPARING, PreparedExportStatus.READY]
    ).select_related("unit")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "recent": recent, "prepared": prepared}
    return render(request, "households/export.html", context, status=status)


@login_required
@permission_required("households.export_ledgers", raise_exception=True)
def prepared_export(request, pk):
    """A large export the worker is building, or has built, for its requester."""
    prepared = get_object_or_404(
        PreparedExport.objects.select_related("unit"), pk=pk, requested_by=request.user
    )
    context = {"prepared": prepared, "statuses": PreparedExportStatus}
    return render(request, "households/prepared_export.html", context)


@login_required
@permission_required("households.export_ledgers", raise_exception=True)
def download_export(request, pk):
    """The prepared file, for its requester only, while it is kept (a day)."""
    prepared = get_object_or_404(
        PreparedExport, pk=pk, requested_by=request.user, status=PreparedExportStatus.READY
    )
    response = FileResponse(
        prepared.file.open("rb"), as_attachment=True, filename=prepared.file_name, content_type=XLSX
    )
    response["Cache-Control"] = "no-store"
    return response
