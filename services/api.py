"""The API of cases (with their timeline) and the points ledger."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from common.api import DateTimeFilter, ModelPermissions, StrictSerializer
from common.batch import BatchKind, batch_schema, run_batch
from common.sync import ChangeFeed
from common.viewsets import ScopedReadOnlyViewSet
from households.models import Household
from services.cases import open_case, report_problem
from services.forms import ReportForm
from services.models import (
    CaseCategory,
    CaseEvent,
    CaseLevel,
    CaseStatus,
    PointEntry,
    ServiceCase,
    Urgency,
    overdue_on,
)


class CaseEventSerializer(StrictSerializer):
    # Empty where a step changed neither (a note): declared, so that the schema says so.
    status = serializers.ChoiceField(choices=CaseStatus.choices, allow_blank=True, read_only=True)
    level = serializers.ChoiceField(choices=CaseLevel.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "text", "status", "level", "by", "at"]
        read_only_fields = fields


class CaseSerializer(StrictSerializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    category = serializers.ChoiceField(choices=CaseCategory.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    events = CaseEventSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceCase
        fields = [
            "id",
            "household",
            "member",
            "category",
            "description",
            "urgency",
            "status",
            "level",
            "assigned_to",
            "opened_by",
            "opened_at",
            "due_on",
            "due_provisional",
            "events",
        ]
        read_only_fields = [
            "id",
            "member",
            "status",
            "level",
            "assigned_to",
            "opened_by",
            "opened_at",
            "due_on",
            "due_provisional",
            "events",
        ]


class CaseFilter(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=gettext_lazy("open and past its deadline")
    )
    opened_after = DateTimeFilter(field_name="opened_at", lookup_expr="gte")

    class Meta:
        model = ServiceCase
        fields = ["household", "category", "status", "level", "urgency", "assigned_to"]

    def filter_overdue(self, queryset, name, value):
        late = overdue_on(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class CaseViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Cases in scope with their timeline. Opening one sets its deadline from the tier."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["due_on", "opened_at"]
    ordering = ["due_on", "id"]

    queryset = ServiceCase.objects.prefetch_related("events")

    @batch_schema(
        "CaseBatchItem",
        ReportForm,
        example={
            "key": "5d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a",
            "household": 1,
            "category": "dispute",
            "urgency": "normal",
            "description": "楼道灯坏了",
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Up to 500 problems reported offline, each with the client's UUID ``key``, checked
        as the report form checks them: each opens a case (created), was sent before
        (duplicate: nothing new), or is rejected with its reasons."""
        households = Household.objects.visible_to(request.user).select_related("tier", "unit")
        return run_batch(request, REPORTS, households=households)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = open_case(
            household=data["household"],
            category=data["category"],
            description=data.get("description", ""),
            urgency=data["urgency"],
            by=self.request.user,
        )


def _report(data, household, user):
    return report_problem(household=household, by=user, **data)


REPORTS = BatchKind(
    model=ServiceCase,
    author="opened_by",
    form=lambda data, files, household: ReportForm(data, files),
    form_class=ReportForm,
    save=_report,
    same=lambda case, item: str(case.household_id) == str(item.get("household")),
    too_many=gettext_lazy("Send a list of 1 to %(n)s problems."),
)


class PointEntrySerializer(StrictSerializer):
    class Meta:
        model = PointEntry
        fields = [
            "id",
            "household",
            "kind",
            "points",
            "balance",
            "reason",
            "rule",
            "item",
            "quantity",
            "reverses",
            "by",
            "at",
        ]
        read_only_fields = fields


class PointEntryViewSet(ScopedReadOnlyViewSet):
    """The points ledger, read only: entries are written by the pages' services."""

    serializer_class = PointEntrySerializer
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    filterset_fields = ["household", "kind"]
    ordering = ["-id"]

    queryset = PointEntry.objects.all()
