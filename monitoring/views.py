"""The grid worker's day (what is due, logging a visit, the inbox), staff's decisions, and the wall."""

import hashlib
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import add_errors
from common.replicas import reads_from_replica
from grids.models import Assignment
from households.models import Household
from households.photos import private_file
from monitoring.followups import WORKER_ROLES
from monitoring.forms import DecisionForm, ProposalForm, VisitForm, WallFilterForm
from monitoring.marks import wall_marks
from monitoring.models import (
    FollowUp,
    Notification,
    ProposalStatus,
    Tier,
    TierProposal,
    Visit,
)
from monitoring.services import (
    approve_proposal,
    proposal_for_key,
    record_visit_from_form,
    reject_proposal,
    send_proposal,
)
from monitoring.today import LIST_LIMIT, TodayFilterForm, TodaySearchForm, found_households, today_lists
from monitoring.wall import Wall, default_unit

# The issue asks for at least once a minute; a tier change reaches the screen in half that.
WALL_REFRESH_SECONDS = 30


def _workers_in_scope(user):
    """Grid workers with a current assignment inside the user's scope."""
    return Assignment.objects.current().visible_to(user).filter(role__in=WORKER_ROLES).people()


@login_required
def today(request):
    """Follow-ups due today and those missed lately, in the user's scope, in walking order;
    a POSTed search (a head's name stays out of URLs) lists the households it names."""
    day = timezone.localdate()
    follow_ups = FollowUp.objects.visible_to(request.user)
    filters = TodayFilterForm(request.GET, user=request.user)
    if not filters.is_valid():
        # A building no longer in scope (a bookmark, a reassignment): the whole list.
        filters = TodayFilterForm({}, user=request.user)
        filters.is_valid()
    if building := filters.cleaned_data["building"]:
        follow_ups = follow_ups.filter(household__building=building)
    workers, worker = None, None
    if request.user.has_perm("monitoring.decide_tierproposal"):
        workers = _workers_in_scope(request.user)
        if request.GET.get("worker"):
            try:
                worker = workers.get(pk=int(request.GET["worker"]))
            except (ValueError, get_user_model().DoesNotExist):
                raise Http404 from None
            follow_ups = follow_ups.filter(assignee=worker)
    search, found = TodaySearchForm(request.POST or None), None
    if request.method == "POST" and search.is_valid():
        try:
            found = found_households(request, search.cleaned_data["query"])
        except PermissionDenied as refused:
            search.add_error("query", str(refused))
    lists = today_lists(follow_ups, day=day, overdue=filters.cleaned_data["overdue"], limit=LIST_LIMIT)
    context = {
        **lists,
        "filters": filters,
        "search": search,
        "found": found,
        "workers": workers,
        "worker": worker,
        "day": day,
        "can_visit": request.user.has_perm("monitoring.add_visit"),
    }
    return render(request, "monitoring/today.html", context)


