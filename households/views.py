from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit import events
from audit.models import Action, Outcome
from common.replicas import reads_from_replica
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
from households.reveal import NOT_VALID, RevealForm, RevealRefused, reveal_token, use_reveal_token
from households.search import find_households


@login_required
def overview(request):
    """The user's grid, how its households stand by tier, and with ``?tier=`` the
    households behind a count, in walking order (a count nobody could open was a number
    staff had to find again on the wall)."""
    households = Household.objects.visible_to(request.user).filter(status=HouseholdStatus.ACTIVE)
    by_tier = list(
        households.values("tier", "tier__name", "tier__colour", "tier__scheme__name", "tier__severity")
        .annotate(count=Count("id"))
        .order_by("tier__scheme__name", "tier__severity")
    )
    total = sum(row["count"] for row in by_tier)
    for row in by_tier:
        row["share"] = 100 * row["count"] / total if total else 0
    chosen, page = None, None
    if "tier" in request.GET:
        if not request.user.has_perm("households.view_household"):
            raise PermissionDenied
        chosen = next((row for row in by_tier if str(row["tier"]) == request.GET["tier"]), None)
        if chosen is None:
            return HttpResponseBadRequest(_("No households of this tier in your scope."))
        listed = (
            households.filter(tier=chosen["tier"])
            .select_related("building", "unit")
            .order_by("building__path", "entrance", "floor", "room", "pk")
        )
        page = Paginator(listed, 100).get_page(request.GET.get("page"))
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
            "chosen": chosen,
            "page": page,
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
    # Numbers are masked on the card for everyone; a holder of the permission reveals one
    # at a time, with a reason (reveal_id_number).
    can_reveal = request.user.has_perm("households.view_id_number")
    for member in members:
        member.reveal_token = reveal_token(user=request.user, member=member) if can_reveal else ""
    context = {
        "household": household,
        "members": members,
        "can_reveal": can_reveal,
        "reveal_form": RevealForm(auto_id=False) if can_reveal else None,
        "card_slots": card_slots(Card(household=household, user=request.user, members=members)),
    }
    response = render(request, template_name, context)
    # Who read this household's record, and when: an auditor's first question.
    events.record(Action.VIEWED, request=request, target=household, detail={"full_id_numbers": False})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def reveal_id_number(request, pk):
    """One member's full ID number, for a reason typed on the card. Every refusal is
    recorded as well as every reveal; neither the number nor the token is in the record."""

    def refuse(refusal: str, status: int, *, member=None, form=None, message=""):
        events.record(
            Action.REVEALED,
            request=request,
            target=member if member is not None else Member,
            ids=() if member is not None else [pk],
            outcome=Outcome.REFUSED,
            detail={"refusal": refusal},
        )
        if status == 403 and member is None:
            raise PermissionDenied
        if status == 404:
            raise Http404
        context = {
            "member": member,
            "form": form or RevealForm(initial={"token": reveal_token(user=request.user, member=member)}),
            "message": message,
        }
        return render(request, "households/reveal.html", context, status=status)

    if not request.user.has_perm("households.view_id_number"):
        return refuse("permission", 403)
    member = Member.objects.visible_to(request.user).select_related("household").filter(pk=pk).first()
    if member is None:
        return refuse("scope", 404)
    form = RevealForm(request.POST)
    if not form.is_valid():
        # Keep what was typed, with a fresh token: the one sent may be spent below next time.
        data = request.POST.copy()
        data["token"] = reveal_token(user=request.user, member=member)
        if "reason" in form.errors:
            return refuse("reason", 400, member=member, form=RevealForm(data))
        return refuse("forged", 400, member=member, form=RevealForm(data), message=NOT_VALID)
    try:
        use_reveal_token(form.cleaned_data["token"], user=request.user, member=member)
    except RevealRefused as refused:
        return refuse(refused.refusal, 403, member=member, message=refused.message)
    events.record(
        Action.REVEALED, request=request, target=member, detail={"reason": form.cleaned_data["reason"]}
    )
    response = render(request, "households/reveal.html", {"member": member, "revealed": True})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def photo(request, pk):
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    if not household.photo:
        raise Http404
    return private_file(household.photo)


# The POST reads the whole ledger before it logs the export: on a replica. Its GET lists
# the worker's progress on prepared ones, which must not look behind: on the primary.
@reads_from_replica(methods=("POST",))
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
            user=request.user,
            unit=data["unit"],
            kind=data["kind"],
            start=data["start"],
            end=data["end"],
            request=request,
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
