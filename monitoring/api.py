"""The API of tiers, tier changes, follow-ups, visits and tier proposals (with the phone
outbox's batches, ``common.batch``) and the user's notifications."""

import uuid

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.api import DateTimeFilter, ModelPermissions, StrictInput, StrictSerializer
from common.batch import MAX_ID, BatchKind, batch_schema, run_batch
from common.sync import ChangeFeed
from common.validators import REASON_MAX_LENGTH
from common.viewsets import ScopedReadOnlyViewSet, ScopedViewSet
from households.models import Household
from monitoring.followups import RecordedVisit, household_error, record_visit
from monitoring.forms import DecisionForm, ProposalForm, VisitForm
from monitoring.models import (
    FollowUp,
    FollowUpStatus,
    Need,
    Notification,
    Tier,
    TierChange,
    TierProposal,
    TierScheme,
    Visit,
    VisitMode,
)
from monitoring.services import approve_proposal, record_visit_from_form, reject_proposal, send_proposal


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

    @batch_schema(
        "VisitBatchItem",
        VisitForm,
        example={
            "key": "3f2b8c1e-7d4a-4b9e-9c1f-0a6d5e4b3c2a",
            "household": 1,
            "visited_at": "2026-11-25T10:00:00+08:00",
            "mode": "door",
            "notes": "",
            "needs": [],
        },
        defaulted=["mode"],
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, MultiPartParser])
    def batch(self, request):
        """Up to 500 visits recorded offline, each with the client's UUID ``key``, checked as
        the visit form checks them (a tier proposal made at the door included). JSON, or
        ``multipart/form-data`` with the list in ``items`` and each visit's photo as the file
        ``photo-<key>``; ``photo_taken_at`` is the photo's time on the phone."""
        return run_batch(request, VISITS, households=_households_in_scope(request.user))


def _households_in_scope(user):
    # What the forms read of a household, joined: the batch reads them all in one query.
    return Household.objects.visible_to(user).select_related("tier", "unit", "building")


def _save_visit(data, household, user):
    return record_visit_from_form(data, household=household, by=user)


def _sent_at(item):
    try:
        return parse_datetime(str(item.get("visited_at")))
    except ValueError:
        return None


def _with_default_mode(data, files, household):
    # A phone that sends no mode means the usual one, as the form's first choice does.
    return VisitForm({"mode": VisitMode.DOOR, **data}, files, household=household)


VISITS = BatchKind(
    model=Visit,
    author="visited_by",
    form=_with_default_mode,
    form_class=VisitForm,
    save=_save_visit,
    # The same key for the same household and time; another visit with it is refused.
    same=lambda visit, item: (
        (str(visit.household_id), visit.visited_at) == (str(item.get("household")), _sent_at(item))
    ),
    too_many=gettext_lazy("Send a list of 1 to %(n)s visits."),
    household_error=household_error,
)


def _send_proposal(data, household, user):
    return send_proposal(
        household=household, tier=data["tier"], reason=data["reason"], by=user, key=data["key"]
    )


PROPOSALS = BatchKind(
    model=TierProposal,
    author="proposed_by",
    form=lambda data, files, household: ProposalForm(data, files, household=household),
    form_class=ProposalForm,
    save=_send_proposal,
    same=lambda proposal, item: str(proposal.household_id) == str(item.get("household")),
    too_many=gettext_lazy("Send a list of 1 to %(n)s proposals."),
)


class TierProposalSerializer(StrictSerializer):
    class Meta:
        model = TierProposal
        fields = [
            "id",
            "household",
            "from_tier",
            "to_tier",
            "reason",
            "proposed_by",
            "proposed_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "tier_change",
        ]
        read_only_fields = fields


class TierProposalCreateSerializer(StrictSerializer):
    """A proposal as the proposal page takes it: checked by its form (``ProposalForm``)."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    tier = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=gettext_lazy("the proposed tier: a tier of the household's scheme"),
    )
    reason = serializers.CharField(help_text=gettext_lazy("why the tier should change"))
    key = serializers.UUIDField(
        required=False, help_text=gettext_lazy("Set by the client: sending it again records nothing new.")
    )

    class Meta:
        model = TierProposal
        fields = ["household", "tier", "reason", "key"]

    def validate(self, attrs):
        household = attrs["household"]
        form = ProposalForm(
            {"tier": attrs["tier"], "reason": attrs["reason"], "key": attrs.get("key") or uuid.uuid4()},
            household=household,
        )
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        return {"household": household, **form.cleaned_data}


def _form_errors(form) -> dict:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


class DecisionSerializer(StrictInput):
    decision = serializers.ChoiceField(choices=[DecisionForm.APPROVE, DecisionForm.REJECT])
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("Needed to reject: the proposer will see it."),
    )


class TierProposalFilter(django_filters.FilterSet):
    proposed_after = DateTimeFilter(field_name="proposed_at", lookup_expr="gte")

    class Meta:
        model = TierProposal
        fields = ["household", "status", "proposed_by"]


@extend_schema_view(
    create=extend_schema(request=TierProposalCreateSerializer, responses={201: TierProposalSerializer}),
)
class TierProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Tier proposals in scope: a grid worker (or another system) proposes, community staff
    decide, with the permissions of the pages (``add_tierproposal``, ``decide_tierproposal``);
    an approval changes the tier through ``change_tier``."""

    queryset = TierProposal.objects.all()
    serializer_class = TierProposalSerializer
    filterset_class = TierProposalFilter
    permission_classes = [ModelPermissions]
    ordering_fields = ["proposed_at"]
    ordering = ["-proposed_at", "-id"]

    def create(self, request, *args, **kwargs):
        """Propose a tier, as the proposal page does. The same ``key`` sent again answers as
        the first did (201, ``Idempotent-Replayed: true``) and records nothing new."""
        body = TierProposalCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        proposal, created = send_proposal(
            household=data["household"],
            tier=data["tier"],
            reason=data["reason"],
            by=request.user,
            key=data["key"],
        )
        headers = {} if created else {"Idempotent-Replayed": "true"}
        answer = TierProposalSerializer(proposal, context=self.get_serializer_context()).data
        return Response(answer, status=status.HTTP_201_CREATED, headers=headers)

    @extend_schema(request=DecisionSerializer, responses={200: TierProposalSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def decide(self, request, pk=None):
        """Approve (the tier changes, with the proposer's reason) or reject (with a reason the
        proposer sees) a pending proposal; a decided one is refused."""
        proposal = self.get_object()  # out of scope: 404 before anything else
        if not request.user.has_perm("monitoring.decide_tierproposal"):
            self.permission_denied(request)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision, reason = body.validated_data["decision"], body.validated_data.get("reason", "")
        if decision == DecisionForm.APPROVE:
            proposal = approve_proposal(proposal=proposal, by=request.user, note=reason)
        else:
            proposal = reject_proposal(proposal=proposal, by=request.user, reason=reason)
        return Response(TierProposalSerializer(proposal, context=self.get_serializer_context()).data)

    @batch_schema(
        "ProposalBatchItem",
        ProposalForm,
        example={
            "key": "9a7c3e1b-2d4f-4a6b-8c0d-1e2f3a4b5c6d",
            "household": 1,
            "tier": 1,
            "reason": "老人住院",
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Up to 500 proposals made offline, each with the client's UUID ``key``, checked as
        the proposal form checks them: each created, a duplicate, or rejected with its reasons."""
        return run_batch(request, PROPOSALS, households=_households_in_scope(request.user))


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
