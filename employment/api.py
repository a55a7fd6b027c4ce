"""The API of labour records and income records (read only: they are written through the
pages' services, which run the rules) and warnings (the rules', read only, and those
another system raises and clears)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.api import ModelPermissions, StrictSerializer
from common.sync import ChangeFeed
from common.validators import REASON_MAX_LENGTH
from common.viewsets import ScopedReadOnlyViewSet
from employment.models import EmploymentWarning, IncomeRecord, LabourRecord
from employment.services import clear_reported_warning, raise_reported_warning
from households.models import Household, Member


class LabourRecordSerializer(StrictSerializer):
    class Meta:
        model = LabourRecord
        fields = [
            "id",
            "member",
            "status",
            "province",
            "city",
            "workshop",
            "post",
            "employer",
            "monthly_income",
            "starts_on",
            "ends_on",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class LabourRecordViewSet(ScopedReadOnlyViewSet):
    serializer_class = LabourRecordSerializer
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    filterset_fields = ["member", "status", "member__household"]
    ordering = ["member", "-starts_on"]

    queryset = LabourRecord.objects.all()


class IncomeRecordSerializer(StrictSerializer):
    class Meta:
        model = IncomeRecord
        fields = ["id", "household", "year", "per_capita", "source", "recorded_by", "recorded_at"]
        read_only_fields = fields


class IncomeRecordViewSet(ScopedReadOnlyViewSet):
    serializer_class = IncomeRecordSerializer
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    filterset_fields = ["household", "year", "source"]
    ordering = ["household", "-year", "-recorded_at"]

    queryset = IncomeRecord.objects.all()


class WarningSerializer(StrictSerializer):
    class Meta:
        model = EmploymentWarning
        fields = [
            "id",
            "household",
            "member",
            "kind",
            "raised_at",
            "cleared_at",
            "proposal",
            "source",
            "note",
        ]
        read_only_fields = fields


class WarningCreateSerializer(StrictSerializer):
    """A warning another system raises: on a household in its scope (or one of its members),
    naming the system and what it found."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True
    )
    source = serializers.CharField(
        max_length=64, help_text=_("the system raising it, by name (e.g. 县防返贫监测平台)")
    )
    note = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text=_("what it found"))

    class Meta:
        model = EmploymentWarning
        fields = ["household", "member", "source", "note"]
        validators = []  # the model's constraints answer in their own words (common.api)

    def validate(self, attrs):
        member = attrs.get("member")
        if member is not None and member.household_id != attrs["household"].pk:
            raise serializers.ValidationError(
                {"member": [_("This person is not a member of this household.")]}
            )
        return attrs


class WarningFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="cleared_at", lookup_expr="isnull", label=_("not cleared"))

    class Meta:
        model = EmploymentWarning
        fields = ["household", "kind", "source"]


@extend_schema_view(create=extend_schema(request=WarningCreateSerializer, responses={201: WarningSerializer}))
class WarningViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Warnings in scope: the rules' (raised and cleared by the nightly run) and other
    systems' (``kind`` ``reported``, raised with ``POST`` and cleared with ``clear`` by an
    account with ``employment.add_employmentwarning``)."""

    serializer_class = WarningSerializer
    filterset_class = WarningFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering = ["-raised_at"]

    queryset = EmploymentWarning.objects.all()

    def create(self, request, *args, **kwargs):
        body = WarningCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        warning = raise_reported_warning(**body.validated_data)
        answer = WarningSerializer(warning, context=self.get_serializer_context()).data
        return Response(answer, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: WarningSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def clear(self, request, pk=None):
        """Clear a warning another system raised, once what it found no longer holds."""
        warning = self.get_object()  # out of scope: 404 first
        if not request.user.has_perm("employment.add_employmentwarning"):
            self.permission_denied(request)
        warning = clear_reported_warning(warning=warning)
        return Response(WarningSerializer(warning, context=self.get_serializer_context()).data)
