"""Cases (report, list, page with its timeline), door cards and the residents' help page,
and a household's points."""

import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from audit.events import record
from audit.models import Action, Outcome
from common.forms import add_errors
from common.http import client_address
from grids.models import GridUnit
from households.models import Household
from services.cases import add_note, assign_case, case_for_key, change_status, report_problem
from services.door_card_sheets import doors, issue_missing, sheet_pdf
from services.door_cards import (
    HELP_KINDS,
    HELP_LIMIT_PER_CARD,
    ask_for_help,
    card_for_token,
    count,
    door_card_token,
    issue_door_card,
    token_from_code,
)
from services.forms import (
    AssignForm,
    CaseFilterForm,
    CounterLookupForm,
    EarnForm,
    HelpForm,
    NoteForm,
    RedeemForm,
    ReportForm,
    ReverseForm,
    StatusForm,
)
from services.models import CaseStatus, DoorCard, PointEntry, RewardItem, ServiceCase, overdue_on
from services.points import balance, earn_points, redeem, reverse_entry

# A door card's page, per hour: an address may send this many requests, sent or refused;
# a card opens this many cases, and the requests past it join the open one as notes.
HELP_LIMIT_PER_ADDRESS = 20
# Closing a resolved case and reopening one are community staff's to do.
STAFF_STATUSES = [CaseStatus.CLOSED, CaseStatus.REOPENED]


@login_required
@permission_required("services.add_servicecase", raise_exception=True)
def report(request, pk):
    household = get_object_or_404(
        Household.objects.select_related("tier", "building", "unit").visible_to(request.user), pk=pk
    )
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        # Sent twice (a double tap, the phone's outbox after a lost answer): one case.
        try:
            earlier = case_for_key(by=request.user, key=request.POST.get("key"), household=household)
        except ValidationError:  # no key, or another household's: the form says why
            earlier = None
        if earlier is not None:
            messages.info(request, _("This problem was already reported."))
            return redirect("households:card", pk=household.pk)
    if request.method == "POST" and form.is_valid():
        try:
            case, created = report_problem(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error, default_field="description")
        else:
            if created:
                messages.success(request, _("Problem reported; respond by %(due)s.") % {"due": case.due_on})
            else:
                messages.info(request, _("This problem was already reported."))
            return redirect("households:card", pk=household.pk)
    return render(request, "services/report.html", {"household": household, "form": form})


def _cases_in_scope(user):
    return ServiceCase.objects.visible_to(user).select_related(
        "household__building", "household__tier", "assigned_to"
    )


