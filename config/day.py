"""``/api/v1/me/day/``: a grid worker's day in one answer, for an offline phone or another
system's worker app: what Today shows (due, missed lately, the week ahead), the cases
assigned to the caller, and the households behind them, each once. Built here, on the top
floor, because it reads three apps (monitoring's follow-ups, households, services' cases)
and no lower one may import services.

What it sends is never more than the lists it replaces send the same user: the scope is
the querysets' (``visible_to``), each part needs the permission of its list, and the
household fields are the list's, fewer of them (the phone as the list and the card show it:
the worker calls the families on it)."""

import datetime

from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from common.concurrency import etag
from common.filters import refuse_unknown_parameters
from monitoring.models import FollowUp, FollowUpStatus
from monitoring.today import LIST_LIMIT, listing, today_lists
from services.models import ACTIVE_STATUSES, ServiceCase

FOLLOW_UPS = "monitoring.view_followup"
HOUSEHOLDS = "households.view_household"
MEMBERS = "households.view_member"  # the head's name is a member's
CASES = "services.view_servicecase"


class SeesFollowUpsAndHouseholds(BasePermission):
    """The two lists a day is made of; without either, a 403 as they would answer."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perms([FOLLOW_UPS, HOUSEHOLDS]))


class DayFollowUpSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code", help_text=_("the tier the visit is owed for"))
    overdue = serializers.SerializerMethodField(help_text=_("open and past its due day"))

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "household",
            "tier",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "assignee",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, follow_up) -> bool:
        return follow_up.status == FollowUpStatus.OPEN and follow_up.due_on < self.context["day"]


class DayCaseSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField(help_text=_("still open and past its deadline"))

    class Meta:
        model = ServiceCase
        fields = [
            "id",
            "household",
            "category",
            "description",
            "urgency",
            "status",
            "level",
            "opened_at",
            "due_on",
            "due_provisional",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, case) -> bool:
        return case.due_on < self.context["day"]  # only open ones are listed


class DayHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text=_("the household's number, as the households list gives it"))
    building = serializers.IntegerField(source="building_id")
    building_name = serializers.CharField(source="building.name")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    entrance = serializers.IntegerField(help_text=_("the stairwell (单元)"))
    floor = serializers.IntegerField()
    room = serializers.CharField()
    tier = serializers.CharField(source="tier.code")
    status = serializers.CharField()
    head_name = serializers.CharField(
        allow_null=True, help_text=_("the head's name; null without the permission to see members")
    )
    phone = serializers.CharField(help_text=_("the contact phone"))


class DayCountsSerializer(serializers.Serializer):
    due = serializers.IntegerField(help_text=_("follow-ups due today or before, still open"))
    overdue = serializers.IntegerField(help_text=_("of those, due before today"))
    missed = serializers.IntegerField(help_text=_("missed this week, with no visit since"))
    week = serializers.IntegerField(help_text=_("due in the six days after today"))
    cases = serializers.IntegerField(help_text=_("open cases assigned to the caller"))
    cases_overdue = serializers.IntegerField(help_text=_("of those, past their deadline"))
    households = serializers.IntegerField(help_text=_("households in this answer"))


class DaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text=_("the day, in the settlement's time zone"))
    limit = serializers.IntegerField(
        help_text=_("each list's first rows at most; counts tell how many there are in all")
    )
    counts = DayCountsSerializer()
    due = DayFollowUpSerializer(
        many=True, help_text=_("open follow-ups due today or before, in walking order")
    )
    missed = DayFollowUpSerializer(many=True, help_text=_("follow-ups missed this week, not made good"))
    week = DayFollowUpSerializer(many=True, help_text=_("open follow-ups due in the six days after today"))
    cases = DayCaseSerializer(
        many=True, help_text=_("open cases assigned to the caller; empty without the permission to see cases")
    )
    households = DayHouseholdSerializer(
        many=True, help_text=_("each household the lists name, once, in walking order")
    )


EXAMPLE = {
    "date": "2026-11-25",
    "limit": LIST_LIMIT,
    "counts": {
        "due": 1,
        "overdue": 0,
        "missed": 0,
        "week": 0,
        "cases": 1,
        "cases_overdue": 0,
        "households": 1,
    },
    "due": [
        {
            "id": 41,
            "household": 7,
            "tier": "red",
            "period_start": "2026-11-25",
            "period_end": "2026-11-25",
            "due_on": "2026-11-25",
            "status": "open",
            "assignee": 3,
            "overdue": False,
        }
    ],
    "missed": [],
    "week": [],
    "cases": [
        {
            "id": 5,
            "household": 7,
            "category": "dispute",
            "description": "楼道灯坏了",
            "urgency": "normal",
            "status": "open",
            "level": "building",
            "opened_at": "2026-11-24T09:30:00+08:00",
            "due_on": "2026-11-27",
            "due_provisional": False,
            "overdue": False,
        }
    ],
    "households": [
        {
            "id": 7,
            "number": "HH-000007",
            "building": 12,
            "building_name": "1栋",
            "unit": 13,
            "entrance": 1,
            "floor": 2,
            "room": "201",
            "tier": "red",
            "status": "active",
            "head_name": "王小红",
            "phone": "139****5678",
        }
    ],
}


class DayView(APIView):
    """The caller's working day, today (Asia/Shanghai), in one answer: what the Today page
    lists (open follow-ups due today or before, those missed this week, those due in the
    week ahead), the open cases assigned to the caller, and each household these name, once,
    with what a worker needs at the door. Scoped as every list is: staff get their whole
    scope, as on Today, each list cut at ``limit`` rows (``counts`` has the totals). A
    user with no assignment gets an empty day. The ETag changes with any of it: sent back
    in If-None-Match, an unchanged day is a 304 with no body."""

    permission_classes = [SeesFollowUpsAndHouseholds]
    filter_backends = []  # nothing to filter: every query parameter is refused

    @extend_schema(
        operation_id="me_day_retrieve",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="The ETag of the day as last read: a 304 with no body if nothing changed.",
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description="The day's entity tag, for If-None-Match.",
            ),
        ],
        responses={
            200: OpenApiResponse(
                DaySerializer,
                description="The day.",
                examples=[OpenApiExample("A worker's day", value=EXAMPLE)],
            ),
            304: OpenApiResponse(description="Unchanged since the ETag given in If-None-Match."),
        },
    )
    def get(self, request):
        refuse_unknown_parameters(request, self)
        day = timezone.localdate()
        body = day_of(request.user, day)
        tag = etag(body)
        unchanged = get_conditional_response(request._request, etag=tag)
        if unchanged is not None:  # a 304 (Django's own comparison: a weakened tag matches)
            unchanged["ETag"] = tag
            return unchanged
        return Response(body, headers={"ETag": tag})


def day_of(user, day: datetime.date) -> dict:
    """The day's answer, in a fixed number of queries whatever the size of the scope: one
    per list (two when it is cut), one for the cases, none per household."""
    follow_ups = FollowUp.objects.visible_to(user, on=day).select_related("tier")
    lists = today_lists(follow_ups, day=day, overdue=False, limit=LIST_LIMIT)
    cases = _cases(user, day)
    context = {"day": day}
    rows = [*lists["due"], *lists["missed"], *lists["week"], *cases]
    households = _households(rows, names=user.has_perm(MEMBERS))
    due = lists["due"]
    overdue = sum(f.due_on < day for f in due)
    if due.total > len(due):  # cut: the rest counted in the database
        overdue = follow_ups.filter(status=FollowUpStatus.OPEN, due_on__lt=day).count()
    return {
        "date": day,
        "limit": LIST_LIMIT,
        "counts": {
            "due": due.total,
            "overdue": overdue,
            "missed": lists["missed"].total,
            "week": lists["week"].total,
            "cases": cases.total,
            "cases_overdue": cases.overdue,
            "households": len(households),
        },
        "due": DayFollowUpSerializer(due, many=True, context=context).data,
        "missed": DayFollowUpSerializer(lists["missed"], many=True, context=context).data,
        "week": DayFollowUpSerializer(lists["week"], many=True, context=context).data,
        "cases": DayCaseSerializer(cases, many=True, context=context).data,
        "households": DayHouseholdSerializer(households, many=True).data,
    }


def _cases(user, day: datetime.date):
    if not user.has_perm(CASES):
        cases = []
        total = overdue = 0
    else:
        mine = (
            ServiceCase.objects.visible_to(user, on=day)
            .filter(assigned_to=user, status__in=ACTIVE_STATUSES)
            .select_related("household__tier", "household__building")
        )
        cases = listing(mine, LIST_LIMIT)
        total = cases.total
        overdue = sum(case.due_on < day for case in cases)
        if total > len(cases):
            overdue = mine.filter(due_on__lt=day).count()
    result = _Rows(cases)
    result.total, result.overdue = total, overdue
    return result


class _Rows(list):
    total: int
    overdue: int


def _households(rows, *, names: bool) -> list:
    """Each household the rows name, once, in walking order, with its head's name (read in
    the rows' own query)."""
    seen = {}
    for row in rows:
        household = row.household
        if household.pk not in seen:
            household.head_name = row.head_name if names else None
            seen[household.pk] = household
    return sorted(seen.values(), key=_walking_key)


def _walking_key(household):
    # WALKING_ORDER, read from the rows: building, stairwell, floor, room.
    return (household.building.path, household.entrance, household.floor, household.room)
