"""The API of grid units, households and members. Every queryset goes through the scope:
a household outside it is a 404, by list, detail, filter or action, and a write naming one
(or a building outside it) is a 400 on that field, as if it did not exist. Writes go
through ``households.services``, validated by the models as the pages are."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, MethodNotAllowed, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from audit import events
from audit.models import Action
from common.api import ModelPermissions, StrictSerializer
from common.fields import MobileNumberField, ResidentIdField
from common.filters import KnownCodeFilter
from common.lean import LeanListSerializer
from common.sync import ChangeFeed
from common.validators import REASON_MAX_LENGTH, normalize_mobile, normalize_resident_id
from common.viewsets import ScopedReadOnlyViewSet
from grids.models import GridUnit, WayfindingSymbol
from households.models import Household, Label, Member, SpecialGroup, mask_id_number
from households.services import add_member, register_household, update_household, update_member
from monitoring.models.tiers import Tier, TierScheme


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
    under = django_filters.CharFilter(
        method="filter_under", label=_("the subtree of the unit with this code")
    )

    class Meta:
        model = GridUnit
        fields = ["code", "depth"]

    def filter_under(self, queryset, name, value):
        root = GridUnit.objects.visible_to(self.request.user).filter(code=value).first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()


class UnitViewSet(ScopedReadOnlyViewSet):
    """Grid units in scope, as a tree: ``path`` orders them, ``parent`` is the path above."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]
    queryset = GridUnit.objects.select_related("level")


class MobileField(serializers.CharField):
    """A mobile number typed the way people type it (+86, spaces, hyphens), stored as 11
    digits as the forms store it; the model's validators check it after that, and their
    messages never repeat it."""

    def to_internal_value(self, data):
        return normalize_mobile(super().to_internal_value(data))


class ResidentIdNumberField(serializers.CharField):
    """Written in full (normalised as the forms do: no spaces, a capital X); read masked,
    as on the pages, by roles that may not see full numbers."""

    def to_internal_value(self, data):
        return normalize_resident_id(super().to_internal_value(data))

    def to_representation(self, value):
        user = self.context["request"].user
        return value if user.has_perm("households.view_id_number") else mask_id_number(value)


# The model's own fields for numbers, with the model's label, help and validators.
FIELDS_AS_TYPED = {
    **serializers.ModelSerializer.serializer_field_mapping,
    MobileNumberField: MobileField,
    ResidentIdField: ResidentIdNumberField,  # and its encrypted subclass
}


class CodeField(serializers.SlugRelatedField):
    """A row by its code. PostgreSQL cannot compare a text holding NUL: such a code is
    refused before it is looked up (a fuzzer sends them; a 500 would be our fault)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class TierReferenceField(serializers.Field):
    """A tier by its id or by its code; a code is looked up in the unit's scheme, once the
    unit is known (see ``HouseholdCreateSerializer.validate``)."""

    default_error_messages = {"invalid": _("Give a tier's id or its code.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).strip():
            self.fail("invalid")
        if isinstance(data, str) and "\x00" in data:  # PostgreSQL cannot compare it
            self.fail("invalid")
        return data.strip() if isinstance(data, str) else data

    def to_representation(self, tier):
        return tier.code


# Written with change-tier only, so that the tier history records who moved it and why.
TIER_BY_ACTION = _(
    "The tier is changed with the household's change-tier action "
    "(POST /api/v1/households/{id}/change-tier/), which records why."
)


class HouseholdSerializer(StrictSerializer):
    """A household as read, and as changed by PUT or PATCH. The tier is not written here."""

    serializer_field_mapping = FIELDS_AS_TYPED
    tier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    labels = CodeField(many=True, queryset=Label.objects.all(), required=False, help_text=_("label codes"))

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
        read_only_fields = ["id", "tier", "tier_changed_at", "created_at", "updated_at"]
        # No unit: the building itself.
        extra_kwargs = {"unit": {"required": False, "allow_null": True}}
        # The model validates (full_clean in the service): an address taken by another
        # active household is told beside the room, as on the pages.
        validators = []
        # A page of the list is serialized lean (common.lean): the same rows, its labels
        # fetched in one query of two columns, by code as a household alone reads them.
        list_serializer_class = LeanListSerializer
        lean_orderings = {"labels": ["code"]}

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except ValidationError as error:
            if isinstance(error.detail, dict) and "tier" in error.detail:
                error.detail["tier"] = [ErrorDetail(str(TIER_BY_ACTION), code="change_tier")]
            raise


class HouseholdCreateSerializer(HouseholdSerializer):
    """A new household: its first tier, with the reason its history opens with. It starts
    active; it moves out with a later change."""

    tier = TierReferenceField(
        write_only=True, help_text=_("the first tier: its id, or its code in the unit's tier scheme")
    )
    tier_reason = serializers.CharField(
        write_only=True,
        max_length=REASON_MAX_LENGTH,
        help_text=_("why this tier: the first entry of the tier history"),
    )

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "tier_reason"]
        read_only_fields = [
            "id",
            "status",
            "moved_out_on",
            "tier_changed_at",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        unit = attrs.get("unit") or attrs["building"]
        attrs["tier"] = _tier(attrs["tier"], unit)
        return attrs


def _tier(reference: int | str, unit: GridUnit) -> Tier:
    tier = None
    if isinstance(reference, str):
        tier = Tier.objects.filter(scheme=TierScheme.objects.in_force_for(unit), code=reference).first()
    if tier is None and (isinstance(reference, int) or (reference.isascii() and reference.isdecimal())):
        # Whether it is of the unit's scheme is the model's to say (Household.clean).
        tier = Tier.objects.filter(pk=int(reference)).first()
    if tier is None:
        raise ValidationError(
            {"tier": [_("No such tier: give a tier's id, or the code of a tier of the unit's scheme.")]}
        )
    return tier


class HouseholdFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(
        method="filter_unit", label=_("households under the unit with this code")
    )
    tier = KnownCodeFilter(field_name="tier__code", label=_("tier code"))
    label = KnownCodeFilter(field_name="labels__code", label=_("label code"))

    class Meta:
        model = Household
        fields = ["status", "number"]

    def filter_unit(self, queryset, name, value):
        root = GridUnit.objects.visible_to(self.request.user).filter(code=value).first()
        return queryset.below(root) if root else queryset.none()


class TierChangeRequest(serializers.Serializer):
    tier = serializers.PrimaryKeyRelatedField(
        queryset=Tier.objects.all(), help_text=_("a tier of the household's scheme")
    )
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class NeverDeleted:
    """Households and members are never deleted: the history is kept, a household moves out
    and a person leaves. DELETE is a 405 for everyone, before permissions are asked (they
    would answer 403, as if someone else might)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