@login_required
@permission_required("services.view_servicecase", raise_exception=True)
def cases(request):
    """Cases in scope, filtered by category, status, level and lateness; soonest due first."""
    form = CaseFilterForm(request.GET or None)
    found = _cases_in_scope(request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "services/cases.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    if data.get("category"):
        found = found.filter(category=data["category"])
    status = data.get("status")
    if not status:
        found = found.exclude(status=CaseStatus.CLOSED)
    elif status != "all":
        found = found.filter(status=status)
    if data.get("level"):
        found = found.filter(level=data["level"])
    if data.get("overdue"):
        found = found.filter(overdue_on(timezone.localdate()))
    page = Paginator(found.order_by("due_on", "id"), 50).get_page(request.GET.get("page"))
    return render(request, "services/cases.html", {"form": form, "page": page, "today": timezone.localdate()})


@login_required
@permission_required("services.view_servicecase", raise_exception=True)
def case(request, pk):
    """A case, its timeline, and what the user may do next: a note, a status."""
    found = get_object_or_404(
        _cases_in_scope(request.user).select_related("member", "opened_by", "household__unit"), pk=pk
    )
    note_form = NoteForm(request.POST if request.POST.get("action") == "note" else None)
    status_form = StatusForm(request.POST if request.POST.get("action") == "status" else None, case=found)
    assign_form = AssignForm(
        request.POST if request.POST.get("action") == "assign" else None,
        user=request.user,
        household=found.household,
        initial={"assigned_to": found.assigned_to_id},
    )
    if request.method == "POST":
        if not request.user.has_perm("services.add_servicecase"):
            raise PermissionDenied
        if assign_form.is_bound:
            # Handing a case to someone else is community staff's.
            if not request.user.has_perm("services.change_servicecase"):
                raise PermissionDenied
            if assign_form.is_valid():
                assign_case(case=found, to=assign_form.cleaned_data["assigned_to"], by=request.user)
                messages.success(request, _("Case handed over."))
                return redirect("services:case", pk=found.pk)
        try:
            if note_form.is_bound and note_form.is_valid():
                add_note(case=found, text=note_form.cleaned_data["text"], by=request.user)
                messages.success(request, _("Note added."))
                return redirect("services:case", pk=found.pk)
            if status_form.is_bound and status_form.is_valid():
                status = status_form.cleaned_data["status"]
                if status in STAFF_STATUSES and not request.user.has_perm("services.change_servicecase"):
                    raise PermissionDenied
                change_status(
                    case=found, status=status, note=status_form.cleaned_data["text"], by=request.user
                )
                messages.success(request, _("Status changed."))
                return redirect("services:case", pk=found.pk)
        except ValidationError as error:
            add_errors(status_form if status_form.is_bound else note_form, error, default_field=None)
    events = found.events.select_related("by")
    context = {
        "case": found,
        "events": events,
        "note_form": note_form,
        "status_form": status_form,
        "assign_form": assign_form,
    }
    return render(request, "services/case.html", context, status=400 if request.method == "POST" else 200)


# -- door cards -------------------------------------------------------------------------


@login_required
@permission_required("services.add_doorcard", raise_exception=True)
def door_card(request, pk):
    """The printable card for a household's door, with its QR code; a new card revokes the old."""
    household = get_object_or_404(
        Household.objects.select_related("building").visible_to(request.user), pk=pk
    )
    if request.method == "POST":
        issue_door_card(household=household, by=request.user)
        messages.success(request, _("A new card is ready; the old one no longer works."))
        return redirect("services:door_card", pk=household.pk)
    card = DoorCard.objects.filter(household=household, revoked_at__isnull=True).first()
    qr = None
    if card is not None:
        url = request.build_absolute_uri(reverse("services:help", args=[door_card_token(card)]))
        qr = segno.make(url, error="m").svg_inline(scale=6, title=_("Ask for help"))
    return render(request, "services/door_card.html", {"household": household, "card": card, "qr": qr})


@login_required
@permission_required("services.add_doorcard", raise_exception=True)
def building_door_cards(request, pk):
    """A building's door cards at once: how many doors have one, a button that makes the
    missing ones, and the PDF of them all (?format=pdf), four to an A4 sheet."""
    building = get_object_or_404(GridUnit.objects.visible_to(request.user), pk=pk, level__is_building=True)
    if request.method == "POST":
        issued = issue_missing(building, by=request.user)
        messages.success(
            request,
            ngettext("%(n)s door card made.", "%(n)s door cards made.", issued) % {"n": issued},
        )
        return redirect("services:building_door_cards", pk=building.pk)
    found = doors(building, request.user)
    if request.GET.get("format") == "pdf":
        pdf = sheet_pdf(
            building,
            [door for door in found if door.card is not None],
            lambda token: request.build_absolute_uri(reverse("services:help", args=[token])),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        # The unit's id, not its name: a file name is not a place for words.
        response["Content-Disposition"] = f'attachment; filename="door-cards-{building.pk}.pdf"'
        return response
    with_card = sum(door.card is not None for door in found)
    return render(
        request,
        "services/building_door_cards.html",
        {
            "building": building,
            "doors": found,
            "with_card": with_card,
            "without_card": len(found) - with_card,
        },
    )


_count = count


@never_cache
def help_request(request, token):
    """A resident's help page, opened from the door card's QR code, with no login. It says
    nothing about the household but its room number."""
    card = card_for_token(token)
    if card is None:
        raise Http404
    household = card.household
    kind = request.POST.get("kind") or request.GET.get("kind")
    form = HelpForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST":
        # Anyone who can read the QR code can post here. Every attempt counts against its
        # address, so junk is limited where it comes from; only a request that is sent
        # counts against the card, and past the card's limit it is not refused (valid
        # requests from many addresses would mute the family) but joins the open case.
        attempts = _count(f"help:ip:{client_address(request)}")
        if attempts > HELP_LIMIT_PER_ADDRESS:
            if attempts == HELP_LIMIT_PER_ADDRESS + 1:
                # The first refusal of an address in its hour, not each one after it: a
                # flood would otherwise write the audit log as fast as it is sent.
                record(
                    Action.CREATED,
                    request=request,
                    target=card,
                    outcome=Outcome.REFUSED,
                    detail={
                        "what": "help_request",
                        "reason": "address_limit",
                        "limit": HELP_LIMIT_PER_ADDRESS,
                    },
                )
            context = {"household": household, "limited": True}
            return render(request, "services/help.html", context, status=429)
        if form.is_valid():
            sent = _count(f"help:card:{card.key}")
            ask_for_help(card=card, new_case=sent <= HELP_LIMIT_PER_CARD, **form.cleaned_data)
            return render(request, "services/help.html", {"household": household, "sent": True})
    chosen = kind if kind in HELP_KINDS else None
    context = {
        "household": household,
        "form": form,
        "kinds": [(k, label) for k, (_c, label) in HELP_KINDS.items()],
        "chosen": chosen,
        "chosen_label": HELP_KINDS[chosen][1] if chosen else "",
    }
    return render(request, "services/help.html", context, status=400 if request.method == "POST" else 200)


# -- points -------------------------------------------------------------------------------


@login_required
@permission_required("services.view_pointentry", raise_exception=True)
def points(request, pk):
    """A household's balance and ledger; staff redeem goods, record points, reverse a mistake."""
    household = get_object_or_404(
        Household.objects.select_related("building").visible_to(request.user), pk=pk
    )
    action = request.POST.get("action")
    forms = {
        "redeem": RedeemForm(request.POST if action == "redeem" else None),
        "earn": EarnForm(request.POST if action == "earn" else None),
        "reverse": ReverseForm(request.POST if action == "reverse" else None),
    }
    if request.method == "POST":
        if action not in forms or not request.user.has_perm("services.add_pointentry"):
            raise PermissionDenied
        form = forms[action]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "redeem":
                    entry = redeem(
                        household=household,
                        item=data["item"],
                        quantity=data["quantity"],
                        by=request.user,
                        key=data["key"],
                    )
                    if getattr(entry, "replayed", False):
                        messages.info(request, _("Already redeemed: nothing was spent twice."))
                        return redirect("services:points", pk=household.pk)
                elif action == "earn":
                    earn_points(household=household, by=request.user, **data)
                else:
                    entry_id = request.POST.get("entry", "")
                    if not (entry_id.isascii() and entry_id.isdigit()):
                        raise Http404
                    entry = get_object_or_404(PointEntry, pk=entry_id, household=household)
                    reverse_entry(entry=entry, reason=data["reason"], by=request.user)
            except ValidationError as error:
                add_errors(form, error, default_field=None)
            else:
                messages.success(request, _("Points recorded."))
                return redirect("services:points", pk=household.pk)
    ledger = PointEntry.objects.filter(household=household).select_related("by", "reverses").order_by("-id")
    reversed_ids = set(ledger.filter(reverses__isnull=False).values_list("reverses_id", flat=True))
    context = {
        "household": household,
        "balance": balance(household),
        "ledger": ledger[:100],
        "reversed_ids": reversed_ids,
        "failed": action if request.method == "POST" else None,
        **{f"{name}_form": form for name, form in forms.items()},
    }
    return render(request, "services/points.html", context, status=400 if request.method == "POST" else 200)


# -- the 爱心超市 counter -------------------------------------------------------------------


def _counter_households(user):
    return Household.objects.visible_to(user).select_related("building")


def _posted_pk(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise Http404
    return int(value)


@login_required
@permission_required("services.view_pointentry", raise_exception=True)
def counter(request):
    """The 爱心超市 counter: find a household by its door card or its room, see its balance
    and the goods on offer as buttons; a tap asks "redeem this?", a second tap redeems.

    Everything is POSTed (a search that could name a person stays out of URLs and logs)
    and answered on this page; each step carries the household's number, checked against
    the user's scope every time. The confirmation carries a key, so that a double tap
    redeems once."""
    households = _counter_households(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = CounterLookupForm(request.POST if action == "lookup" else None, households=households)
    context = {"form": form, "household": None, "matches": None, "confirm": None, "redeemed": None}
    status = 200
    if action in ("choose", "redeem") and not request.user.has_perm("services.add_pointentry"):
        raise PermissionDenied
    if action == "lookup":
        household, matches, error = _look_up(form, households)
        if error:
            form.add_error(None, error)
        if form.errors:
            status = 400
        context.update(household=household, matches=matches)
    elif action in ("show", "choose", "redeem"):
        household = get_object_or_404(households, pk=_posted_pk(request, "household"))
        context["household"] = household
        if action != "show":
            item = get_object_or_404(RewardItem, pk=_posted_pk(request, "item"))
            status = _choose_or_redeem(request, action, household, item, context)
    elif action is not None:
        raise Http404
    household = context["household"]
    if household is not None:
        context.update(_household_at_counter(household))
    return render(request, "services/counter.html", context, status=status)


def _look_up(form, households):
    """(the household, several to choose from, or why none): by the card's code, else by
    building and room."""
    if not form.is_valid():
        return None, None, None
    code = form.cleaned_data["code"].strip()
    if code:
        card = card_for_token(token_from_code(code))
        # A revoked card, a forged code and another community's card read the same.
        if card is None or not households.filter(pk=card.household_id).exists():
            return None, None, _("No household in your scope has this door card.")
        return households.get(pk=card.household_id), None, None
    entrance, room = form.cleaned_data["room"]
    found = households.filter(building=form.cleaned_data["building"], room__iexact=room)
    if entrance is not None:
        found = found.filter(entrance=entrance)
    found = list(found.order_by("entrance")[:20])
    if not found:
        return None, None, _("No household lives at this room.")
    if len(found) > 1:
        return None, found, None
    return found[0], None, None


def _choose_or_redeem(request, action, household, item, context) -> int:
    """The first tap (what to confirm) or the second (the redemption); the status code."""
    if action == "choose":
        have = balance(household)
        problem = _why_not(item, have)
        if problem:
            messages.error(request, problem)
            return 400
        context["confirm"] = {"item": item, "key": uuid.uuid4(), "after": have - item.points}
        return 200
    key = request.POST.get("key", "")
    try:
        key = uuid.UUID(key)
    except ValueError:
        messages.error(request, _("The confirmation is missing; tap the item again."))
        return 400
    try:
        entry = redeem(household=household, item=item, quantity=1, by=request.user, key=key)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return 400
    if entry.replayed:
        messages.info(request, _("Already redeemed: %(what)s.") % {"what": entry.reason})
    else:
        messages.success(
            request,
            _("Redeemed %(what)s for %(points)s points.") % {"what": entry.reason, "points": -entry.points},
        )
    context["redeemed"] = entry
    return 200


def _why_not(item: RewardItem, have: int) -> str:
    if not item.is_active:
        return _("%(item)s is not on offer.") % {"item": item.name}
    if item.stock < 1:
        return _("Only %(n)s left in stock.") % {"n": item.stock}
    if item.points > have:
        return _("Not enough points: %(have)s, and this needs %(need)s.") % {
            "have": have,
            "need": item.points,
        }
    return ""


def _household_at_counter(household) -> dict:
    """What the counter shows of a household: its head as the card shows, its balance,
    its last redemptions, and the goods with whether it can have each."""
    from households.models import Member, MemberStatus, Relation

    head = (
        Member.objects.filter(household=household, relation=Relation.HEAD, status=MemberStatus.ACTIVE)
        .values_list("name", flat=True)
        .first()
    )
    have = balance(household)
    items = list(RewardItem.objects.filter(is_active=True).order_by("points", "name"))
    for item in items:
        item.affordable = item.points <= have and item.stock > 0
    recent = list(PointEntry.objects.filter(household=household).order_by("-id")[:5])
    return {"head": head, "balance": have, "items": items, "recent": recent}
