"""The API of cases (with their timeline) and the points ledger."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import DateTimeFilter, ModelPermissions, StrictInput, StrictSerializer
from common.batch import MAX_ID, BatchKind, batch_schema, run_batch
from common.sync import ChangeFeed
from common.viewsets import ScopedReadOnlyViewSet
from households.models import Household
from services.cases import open_case, report_problem
from services.door_cards import HELP_KIND_CHOICES, ask_for_help, card_for_token, opens_a_case
from services.forms import HelpForm, ReportForm
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


class HelpRequestSerializer(StrictInput):
    """A resident's request for help, as the door card's page takes it, relayed by a trusted
    system (the residents' app): for the family of a door card, by the code its QR code
    holds, or for a household in the system's scope."""

    door_card = serializers.CharField(
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "the code of the door card's QR code (the end of its /services/help/ address)"
        ),
    )
    household = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=gettext_lazy("a household in your scope")
    )
    kind = serializers.ChoiceField(choices=HELP_KIND_CHOICES, help_text=gettext_lazy("what kind of help"))
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=gettext_lazy("a mobile number to call back"),
    )
    text = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=gettext_lazy("a few words")
    )

    def validate(self, attrs):
        if ("door_card" in attrs) == ("household" in attrs):
            message = _("Give either a door card's code or a household, not both.")
            raise serializers.ValidationError({"door_card": [message], "household": [message]})
        if "door_card" in attrs:
            card = card_for_token(attrs["door_card"]) if "\x00" not in attrs["door_card"] else None
            if card is None:
                raise serializers.ValidationError(
                    {"door_card": [_("No such door card, or one that was replaced.")]}
                )
            attrs["card"] = card
        else:
            user = self.context["request"].user
            household = Household.objects.visible_to(user).filter(pk=attrs["household"]).first()
            if household is None:
                raise serializers.ValidationError({"household": [_("No such household in your scope.")]})
            attrs["household"] = household
        # The page's form: the same rules for the number and the words, in the same words.
        form = HelpForm({name: attrs.get(name, "") for name in ("kind", "phone", "text")})
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [str(message) for message in messages] for field, messages in form.errors.items()}
            )
        attrs.update(form.cleaned_data)
        return attrs


class HelpRequestAnswer(serializers.Serializer):
    case = serializers.IntegerField(help_text=gettext_lazy("the case the request opened or joined"))
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    new_case = serializers.BooleanField(
        help_text=gettext_lazy(
            "false when the request joined the family's open help request as a note (past the hourly limit)"
        )
    )


class MayRequestHelp(permissions.BasePermission):
    """A trusted system's account, given ``services.request_help`` by an administrator."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("services.request_help"))


class HelpRequestViewSet(viewsets.GenericViewSet):
    """Help requests from a trusted system (the residents' app), as the door card's page
    sends them: a case for the family's grid worker, who is told at once; past the card's
    hourly limit (5) the request joins the family's open help request as a note."""

    serializer_class = HelpRequestSerializer
    permission_classes = [permissions.IsAuthenticated, MayRequestHelp]

    @extend_schema(request=HelpRequestSerializer, responses={201: HelpRequestAnswer})
    def create(self, request):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        card, household = data.get("card"), data.get("household")
        limit_key = card.key if card is not None else f"household-{household.pk}"
        new_case = opens_a_case(limit_key)
        before = timezone.now()
        case = ask_for_help(
            card=card,
            household=household,
            kind=data["kind"],
            phone=data["phone"],
            text=data["text"],
            new_case=new_case,
            relayed_by=request.user,
        )
        # Past the limit the request joins the open case, if there is one; else it opens one.
        answer = {"case": case.pk, "status": case.status, "new_case": case.opened_at >= before}
        return Response(HelpRequestAnswer(answer).data, status=status.HTTP_201_CREATED)
