from django.utils.translation import gettext as _
from django_filters import filters as django_filters_filters
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

# Parameters every endpoint understands whatever it lists: DRF's format override.
_ALWAYS = {"format"}
_TRUE_FALSE = {"true", "false", "1", "0"}


class ScopedFilterBackend(DjangoFilterBackend):
    """A list filtered by a household, a member or a unit offers, and accepts, only those
    in the user's scope: the browsable API's form listed every household and resident of
    the county by name, and an id outside the scope answered an empty page where one that
    does not exist answered a 400, which told the two apart.

    A query parameter the endpoint does not know, or a yes/no filter given anything but
    ``true``/``false``/``1``/``0``, is a 400 naming it: silently ignored, ``?updated_since=``
    or ``?overdue=yes`` returned every row, and the client believed it had filtered."""

    def filter_queryset(self, request, queryset, view):
        self._refuse_unknown_parameters(request, view)
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for choice_filter in filterset.filters.values():  # the filterset's own copies
                choices = getattr(choice_filter, "queryset", None)
                if choices is not None and hasattr(choices, "visible_to"):
                    choice_filter.queryset = choices.visible_to(request.user)
                    # A copy of a field built before (by another request) holds the old
                    # choices: built again, from these.
                    choice_filter.__dict__.pop("_field", None)
        return filterset

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            kwargs["data"] = _yes_no(kwargs["data"], filterset_class.base_filters)
        return kwargs

    def _refuse_unknown_parameters(self, request, view):
        refuse_unknown_parameters(request, view)


def refuse_unknown_parameters(request, view) -> None:
    """A 400 naming each query parameter the view does not document (``known_parameters``);
    a view that lists nothing (``/api/v1/me/day/``) calls it itself."""
    unknown = sorted(set(request.query_params) - known_parameters(view))
    if unknown:
        raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})


def _yes_no(data, filters):
    """The query with each yes/no filter's ``1``/``0``/``TRUE`` as django-filter reads it
    (``true``/``false``; it ignored the rest); anything else a 400 naming the filter."""
    data = data.copy()
    refused = {}
    for name, each in filters.items():
        value = data.get(name)
        if not isinstance(each, django_filters_filters.BooleanFilter) or value in (None, ""):
            continue
        if value.lower() in _TRUE_FALSE:
            data[name] = "true" if value.lower() in ("true", "1") else "false"
        else:
            refused[name] = [_("Give true or false (or 1 or 0).")]
    if refused:
        raise ValidationError(refused)
    return data


def known_parameters(view) -> set[str]:
    """The query parameters an endpoint documents: its filters', its ordering's and its
    pages' (whichever pagination it uses, cursors included), read from what each of them
    tells the schema, so that what is accepted and what is documented cannot drift."""
    names = set(_ALWAYS)
    for backend_class in view.filter_backends:
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):  # django-filter leaves its schema to drf-spectacular
            filterset = backend.get_filterset_class(view, view.get_queryset())
            names.update(filterset.base_filters if filterset else ())
        else:
            names.update(p["name"] for p in backend.get_schema_operation_parameters(view))
    paginator = getattr(view, "paginator", None)
    if paginator is not None and getattr(view, "action", None) == "list":
        names.update(p["name"] for p in paginator.get_schema_operation_parameters(view))
    names.update(getattr(view, "query_parameters", ()))
    return names


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` from the fields the endpoint lists (in the schema, as an enum), and
    ``id`` everywhere, ascending or descending; an unknown field is a 400 naming it (DRF
    drops it silently and answers in another order than the one asked for). The id is the
    last tie-break of every ordering, so that equal values never swap between pages."""

    def get_valid_fields(self, queryset, view, context=None):
        fields = super().get_valid_fields(queryset, view, context or {})
        if not any(name == "id" for name, _label in fields):
            fields = [*fields, ("id", "id")]
        return fields

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            asked = [term.strip() for term in params.split(",") if term.strip()]
            valid = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            refused = [term for term in asked if term.lstrip("-") not in valid]
            if refused or not asked:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            _("Order by one of: %(fields)s (with - before it for descending).")
                            % {"fields": ", ".join(sorted(valid))}
                        ]
                    }
                )
            ordering = asked
        else:
            ordering = list(self.get_default_ordering(view) or [])
        if ordering and not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return ordering or None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        try:
            queryset = view.get_queryset()
        except Exception:  # a view whose queryset needs a request: the fields it declares
            queryset = None
        fields = sorted(name for name, _label in self.get_valid_fields(queryset, view, {}))
        for parameter in parameters:
            parameter["schema"] = {
                "type": "array",
                "items": {"type": "string", "enum": [*fields, *(f"-{name}" for name in fields)]},
            }
            parameter["style"] = "form"
            parameter["explode"] = False
            parameter["description"] = _(
                "Which fields to order by, comma separated; - before one for descending."
            )
        return parameters


class KnownCodeFilter(django_filters_filters.CharFilter):
    """A code (a tier's, a label's) that must name one that exists: an unknown code is a
    400 naming the filter, not an empty list a client cannot tell from "none match"."""

    def filter(self, qs, value):
        if value not in (None, ""):
            target = get_model_field(qs.model, self.field_name)
            if not target.model._default_manager.filter(**{target.name: value}).exists():
                name = next(key for key, each in self.parent.filters.items() if each is self)
                raise ValidationError({name: [_("No such code.")]})
        return super().filter(qs, value)
