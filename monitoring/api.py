"""The API of tiers, tier changes, follow-ups, visits (with the offline batch upload) and
the user's notifications."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.api import DateTimeFilter, ModelPermissions, StrictSerializer, error_detail
from common.sync import ChangeFeed
from common.viewsets import ScopedReadOnlyViewSet
from monitoring.followups import RecordedVisit, record_visit
from monitoring.models import (
    FollowUp,
    FollowUpStatus,
    Need,
    Notification,
    Tier,
    TierChange,
    TierScheme,
    Visit,
    VisitMode,
)

BATCH_LIMIT = 500


class TierSchemeSerializer(StrictSerializer):
    class Meta:
        model = TierScheme
        fields = ["id", "code", "name", "description", "is_default"]
        read_only_fields = fields


class TierSerializer(StrictSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Tier
        fields = ["id", "scheme", "code", "name", "colour", "severity", "cadence", "response_working_days"]
        read_only_fields = fields


class TierSchemeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TierScheme.objects.all()
    serializer_class = TierSchemeSerializer
    permission_classes = [ModelPermissions]
    ordering = ["code"]


class TierViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Tier.objects.select_related("scheme")
    serializer_class = TierSerializer
    permission_classes = [ModelPermissions]
    filterset_fields = ["scheme__code", "code"]
    ordering = ["scheme__code", "severity"]


class TierChangeSerializer(StrictSerializer):
    class Meta:
        model = TierChange
        fields = ["id", "household", "from_tier", "to_tier", "reason", "changed_by", "changed_at"]
        read_only_fields = fields


class TierChangeFilter(django_filters.FilterSet):
    changed_after = DateTimeFilter(field_name="changed_at", lookup_expr="gte")
    changed_before = DateTimeFilter(field_name="changed_at", lookup_expr="lt")

    class Meta:
        model = TierChange
        fields = ["household", "to_tier"]


class TierChangeViewSet(ScopedReadOnlyViewSet):
    """The tier history, read only: a change is made with ``households/{id}/change-tier/``."""

    serializer_class = TierChangeSerializer
    filterset_class = TierChangeFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["changed_at"]
    ordering = ["-changed_at", "-id"]

    queryset = TierChange.objects.all()


class FollowUpSerializer(StrictSerializer):
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
            "visit",
            "cancel_reason",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class FollowUpFilter(django_filters.FilterSet):
    due_from = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_to = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("open and past due"))

    class Meta:
        model = FollowUp
        fields = ["household", "status", "assignee"]

    def filter_overdue(self, queryset, name, value):
        late = {"status": FollowUpStatus.OPEN, "due_on__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class FollowUpViewSet(ScopedReadOnlyViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["due_on"]
    ordering = ["due_on", "id"]

    queryset = FollowUp.objects.all()


class VisitSerializer(StrictSerializer):
    household = serializers.PrimaryKeyRelatedField(
        queryset=Visit._meta.get_field("household").related_model.objects
    )
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), required=False)
    key = serializers.UUIDField(
        required=False, help_text=gettext_lazy("Set by the client: sending it again records nothing new.")
    )
    mode = serializers.ChoiceField(choices=VisitMode.choices, default=VisitMode.DOOR)

    class Meta:
        model = Visit
        fields = [
            "id",
            "household",
            "visited_by",
            "visited_at",
            "mode",
            "notes",
            "needs",
            "key",
            "created_at",
        ]
        read_only_fields = ["id", "visited_by", "created_at"]


class VisitFilter(django_filters.FilterSet):
    visited_after = DateTimeFilter(field_name="visited_at", lookup_expr="gte")
    visited_before = DateTimeFilter(field_name="visited_at", lookup_expr="lt")

    class Meta:
        model = Visit
        fields = ["household", "visited_by", "mode"]


def _record(serializer, user) -> RecordedVisit:
    data = serializer.validated_data
    return record_visit(
        household=data["household"],
        by=user,
        visited_at=data["visited_at"],
        mode=data["mode"],
        notes=data.get("notes", ""),
        needs=data.get("needs", []),
        key=data.get("key"),
    )


class VisitViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Visits in scope. Recording one closes the follow-up of its period, as on the phone."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    permission_classes = [ModelPermissions]
    pagination_class = ChangeFeed  # ?cursor= for what changed since
    ordering_fields = ["visited_at"]
    ordering = ["-visited_at", "-id"]
    replayed = False

    queryset = Visit.objects.all()

    def create(self, request, *args, **kwargs):
        """The same ``key`` sent again (a retry after a lost answer, a double tap) answers as
        the first did: 201 with the visit it saved, marked ``Idempotent-Replayed: true``."""
        response = super().create(request, *args, **kwargs)
        if self.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance, created = _record(serializer, self.request.user)
        self.replayed = not created

    @extend_schema(
        request=VisitSerializer(many=True),
        responses={
            200: inline_serializer(
                "BatchResult",
                {
                    "results": serializers.ListField(
                        child=inline_serializer(
                            "BatchItem",
                            {
                                "key": serializers.CharField(allow_null=True),
                                "status": serializers.ChoiceField(["created", "duplicate", "rejected"]),
                                "id": serializers.IntegerField(required=False),
                                "errors": serializers.DictField(required=False),
                            },
                        )
                    )
                },
            )
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Up to 500 visits recorded offline, each with the client's UUID ``key``: each one is
        created, a duplicate (sent before: nothing new), or rejected with its reasons; a
        visit is never half-saved, and the others go in whatever one of them does."""
        items = request.data
        if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
            return Response(
                {"non_field_errors": [_("Send a list of 1 to %(n)s visits.") % {"n": BATCH_LIMIT}]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        results = []
        for item in items:
            key = item.get("key") if isinstance(item, dict) else None
            key = key if isinstance(key, str) else None  # echoed back: only as sent, a string
            if not key:
                results.append(
                    {"key": None, "status": "rejected", "errors": {"key": [_("Required for a batch.")]}}
                )
                continue
            # A key names a visit of its own author's; sent again for the same household it
            # is answered at once, even if the visit would no longer pass (moved out since).
            mine = Visit.objects.filter(visited_by=request.user)
            earlier = mine.filter(key=key).first() if _is_uuid(key) else None
            sent_at = parse_datetime(str(item.get("visited_at"))) if item.get("visited_at") else None
            if earlier is not None and (str(earlier.household_id), earlier.visited_at) == (
                str(item.get("household")),
                sent_at,
            ):
                visible = self.get_queryset().filter(pk=earlier.pk).exists()
                results.append({"key": key, "status": "duplicate", **({"id": earlier.pk} if visible else {})})
                continue
            serializer = self.get_serializer(data=item)
            if not serializer.is_valid():
                results.append({"key": key, "status": "rejected", "errors": serializer.errors})
                continue
            try:
                with transaction.atomic():
                    visit, created = _record(serializer, request.user)
            except (DjangoValidationError, IntegrityError) as error:
                results.append({"key": key, "status": "rejected", "errors": error_detail(error)})
            else:
                # Not created: the same key in another batch at the same moment saved it.
                results.append({"key": key, "status": "created" if created else "duplicate", "id": visit.pk})
        return Response({"results": results})


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class NotificationSerializer(StrictSerializer):
    about_type = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "What the notification is about, when not a follow-up or a proposal, as app_label.model."
        )
    )
    about_id = serializers.IntegerField(
        source="object_id", read_only=True, allow_null=True, help_text=gettext_lazy("Its id.")
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "household",
            "follow_up",
            "proposal",
            "about_type",
            "about_id",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_about_type(self, notification) -> str | None:
        if notification.content_type_id is None:
            return None
        content_type = ContentType.objects.get_for_id(notification.content_type_id)  # cached
        return f"{content_type.app_label}.{content_type.model}"


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The user's own notifications."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn with no user
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)
