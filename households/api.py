"""The API of grid units, households and members. Every queryset goes through the scope:
a household outside it is a 404, by list, detail, filter or action."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api import ModelPermissions, StrictSerializer
from grids.models import GridUnit, WayfindingSymbol
from grids.scope import households_in_scope, units_in_scope
from households.models import Household, Member, mask_id_number
from monitoring.models import Tier


class UnitSerializer(StrictSerializer):
    level = serializers.CharField(source="level.name", read_only=True)
    symbol = serializers.ChoiceField(choices=WayfindingSymbol.choices, allow_blank=True, read_only=True)
    parent = serializers.SerializerMethodField()

    class Meta:
        model = GridUnit
        fields = ["id", "code", "name", "level", "depth", "path", "parent", "symbol"]
        read_only_fields = fields

    def get_parent(self, unit) -> str | None:
        return unit.path[: -GridUnit.steplen] or None


class UnitFilter(django_filters.FilterSet):
    under = django_filters.CharFilter(method="filter_under", label="the subtree of the unit with this code")

    class Meta:
        model = GridUnit
        fields = ["code", "depth"]

    def filter_under(self, queryset, name, value):
        root = units_in_scope(self.request.user).filter(code=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Grid units in scope, as a tree: ``path`` orders them, ``parent`` is the path above."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    permission_classes = [ModelPermissions]
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]

    def get_queryset(self):
        return units_in_scope(self.request.user).select_related("level")


class HouseholdSerializer(StrictSerializer):
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    labels = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "building",
            "unit",
            "entrance",
            "floor",
            "room",
            "origin_county",
            "origin_township",
            "origin_village",
            "relocated_on",
            "phone",
            "status",
            "moved_out_on",
            "tier",
            "tier_changed_at",
            "labels",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class HouseholdFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(method="filter_unit", label="households under the unit with this code")
    tier = django_filters.CharFilter(field_name="tier__code", label="tier code")
    label = django_filters.CharFilter(field_name="labels__code", label="label code")

    class Meta:
        model = Household
        fields = ["status", "number"]

    def filter_unit(self, queryset, name, value):
        root = units_in_scope(self.request.user).filter(code=value).first()
        return queryset.filter(unit__path__startswith=root.path) if root else queryset.none()


class TierChangeRequest(serializers.Serializer):
    tier = serializers.PrimaryKeyRelatedField(
        queryset=Tier.objects.all(), help_text="a tier of the household's scheme"
    )
    reason = serializers.CharField()


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Households in scope. Their tier changes through ``change-tier`` only."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    permission_classes = [ModelPermissions]
    ordering_fields = ["number", "tier_changed_at", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        return households_in_scope(self.request.user).select_related("tier").prefetch_related("labels")

    @extend_schema(request=TierChangeRequest, responses={200: HouseholdSerializer})
    @action(detail=True, methods=["post"], url_path="change-tier", permission_classes=[IsAuthenticated])
    def change_tier(self, request, pk=None):
        """Move the household to another tier of its scheme, with a reason (the history keeps it)."""
        from monitoring.services import change_tier

        household = self.get_object()  # out of scope: 404 before anything else
        if not request.user.has_perm("monitoring.add_tierchange"):
            self.permission_denied(request)
        body = TierChangeRequest(data=request.data)
        body.is_valid(raise_exception=True)
        change_tier(household=household, by=request.user, **body.validated_data)
        household.refresh_from_db()
        return Response(HouseholdSerializer(household).data)


class MemberSerializer(StrictSerializer):
    id_number = serializers.SerializerMethodField()
    special_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "household",
            "name",
            "relation",
            "sex",
            "ethnicity",
            "birth_date",
            "id_number",
            "mobile",
            "is_labour_force",
            "special_groups",
            "status",
            "left_on",
        ]
        read_only_fields = fields

    def get_id_number(self, member) -> str:
        # Masked, as on the pages, for roles that may not see full numbers.
        user = self.context["request"].user
        return (
            member.id_number
            if user.has_perm("households.view_id_number")
            else mask_id_number(member.id_number)
        )


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["household", "status", "relation", "is_labour_force"]
    ordering_fields = ["name", "birth_date"]
    ordering = ["id"]

    def get_queryset(self):
        return Member.objects.filter(household__in=households_in_scope(self.request.user)).prefetch_related(
            "special_groups"
        )
