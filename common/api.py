"""What every API endpoint shares: permissions, pagination, strict input, errors, scope.

Each app owns its serializers and viewsets (``<app>/api.py``); the router is in ``config/api.py``.
"""

import datetime

import django_filters
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import IntegrityError
from django.db.models import Count, QuerySet, Window
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import is_valid_path
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, pagination, permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import error_response


class ModelPermissions(permissions.DjangoModelPermissions):
    """The same permissions as the pages and the admin, reading included."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


class IdFirstPaginator(Paginator):
    """Counts, skips and sorts ids only, in one query, then fetches the page's rows by id.

    A deep page of a user's 10,000 households otherwise counted them, then sorted 10,000
    whole rows to keep 50."""

    def page(self, number):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or self.orphans:
            return super().page(number)
        number = self._positive_integer(number)
        bottom = (number - 1) * self.per_page
        if bottom > 2**31:  # past any list's end, and an OFFSET PostgreSQL cannot hold
            return super().page(number)  # the count says there is no such page
        found = list(
            queryset.annotate(rows_in_all=Window(Count("pk"))).values_list("pk", "rows_in_all")[
                bottom : bottom + self.per_page
            ]
        )
        if not found:  # an empty list, or past its end: the count says which
            return super().page(number)
        self.__dict__["count"] = found[0][1]  # Paginator.count, known now without a query
        position = {pk: i for i, (pk, _total) in enumerate(found)}
        rows = sorted(self._by_id(queryset, position), key=lambda row: position[row.pk])
        return self._get_page(rows, number, self)

    @staticmethod
    def _by_id(queryset, ids):
        """The rows with these ids, joined and prefetched as the list asks. By id alone:
        the ids come from the scoped query just run, and PostgreSQL given the scope's
        filter again walked every household in scope to find fifty."""
        # Unordered: the caller puts them in the ids' order. The model's default ordering
        # (a household's by its building's path) joined a table and sorted for nothing.
        if queryset.query.annotations or queryset.query.deferred_loading[0]:
            return queryset.filter(pk__in=ids).order_by()  # what a plain query would not carry over
        rows = queryset.model._default_manager.filter(pk__in=ids).order_by()
        rows.query.select_related = queryset.query.select_related
        return rows.prefetch_related(*queryset._prefetch_related_lookups)

    def _positive_integer(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number


class Pages(pagination.PageNumberPagination):
    """``?page_size=`` from 1 to 200; anything else is a 400 naming it and the range. DRF
    would answer a page of 50 for 0 or -1 and of 200 for 10^9: a client asking for what it
    cannot have is told so, rather than given another page than it asked for."""

    django_paginator_class = IdFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [self._range_message()]})
        return int(raw)

    def _range_message(self) -> str:
        return _("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
                parameter["description"] = _(
                    "Rows per page, from 1 to %(max)s (default %(default)s); outside that range, a 400."
                ) % {"max": self.max_page_size, "default": self.page_size}
        return parameters


class StrictSerializer(serializers.ModelSerializer):
    """Input may hold only the fields a client may write: a server-owned field (a current
    tier, an id, who recorded it, when) or an unknown one is a 400 naming it, never
    silently ignored. A relation to a row in the grid (a household, a unit, a member)
    accepts only those in the user's scope: one outside it is refused like one that does
    not exist."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        for field in fields.values():
            relation = getattr(field, "child_relation", field)
            queryset = getattr(relation, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                # With no request, no user: nothing is in scope.
                relation.queryset = queryset.visible_to(request.user) if request else queryset.none()
        return fields

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
    """Every error the API answers has one shape, ``{"code", "message", "fields"}``, in the
    language the request asked for (``Accept-Language``; Chinese by default): ``code`` is a
    stable word a program can branch on, ``message`` a sentence for a person, ``fields``
    each refused field (or query parameter) with its reasons, rules across fields under
    ``non_field_errors``. A service's ValidationError (the same rules as the forms) and a
    uniqueness rule the database enforced because two requests saved at the same moment
    are 400s naming fields too, not 500s (see ``error_detail``)."""
    if isinstance(exc, DjangoValidationError | IntegrityError):
        exc = ValidationError(error_detail(exc))
    if isinstance(exc, Http404):
        # Django's message names the model, in English whatever the language: DRF's own,
        # translated, says the same.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ParseError):
        # DRF's own message quotes the JSON decoder, in English: the reason, in the
        # caller's language, without echoing what was sent.
        exc = exceptions.ParseError(_("The body is not valid JSON."))
    response = drf_exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc, response.data)
    return response


