"""The API of labour records, income records and warnings (read only: they are written
through the pages' services, which run the rules)."""

from common.api import ModelPermissions, StrictSerializer
from common.sync import ChangeFeed
from common.viewsets import ScopedReadOnlyViewSet
from employment.models import EmploymentWarning, IncomeRecord, LabourRecord


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
        fields = ["id", "household", "member", "kind", "raised_at", "cleared_at", "proposal"]
        read_only_fields = fields


class WarningViewSet(ScopedReadOnlyViewSet):
    serializer_class = WarningSerializer
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    filterset_fields = ["household", "kind"]
    ordering = ["-raised_at"]

    queryset = EmploymentWarning.objects.all()