@extend_schema_view(
    create=extend_schema(request=HouseholdCreateSerializer, responses={201: HouseholdSerializer})
)
class HouseholdViewSet(
    NeverDeleted,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedReadOnlyViewSet,
):
    """Households in scope. A new one opens its tier history; its tier changes through
    ``change-tier`` only."""

    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["number", "tier_changed_at", "updated_at"]
    ordering = ["id"]

    def get_queryset(self):
        # Labels by code alone: their default ordering joins two tables per page for nothing.
        queryset = super().get_queryset().select_related("tier")
        if self.action == "list":  # the list serializer fetches a page's labels itself
            return queryset
        labels = Prefetch("labels", queryset=Label.objects.order_by("code"))
        return queryset.prefetch_related(labels)

    def get_serializer_class(self):
        return HouseholdCreateSerializer if self.action == "create" else HouseholdSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        labels, reason = data.pop("labels", []), data.pop("tier_reason")
        household = register_household(
            household=Household(**data), reason=reason, by=request.user, labels=labels
        )
        body = HouseholdSerializer(household, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        labels = changes.pop("labels", None)
        serializer.instance = update_household(
            household=serializer.instance, changes=changes, labels=labels, by=self.request.user
        )

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
    serializer_field_mapping = FIELDS_AS_TYPED
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    special_groups = CodeField(
        many=True,
        queryset=SpecialGroup.objects.all(),
        required=False,
        help_text=_("special group codes"),
    )

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
        read_only_fields = ["id"]
        # The column is longer (it holds ciphertext); the number is 18 characters, as before.
        extra_kwargs = {"id_number": {"max_length": 18}}
        # The model validates (full_clean in the service): one head, one active
        # membership per person, the ID number's check digit, birth date and sex.
        validators = []
        # Lean pages (common.lean); the ID number is masked by its own field, row by row,
        # and the special groups are read from the viewset's prefetch.
        list_serializer_class = LeanListSerializer


class MemberViewSet(
    NeverDeleted,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedReadOnlyViewSet,
):
    """Members of the households in scope. A person is an active member of one household
    at most; one who leaves is recorded as moved out (or deceased), never deleted."""

    serializer_class = MemberSerializer
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    filterset_fields = ["household", "status", "relation", "is_labour_force"]
    ordering_fields = ["name", "birth_date"]
    ordering = ["id"]

    queryset = Member.objects.prefetch_related("special_groups")

    def finalize_response(self, request, response, *args, **kwargs):
        """A response carrying sensitive personal information (PIPL art. 28) is a read to
        record: ONE audit row per response, naming the members in it and the fields, so
        that reading a list costs one INSERT, not fifty. Sensitive here: the full ID
        number (for those who see it) and the special groups (disability, mental health,
        community correction...) of members who have any. Names, birth dates and mobile
        numbers are personal, not sensitive: they are not recorded per read."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if 200 <= response.status_code < 300 and isinstance(getattr(response, "data", None), dict | list):
            rows = (
                response.data.get("results", [response.data])
                if isinstance(response.data, dict)
                else response.data
            )
            rows = [row for row in rows if isinstance(row, dict) and "id" in row]
            grouped = [row["id"] for row in rows if row.get("special_groups")]
            fields, ids = [], grouped
            if rows and request.user.has_perm("households.view_id_number"):
                fields, ids = ["id_number"], [row["id"] for row in rows]
            if grouped:
                fields.append("special_groups")
            if fields:
                events.record(
                    Action.API_READ, request=request, target=Member, ids=ids, detail={"fields": fields}
                )
        return response

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        groups = data.pop("special_groups", [])
        serializer.instance = add_member(member=Member(**data), special_groups=groups, by=self.request.user)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        groups = changes.pop("special_groups", None)
        serializer.instance = update_member(
            member=serializer.instance, changes=changes, special_groups=groups, by=self.request.user
        )