def error_body(exc, detail) -> dict:
    if isinstance(exc, ValidationError):
        fields = detail if isinstance(detail, dict) else {}
        rules = fields.get(api_settings.NON_FIELD_ERRORS_KEY) or ([] if fields else _flat(detail))
        if rules and not fields:
            fields = {api_settings.NON_FIELD_ERRORS_KEY: rules}
        message = (
            " ".join(str(rule) for rule in rules[:3])
            if rules
            else _("Check the fields named: %(names)s.") % {"names": ", ".join(str(name) for name in fields)}
        )
        return {"code": "invalid", "message": message, "fields": fields}
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        if isinstance(detail, dict) and set(detail) != {"detail"}:
            # An error of another status that names what it refuses (a stale cursor, a 410).
            return {"code": code, "message": " ".join(map(str, _flat(detail)[:3])), "fields": detail}
        message = detail.get("detail", "") if isinstance(detail, dict) else detail
        return {"code": code, "message": str(message), "fields": {}}
    return {"code": "error", "message": str(detail), "fields": {}}


def _flat(detail) -> list:
    if isinstance(detail, list | tuple):
        return [item for part in detail for item in _flat(part)]
    if isinstance(detail, dict):
        return [item for part in detail.values() for item in _flat(part)]
    return [detail]


def not_found(request, *args, **kwargs):
    """A path under /api/ that names no endpoint: a 404 in the API's shape, not the site's
    HTML page, so that a client's typo reads like every other error."""
    with_slash = f"{request.path_info}/"
    if not request.path_info.endswith("/") and is_valid_path(with_slash):
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        message = _("There is no such endpoint: its path ends with a slash (%(path)s).") % {
            "path": with_slash
        }
    else:
        message = _("There is no such endpoint: check the path.")
    return error_response("not_found", message, 404)


def server_error(request):
    """An unexpected error under /api/ as JSON (the site's page elsewhere)."""
    if request.path.startswith("/api/"):
        return error_response("server_error", _("Something went wrong on the server."), 500)
    return defaults.server_error(request)


def error_detail(error: DjangoValidationError | IntegrityError) -> dict:
    """The body of a 400 for an error a service raised: its fields and messages, one that
    names no field (a rule across fields, such as one head per household) under
    ``non_field_errors`` as DRF's own are, and a database constraint in the constraint's
    own words, never the database's, which quotes the value (an ID number)."""
    if isinstance(error, IntegrityError):
        return {api_settings.NON_FIELD_ERRORS_KEY: [_constraint_message(error)]}
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    detail = error.message_dict
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


def _constraint_message(error: IntegrityError) -> str:
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name and hasattr(constraint, "get_violation_error_message"):
                return str(constraint.get_violation_error_message())
    return _("This conflicts with a change saved at the same moment; reload and try again.")


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC: PostgreSQL refuses offsets beyond
    ±15:59 that Python accepts (a fuzzer sends +16:06), so the value is converted first."""

    def filter(self, qs, value):
        if value is not None:
            value = value.astimezone(datetime.UTC)
        return super().filter(qs, value)


class StrictInput(serializers.Serializer):
    """The body of an action that is no model's (a decision, a help request): an unknown
    field is a 400 naming it, as ``StrictSerializer`` refuses it, never silently ignored."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = {name: [_("Unknown field.")] for name in data if name not in self.fields}
            if unknown:
                raise ValidationError(unknown)
        return super().to_internal_value(data)
