"""The API of labour records, income records and warnings (read only: they are written
through the pages' services, which run the rules)."""

from rest_framework import viewsets

from config.api import ModelPermissions, StrictSerializer
from employment.models import IncomeRecord, LabourRecord, Warning
from grids.scope import households_in_scope


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


class LabourRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LabourRecordSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["member", "status", "member__household"]
    ordering = ["member", "-starts_on"]

    def get_queryset(self):
        return LabourRecord.objects.filter(member__household__in=households_in_scope(self.request.user))


class IncomeRecordSerializer(StrictSerializer):
    class Meta:
        model = IncomeRecord
        fields = ["id", "household", "year", "per_capita", "source", "recorded_by", "recorded_at"]
        read_only_fields = fields


class IncomeRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IncomeRecordSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["household", "year", "source"]
    ordering = ["household", "-year", "-recorded_at"]

    def get_queryset(self):
        return IncomeRecord.objects.filter(household__in=households_in_scope(self.request.user))


class WarningSerializer(StrictSerializer):
    class Meta:
        model = Warning
        fields = ["id", "household", "member", "kind", "raised_at", "cleared_at", "proposal"]
        read_only_fields = fields


class WarningViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WarningSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["household", "kind"]
    ordering = ["-raised_at"]

    def get_queryset(self):
        return Warning.objects.filter(household__in=households_in_scope(self.request.user))
