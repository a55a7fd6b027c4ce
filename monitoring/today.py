"""Today's lists: the households a worker walks to, in the order of the stairs, with their
head's name and room; the filters (building, overdue) and the search by room, number or name."""

import datetime

from django import forms
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from grids.models import GridUnit
from households.models import Household, HouseholdStatus, Member, MemberStatus, Relation
from households.search import find_households
from monitoring.models import FollowUpStatus

WEEK_AHEAD_DAYS = 6
LIST_LIMIT = 200

# The order a worker climbs the stairs in: building by building, stairwell by stairwell,
# floor by floor. Within a household, the oldest follow-up first.
WALKING_ORDER = ["building__path", "entrance", "floor", "room"]


def head_name(household_ref: str):
    """The current head's name, read in the list's own query (one head per household is
    a constraint on Member, so the first row is the only one)."""
    heads = Member.objects.filter(
        household=OuterRef(household_ref), relation=Relation.HEAD, status=MemberStatus.ACTIVE
    )
    return Subquery(heads.values("name")[:1])


class Listing(list):
    """The first rows of a list in walking order, and how many there are in all."""

    total: int


def listing(follow_ups, limit: int) -> Listing:
    # A grid worker has tens; a county leader could have tens of thousands, which no
    # phone should be sent. One query when the list is short, two when it is cut.
    ordered = follow_ups.annotate(head_name=head_name("household_id")).order_by(
        *(f"household__{field}" for field in WALKING_ORDER), "due_on"
    )
    rows = Listing(ordered[: limit + 1])
    rows.total = len(rows) if len(rows) <= limit else follow_ups.count()
    del rows[limit:]
    return rows


def buildings_in_scope(user):
    """The buildings the user's households stand in (a floor head sees one, without being
    in charge of the building itself)."""
    households = Household.objects.visible_to(user).filter(status=HouseholdStatus.ACTIVE)
    return GridUnit.objects.filter(pk__in=households.values("building"))


class TodayFilterForm(forms.Form):
    """Today's filters, in the URL (a building's code and a switch: nothing personal)."""

    building = forms.ModelChoiceField(
        label=_("building"),
        queryset=GridUnit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("all buildings"),
    )
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["building"].queryset = buildings_in_scope(user)
        self.fields["building"].widget.attrs["class"] = "form-select"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"


class TodaySearchForm(forms.Form):
    """POSTed, never in the URL: a head's name is personal."""

    query = forms.CharField(
        label=_("room, household number or head's name"),
        max_length=64,
        help_text=_('As people say it: "2-202", "2栋202", "2栋1单元202", a number or a name.'),
    )


def today_lists(follow_ups, *, day: datetime.date, overdue: bool, limit: int = LIST_LIMIT) -> dict:
    """Due today, missed lately and due this week; when ``overdue``, only the missed ones
    and those still open past their due day (the engine marks them missed at its next run)."""
    follow_ups = follow_ups.filter(household__status=HouseholdStatus.ACTIVE).select_related(
        "household__tier", "household__building"
    )
    missed = listing(follow_ups.missed_lately(day), limit)
    open_ = follow_ups.filter(status=FollowUpStatus.OPEN)
    if overdue:
        nothing = Listing()
        nothing.total = 0
        return {"due": listing(open_.filter(due_on__lt=day), limit), "missed": missed, "week": nothing}
    # A weekly or monthly visit is due on the period's last day, but is walked to on
    # any day of it: the week ahead is listed too, so that Sunday is not a wall of work.
    week_end = day + datetime.timedelta(days=WEEK_AHEAD_DAYS)
    return {
        "due": listing(open_.filter(due_on__lte=day), limit),
        "missed": missed,
        "week": listing(open_.filter(due_on__gt=day, due_on__lte=week_end), limit),
    }


def found_households(request, query: str) -> list[Household]:
    """The households in scope that the query names, in walking order, with their head's
    name; a search by ID or phone number is audited by ``find_households``."""
    ids = [household.pk for household in find_households(request, query)]
    return list(
        Household.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("tier", "building")
        .annotate(head_name=head_name("pk"))
        .order_by(*WALKING_ORDER)
    )
