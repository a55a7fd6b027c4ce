"""Employment pages: a member's work from the household card (mobile), a household's
income, the warnings, and the figures per grid unit for community staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.forms import add_errors
from employment.figures import unit_figures
from employment.forms import EndLabourForm, IncomeForm, LabourForm, WarningProposalForm
from employment.models import EmploymentWarning, IncomeRecord, IncomeSource, LabourRecord, WarningKind
from employment.services import (
    computed_per_capita,
    end_labour,
    propose_from_warning,
    record_income,
    record_labour_status,
)
from grids.models import GridUnit
from households.models import Household, Member, MemberStatus
from monitoring.wall import default_unit


def _member_or_404(user, pk):
    members = (
        Member.objects.visible_to(user)
        .filter(status=MemberStatus.ACTIVE)
        .select_related("household__unit", "household__building")
    )
    return get_object_or_404(members, pk=pk)


@login_required
@permission_required("employment.add_labourrecord", raise_exception=True)
def labour(request, pk):
    """A member's labour status, changed in a few taps at the door, and its history."""
    member = _member_or_404(request.user, pk)
    household = member.household
    form = LabourForm(request.POST if "status" in request.POST else None, household=household)
    end_form = EndLabourForm(request.POST if "ends_on" in request.POST else None)
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                record_labour_status(member=member, by=request.user, **form.cleaned_data)
                messages.success(request, _("Work recorded."))
                return redirect("households:card", pk=household.pk)
            if end_form.is_bound and end_form.is_valid():
                end_labour(member=member, ends_on=end_form.cleaned_data["ends_on"], by=request.user)
                messages.success(request, _("Recorded as ended."))
                return redirect("households:card", pk=household.pk)
        except ValidationError as error:
            add_errors(form if form.is_bound else end_form, error, default_field=None)
    history = LabourRecord.objects.filter(member=member).select_related("workshop", "post", "recorded_by")
    context = {
        "member": member,
        "household": household,
        "form": form,
        "end_form": end_form,
        "history": history,
        "current": next((r for r in history if r.ends_on is None), None),
        "trainings": member.trainings.all()[:10],
        "offers": household.job_offers.filter(Q(member=member) | Q(member__isnull=True)).order_by(
            "-offered_on"
        )[:10],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "employment/labour.html", context, status=status)


@login_required
@permission_required("employment.add_incomerecord", raise_exception=True)
def income(request, pk):
    """A household's per-capita income by year: entered, or computed from its members."""
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    form = IncomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data, source = dict(form.cleaned_data), IncomeSource.ENTERED
        if "compute" in request.POST:
            data["per_capita"], source = computed_per_capita(household, data["year"]), IncomeSource.COMPUTED
        try:
            if data["per_capita"] is None:
                raise ValidationError(
                    {"per_capita": _("Enter the figure, or compute it from the members' incomes.")}
                )
            record_income(household=household, by=request.user, source=source, **data)
        except ValidationError as error:
            add_errors(form, error, default_field="per_capita")
        else:
            messages.success(request, _("Income recorded."))
            return redirect("employment:income", pk=household.pk)
    records = IncomeRecord.objects.filter(household=household).select_related("recorded_by")
    return render(
        request, "employment/income.html", {"household": household, "form": form, "records": records}
    )


def _warnings_in_scope(user):
    return EmploymentWarning.objects.visible_to(user).select_related(
        "household__building", "household__tier", "member", "proposal__to_tier"
    )


@login_required
@permission_required("employment.view_employmentwarning", raise_exception=True)
def warnings(request):
    """The open warnings in scope, by kind."""
    kind = request.GET.get("kind", "")
    if kind and kind not in WarningKind.values:
        raise Http404
    open_ = _warnings_in_scope(request.user).filter(cleared_at__isnull=True)
    if kind:
        open_ = open_.filter(kind=kind)
    return render(
        request,
        "employment/warnings.html",
        {
            "warnings": open_.order_by("-raised_at")[:200],
            "total": open_.count(),
            "kind": kind,
            "kinds": WarningKind.choices,
        },
    )


@login_required
@permission_required("monitoring.add_tierproposal", raise_exception=True)
def propose(request, pk):
    """Propose a tier change from a warning, for community staff to decide."""
    warning = get_object_or_404(_warnings_in_scope(request.user), pk=pk)
    household = Household.objects.select_related("unit", "tier").get(pk=warning.household_id)
    form = WarningProposalForm(request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        try:
            propose_from_warning(warning=warning, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error, default_field="tier")
        else:
            messages.success(request, _("Proposal sent to community staff."))
            return redirect("employment:warnings")
    return render(request, "employment/propose.html", {"warning": warning, "form": form})


@login_required
@permission_required("employment.view_employmentwarning", raise_exception=True)
def figures(request):
    """Employment figures for a unit and each unit below it (the user's own unit at first)."""
    if request.GET.get("unit"):
        unit = get_object_or_404(GridUnit.objects.visible_to(request.user), code=request.GET["unit"])
    else:
        unit = default_unit(request.user)
    total, rows, lines = unit_figures(request.user, unit)
    return render(
        request, "employment/figures.html", {"unit": unit, "total": total, "rows": rows, "lines": lines}
    )
