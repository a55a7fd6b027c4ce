"""What every API endpoint shares: permissions, pagination, strict input, errors.

Each app owns its serializers and viewsets (``<app>/api.py``); the router is here.
"""

import datetime

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import pagination, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class ModelPermissions(permissions.DjangoModelPermissions):
    """The same permissions as the pages and the admin, reading included."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


class Pages(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StrictSerializer(serializers.ModelSerializer):
    """Input may hold only the fields a client may write: a server-owned field (a current
    tier, an id, who recorded it, when) or an unknown one is a 400 naming it, never
    silently ignored."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = {}
            for name in data:
                if name in writable:
                    continue
                refused[name] = [
                    _("This field is set by the server.") if name in self.fields else _("Unknown field.")
                ]
            if refused:
                raise ValidationError(refused)
        return super().to_internal_value(data)


def exception_handler(exc, context):
    """A service's ValidationError (the same rules as the forms) as a 400 naming fields."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


def router():
    from rest_framework.routers import DefaultRouter

    from employment import api as employment
    from households import api as households
    from monitoring import api as monitoring
    from services import api as services

    r = DefaultRouter()
    for prefix, viewset in [
        ("units", households.UnitViewSet),
        ("households", households.HouseholdViewSet),
        ("members", households.MemberViewSet),
        ("tier-schemes", monitoring.TierSchemeViewSet),
        ("tiers", monitoring.TierViewSet),
        ("tier-changes", monitoring.TierChangeViewSet),
        ("follow-ups", monitoring.FollowUpViewSet),
        ("visits", monitoring.VisitViewSet),
        ("notifications", monitoring.NotificationViewSet),
        ("cases", services.CaseViewSet),
        ("point-entries", services.PointEntryViewSet),
        ("labour-records", employment.LabourRecordViewSet),
        ("income-records", employment.IncomeRecordViewSet),
        ("warnings", employment.WarningViewSet),
    ]:
        r.register(prefix, viewset, basename=prefix)
    return r


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC: PostgreSQL refuses offsets beyond
    ±15:59 that Python accepts (a fuzzer sends +16:06), so the value is converted first."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)