def _back_to_today(request):
    """Today as the worker left it (its building and overdue filters), else Today."""
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) and parts.path == reverse(
        "monitoring:today"
    ):
        return redirect(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    return redirect("monitoring:today")


@login_required
@permission_required("monitoring.add_visit", raise_exception=True)
def log_visit(request, pk):
    household = get_object_or_404(
        Household.objects.select_related("tier", "unit", "building").visible_to(request.user), pk=pk
    )
    data = request.POST
    quick = request.method == "POST" and data.get("quick") == "1"
    if quick and not data.get("visited_at"):
        # The one-tap door visit from Today carries no time: it happens now. (The phone's
        # script sets the tap's moment instead when it sends the visit later.)
        data = data.copy()
        data["visited_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S")
    form = VisitForm(data or None, request.FILES or None, household=household)
    # A quick visit goes back to the list the worker is walking; the full form to the card.
    done = _back_to_today(request) if quick else redirect("households:card", pk=household.pk)
    if request.method == "POST":
        # The same form sent twice (a double tap, a resend on a flaky network): the
        # first visit stands, and nothing is written again, even when the second copy
        # would no longer pass (its photo not sent again) or both arrive at once.
        key = request.POST.get("key")
        try:
            earlier = Visit.objects.filter(visited_by=request.user, household=household, key=key).first()
        except ValidationError:
            earlier = None
        if earlier is not None:
            messages.info(request, _("This visit was already saved."))
            return done
        if form.is_valid():
            data = form.cleaned_data
            try:
                _visit, created = record_visit_from_form(data, household=household, by=request.user)
            except ValidationError as error:
                add_errors(form, error, default_field="propose_tier")
            else:
                if not created:
                    messages.info(request, _("This visit was already saved."))
                elif quick:
                    room = _("%(e)s-%(r)s") % {"e": household.entrance, "r": household.room}
                    place = f"{household.building.name} {room}"
                    messages.success(request, _("Door visit saved: %(place)s.") % {"place": place})
                else:
                    messages.success(request, _("Visit saved."))
                return done
    return render(request, "monitoring/visit_form.html", {"household": household, "form": form})


@login_required
def visit_photo(request, pk):
    visits = Visit.objects.visible_to(request.user).exclude(photo="")
    visit = get_object_or_404(visits, pk=pk)
    return private_file(visit.photo)


@login_required
@permission_required("monitoring.add_tierproposal", raise_exception=True)
def propose(request, pk):
    household = get_object_or_404(
        Household.objects.select_related("tier", "unit").visible_to(request.user), pk=pk
    )
    form = ProposalForm(request.POST or None, household=household)
    if request.method == "POST":
        # Sent twice (a double tap, the phone's outbox after a lost answer): the first
        # stands, even though the second copy would now be refused as a second pending one.
        try:
            earlier = proposal_for_key(by=request.user, key=request.POST.get("key"), household=household)
        except ValidationError:  # no key, or another household's: the form says why
            earlier = None
        if earlier is not None:
            messages.info(request, _("This proposal was already sent."))
            return redirect("households:card", pk=household.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = send_proposal(
                household=household,
                tier=data["tier"],
                reason=data["reason"],
                by=request.user,
                key=data["key"],
            )
        except ValidationError as error:
            add_errors(form, error, default_field="tier")
        else:
            if sent.created:
                messages.success(request, _("Proposal sent to community staff."))
            else:
                messages.info(request, _("This proposal was already sent."))
            return redirect("households:card", pk=household.pk)
    return render(request, "monitoring/propose.html", {"household": household, "form": form})


def _proposals_in_scope(user):
    return TierProposal.objects.visible_to(user).select_related(
        "household__building", "from_tier", "to_tier", "proposed_by", "visit"
    )


def _pending_proposals(user):
    """Waiting for a decision, oldest first."""
    return _proposals_in_scope(user).filter(status=ProposalStatus.PENDING).order_by("proposed_at")


@login_required
@permission_required("monitoring.decide_tierproposal", raise_exception=True)
def proposals(request):
    """The review queue: pending proposals in scope, oldest first."""
    pending = _pending_proposals(request.user)
    decided = _proposals_in_scope(request.user).exclude(status=ProposalStatus.PENDING)[:20]
    return render(
        request,
        "monitoring/proposals.html",
        {"pending": pending, "decided": decided, "form": DecisionForm()},
    )


@require_POST
@login_required
@permission_required("monitoring.decide_tierproposal", raise_exception=True)
def decide(request, pk):
    proposal = get_object_or_404(_proposals_in_scope(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == DecisionForm.APPROVE:
                approve_proposal(proposal=proposal, by=request.user, note=data["reason"])
                messages.success(request, _("Approved: the tier has changed."))
            else:
                reject_proposal(proposal=proposal, by=request.user, reason=data["reason"])
                messages.success(request, _("Rejected; the proposer is told why."))
            return redirect("monitoring:proposals")
        except ValidationError as error:
            add_errors(form, error, default_field="reason")
    pending = _pending_proposals(request.user)
    return render(
        request,
        "monitoring/proposals.html",
        {"pending": pending, "decided": [], "form": DecisionForm(), "failed": proposal, "failed_form": form},
        status=400,
    )


@login_required
def inbox(request):
    """The user's notifications, newest first; opening the inbox does not mark them read."""
    notifications = (
        Notification.objects.filter(recipient=request.user)
        .select_related("household__building", "follow_up", "proposal__to_tier")
        .prefetch_related("about")
        .order_by("-created_at")[:100]
    )
    return render(request, "monitoring/inbox.html", {"notifications": notifications})


@require_POST
@login_required
def mark_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("monitoring:inbox")


def _wall(request):
    """The wall for this request's filters, or the form with its errors."""
    tiers = list(Tier.objects.select_related("scheme").order_by("scheme__code", "severity"))
    form = WallFilterForm(request.GET, user=request.user, tiers=tiers)
    if not form.is_valid():
        return None, form, tiers
    filters = form.filters()
    if filters.unit is None and not request.GET.get("unit"):
        filters.unit = default_unit(request.user)
    return Wall(request.user, filters), form, tiers


@reads_from_replica
@login_required
def wall(request):
    """Every household of the scope as a tile. The page carries the filters, the places
    to drill down to and the trend; the tiles come from ``wall_tiles``, refreshed."""
    board, form, tiers = _wall(request)
    if board is None:
        return render(request, "monitoring/wall.html", {"form": form}, status=400)
    query = request.GET.copy()
    for display in ("wall", "dark", "size"):
        query.pop(display, None)
    if board.filters.unit is not None:
        query["unit"] = board.filters.unit.code
    context = {
        "form": form,
        "board": board,
        "breadcrumb": board.breadcrumb(),
        "places": board.places(),
        "trend": board.trend(),
        "tiles_url": f"{reverse('monitoring:wall_tiles')}?{query.urlencode()}",
        "wall_mode": request.GET.get("wall") == "1",
        "dark": request.GET.get("dark") == "1",
        "toggle": {display: _toggled(request.GET, display) for display in ("wall", "dark")},
        "refresh_seconds": WALL_REFRESH_SECONDS,
        "marks": [[m.bit, m.symbol, m.legend, m.figure, m.figure_label] for m in wall_marks()],
    }
    return render(request, "monitoring/wall.html", context)


def _toggled(query, name) -> str:
    """This page's URL with a display switch (``wall``, ``dark``) turned the other way."""
    query = query.copy()
    if query.pop(name, None) != ["1"]:
        query[name] = "1"
    return f"?{query.urlencode()}"


@reads_from_replica
def wall_tiles(request):
    """The tiles and figures as compact JSON; an unchanged answer is a 304."""
    if not request.user.is_authenticated:
        # A wall left on overnight outlives its session: it says so instead of
        # receiving the login page.
        return JsonResponse({"error": "login"}, status=401)
    board, form, tiers = _wall(request)
    if board is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    response = JsonResponse(board.payload(tiers), json_dumps_params={"separators": (",", ":")})
    response["ETag"] = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    # Kept by no cache (config.middleware); static/wall.js revalidates with the ETag itself.
    response["Cache-Control"] = "no-store"
    return get_conditional_response(request, etag=response["ETag"], response=response)
