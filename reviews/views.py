"""The monthly review's pages: the list of a unit's reviews, the agenda where the meeting
decides in bulk, and the minutes, printable on A4."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from grids.models import Assignment, GridLevel, GridUnit, scope_roots
from monitoring.models import Tier
from reviews.agenda import (
    Why,
    build_agenda,
    earlier_follow_through,
    households_below,
    load_households,
    ordered_ids,
)
from reviews.forms import AgendaChoiceForm, MeetingForm, RowForm, RowInputs, _name
from reviews.meeting import MeetingRefused, Proposed, hold_review
from reviews.models import Decision, Review

ROWS_PER_PAGE = 100


def _units(user):
    """The units a review can be held for: those in the user's scope above the buildings
    (not the floors and groups inside them: a street has thousands)."""
    buildings = GridLevel.objects.filter(is_building=True).order_by("rank").values("rank")[:1]
    return (
        GridUnit.objects.visible_to(user).filter(level__rank__lt=Subquery(buildings)).select_related("level")
    )


def _people(unit):
    """Who can attend or be given a measure: everyone assigned on the unit, above or below it."""
    assigned = Assignment.objects.current().filter(
        Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths())
    )
    return assigned.people()


def _default_unit(user):
    roots = [u for u in scope_roots(user) if not u.level.is_building]
    return roots[0] if roots else None


@login_required
@permission_required("reviews.view_review", raise_exception=True)
def reviews(request):
    """The reviews of the units in scope, newest first, and where to open an agenda."""
    found = (
        Review.objects.visible_to(request.user)
        .select_related("unit", "recorded_by")
        .order_by("-month", "unit__path")
    )
    unit = None
    if unit_id := request.GET.get("unit"):
        unit = get_object_or_404(_units(request.user), pk=unit_id) if unit_id.isdigit() else None
        if unit is None:
            raise Http404
        found = found.filter(unit=unit)
    unit = unit or _default_unit(request.user)
    form = AgendaChoiceForm(
        initial={"unit": unit, "month": f"{timezone.localdate():%Y-%m}"}, units=_units(request.user)
    )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/list.html", {"page": page, "form": form, "unit": unit})


def _row_forms(request, rows, tiers_by_scheme, assignments, bulk_kind=""):
    """Each row's form: the tiers of its household's scheme, and as the people who may be
    given a measure or a case those assigned on the household's unit or above it (its
    grid workers, its building's and its community's staff)."""
    data = request.POST if request.method == "POST" else None
    render = RowInputs()
    by_path = {}
    for path, user in assignments:
        by_path.setdefault(path, []).append(user)
    for row in rows:
        household = row.household
        tiers = [t for t in tiers_by_scheme.get(household.tier.scheme_id, []) if t.pk != household.tier_id]
        people = {u.pk: u for path in household.unit.ancestor_paths() for u in by_path.get(path, [])}
        row.form = RowForm(
            data, prefix=f"h{row.household_id}", tiers=tiers, people=people.values(), bulk_kind=bulk_kind
        )
        row.inputs = render(row.form)
    return rows


@login_required
@permission_required("reviews.view_review", raise_exception=True)
def agenda(request):
    """The agenda of a unit for a month; staff record the meeting and its decisions here."""
    units = _units(request.user)
    query = request.GET.copy()
    if not query.get("unit"):
        unit = _default_unit(request.user)
        if unit is None:
            return redirect("reviews:list")
        query["unit"] = unit.pk
    query.setdefault("month", f"{timezone.localdate():%Y-%m}")
    unit_id = str(query.get("unit"))
    if not unit_id.isdigit() or not units.filter(pk=unit_id).exists():
        raise Http404  # a unit outside the user's scope is not there
    choice = AgendaChoiceForm(query, units=units)
    if not choice.is_valid():
        return render(request, "reviews/agenda.html", {"choice": choice}, status=400)
    unit, month, why = choice.cleaned_data["unit"], choice.cleaned_data["month"], choice.cleaned_data["why"]

    if request.method == "POST" and not (
        request.user.has_perm("reviews.add_review") and request.user.has_perm("reviews.add_decision")
    ):
        raise PermissionDenied

    the_agenda = build_agenda(unit=unit, month=month, user=request.user)
    ids = ordered_ids(the_agenda, why or None)
    page = Paginator(ids, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    if request.method == "POST":
        # The rows the meeting saw: the page it submitted, not the page as it is now.
        posted = [int(pk) for pk in request.POST.get("rows", "").split(",") if pk.isdigit()]
        page_ids = [pk for pk in posted if pk in the_agenda.rows]
        not_on_agenda = [pk for pk in posted if pk not in the_agenda.rows]
    else:
        page_ids = list(page.object_list)
    rows = load_households(the_agenda, page_ids)
    assignments = [
        (a.unit.path, a.user)
        for a in Assignment.objects.current()
        .filter(Q(unit__path__startswith=unit.path) | Q(unit__path__in=unit.ancestor_paths()))
        .select_related("unit", "user")
        .order_by("user__last_name", "user__first_name", "user__username")
    ]
    tiers_by_scheme = {}
    for tier in Tier.objects.order_by("severity"):
        tiers_by_scheme.setdefault(tier.scheme_id, []).append(tier)

    review = the_agenda.review
    initial = {"held_on": timezone.localdate()}
    if review is not None:
        initial = {
            "held_on": review.held_on,
            "attendees": [str(pk) for pk in review.attendees.values_list("pk", flat=True)],
            "other_attendees": review.other_attendees,
            "minutes": review.minutes,
        }
    people_qs = _people(unit)
    meeting = MeetingForm(request.POST or None, initial=initial, people=people_qs)
    bulk_kind = request.POST.get("bulk_kind", "") if request.method == "POST" else ""
    rows = _row_forms(request, rows, tiers_by_scheme, assignments, bulk_kind=bulk_kind)
    status = 200
    if request.method == "POST":
        forms_valid = meeting.is_valid() & all([row.form.is_valid() for row in rows])  # noqa: C419 (every form validated, for its errors)
        for household_id in not_on_agenda:
            meeting.add_error(None, _("Household %(id)s: not on this agenda.") % {"id": household_id})
            forms_valid = False
        decided = [row for row in rows if forms_valid and row.form.cleaned_data["kind"]]
        if forms_valid:
            data = meeting.cleaned_data
            try:
                hold_review(
                    agenda=the_agenda,
                    by=request.user,
                    held_on=data["held_on"],
                    attendees=data["attendees"],
                    other_attendees=data["other_attendees"],
                    minutes=data["minutes"],
                    decisions=[_proposed(row) for row in decided],
                )
            except MeetingRefused as refused:
                for row in rows:
                    for message in refused.errors.get(row.household_id, []):
                        row.form.add_error(None, message)
                for message in refused.errors.get(None, []):
                    meeting.add_error(None, message)
                for household_id in set(refused.errors) - {None} - {row.household_id for row in rows}:
                    meeting.add_error(None, _("Household %(id)s: not on this agenda.") % {"id": household_id})
            else:
                messages.success(
                    request,
                    _("The meeting is recorded with %(n)s decisions.") % {"n": len(decided)},
                )
                return redirect(request.get_full_path())
        status = 400
    context = {
        "choice": choice,
        "agenda": the_agenda,
        "unit": unit,
        "month": month,
        "why": why,
        "why_choices": Why.choices(),
        "counts": the_agenda.counts(),
        "rows": rows,
        "page": page,
        "page_query": urlencode({"unit": unit.pk, "month": f"{month:%Y-%m}", "why": why or ""}),
        "meeting": meeting,
        "bulk_choices": RowForm.base_fields["kind"].choices,
        "attendee_choices": [(str(p.pk), _name(p)) for p in meeting.fields["attendees"].queryset],
        "bulk_kind": bulk_kind,
        "can_decide": request.user.has_perm("reviews.add_review")
        and request.user.has_perm("reviews.add_decision"),
        "refused": status == 400,
        "row_ids": ",".join(str(row.household_id) for row in rows),
    }
    return render(request, "reviews/agenda.html", context, status=status)


def _proposed(row) -> Proposed:
    data = row.form.cleaned_data
    return Proposed(
        household_id=row.household_id,
        kind=data["kind"],
        reason=data["reason"],
        tier=data["tier"],
        measure=data["measure"],
        person=data["person"],
        category=data.get("category") or "",
        urgency=data.get("urgency") or "normal",
    )


@login_required
@permission_required("reviews.view_review", raise_exception=True)
def minutes(request, pk):
    """A review's minutes: who came, what was decided for whom, and what became of the
    previous review's decisions. Printed on A4 and filed."""
    review = get_object_or_404(
        Review.objects.visible_to(request.user).select_related("unit", "recorded_by"), pk=pk
    )
    households = households_below(review.unit, request.user)
    decisions = (
        Decision.objects.filter(review=review, household__in=households)
        .select_related(
            "household__building", "household__tier", "tier", "person", "case", "decided_by", "corrects"
        )
        .order_by("decided_at", "id")
    )
    previous = Review.objects.filter(unit=review.unit, month__lt=review.month).order_by("-month").first()
    follow = earlier_follow_through(previous, households)
    agenda_url = (
        reverse("reviews:agenda") + "?" + urlencode({"unit": review.unit_id, "month": review.month_label})
    )
    return render(
        request,
        "reviews/minutes.html",
        {
            "review": review,
            "attendees": list(review.attendees.all()),
            "others": [line.strip() for line in review.other_attendees.splitlines() if line.strip()],
            "decisions": list(decisions),
            "previous": previous,
            "follow": follow,
            "agenda_url": agenda_url,
        },
    )
