"""What a phone's outbox sends when the network returns: a batch of items of one kind
(visits, tier proposals, problem reports), each with the client's UUID ``key``.

Each item is checked by the same form as the page it was captured on, so that the API
refuses what the page refuses, in the same words, and saved by the same service; each is
saved or refused on its own (never half-saved) and answered in the order sent:
``created``, ``duplicate`` (its key came before: nothing is written again) or ``rejected``
with its errors by field. A JSON list, or ``multipart/form-data`` with the list in the
field ``items`` and each item's file as ``<field>-<key>`` (``photo-<key>``).

The rows an answer needs are read for the whole batch at once (the households in scope,
the keys already saved): what an item costs in queries is its own save, whatever the size
of the batch.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from common.api import error_detail

BATCH_LIMIT = 500
# The largest id a PostgreSQL bigint holds: a larger one is no row, and never reaches SQL.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class BatchKind:
    """One kind of item: the model its rows are kept in (with a ``key`` field), who wrote
    them, the page's form that checks one, and how one is saved.

    ``form(data, files, household)`` builds the form; ``save(cleaned_data, household, user)``
    returns ``(row, created)`` like the services do; ``same(row, item)`` says whether a row
    saved earlier with the item's key is this item sent again (otherwise saving it is
    refused by the service, naming the key)."""

    model: type[Model]
    author: str
    form: Callable[..., forms.Form]
    form_class: type[forms.Form]
    save: Callable[[dict, Model, object], tuple[Model, bool]]
    same: Callable[[Model, dict], bool]
    too_many: str  # the refusal of a request that is not a list of 1 to BATCH_LIMIT, with %(n)s
    # Why nothing of this kind is saved for a household any more (it moved out), if so:
    # named on ``household``, which the page's form has no field for.
    household_error: Callable[[Model], str | None] = lambda household: None


def run_batch(request, kind: BatchKind, *, households: QuerySet) -> Response:
    """Answer a batch of ``kind`` sent by ``request.user``; ``households`` are those in the
    user's scope (an item for another is refused naming its household)."""
    items, files = _read(request)
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        return _bad_request(kind.too_many % {"n": BATCH_LIMIT})
    keys = [_key_of(item) for item in items]
    file_fields = [
        name for name, field in kind.form_class.base_fields.items() if isinstance(field, forms.FileField)
    ]
    unclaimed = set(files) - {f"{name}-{key}" for key in keys if key for name in file_fields}
    if unclaimed:
        # A photo that belongs to no visit would be lost without a word: the client is told.
        return _bad_request(
            _("These files belong to no item: %(names)s.") % {"names": ", ".join(sorted(unclaimed))}
        )
    user = request.user
    uuids = {key for key in keys if _is_uuid(key)}
    earlier = {
        str(row.key): row for row in kind.model.objects.filter(**{kind.author: user, "key__in": uuids})
    }
    shown = (
        set(
            kind.model.objects.visible_to(user)
            .filter(pk__in=[r.pk for r in earlier.values()])
            .values_list("pk", flat=True)
        )
        if earlier
        else set()
    )
    in_scope = households.in_bulk([i for i in map(_household_id, items) if i is not None])
    results = []
    for item, key in zip(items, keys, strict=True):
        if not key:
            results.append(
                {"key": None, "status": "rejected", "errors": {"key": [_("Required for a batch.")]}}
            )
            continue
        result = {"key": key}
        row = earlier.get(str(uuid.UUID(key))) if _is_uuid(key) else None
        if row is not None and kind.same(row, item):
            # Sent again: answered at once, even if it would no longer pass (the household
            # has moved out since); its id only while the row is still in the user's scope.
            results.append({**result, "status": "duplicate", **({"id": row.pk} if row.pk in shown else {})})
            continue
        errors = _item_errors(item, key, kind, file_fields)
        household = in_scope.get(_household_id(item))
        if household is not None and "household" not in errors and (error := kind.household_error(household)):
            errors["household"] = [error]
        if household is None and "household" not in errors:
            errors["household"] = [
                _("No such household in your scope: it may have moved or been handed to another grid.")
            ]
        if not errors:
            form = kind.form(
                _as_form_data(item),
                {name: files[f"{name}-{key}"] for name in file_fields if f"{name}-{key}" in files},
                household,
            )
            if form.is_valid():
                try:
                    with transaction.atomic():
                        row, created = kind.save(form.cleaned_data, household, user)
                except (DjangoValidationError, IntegrityError) as error:
                    errors = error_detail(error)
                else:
                    # Not created: the same key in another batch at the same moment saved it.
                    results.append({**result, "status": "created" if created else "duplicate", "id": row.pk})
                    continue
            else:
                errors = _form_errors(form)
        results.append({**result, "status": "rejected", "errors": errors})
    return Response({"results": results})


def _read(request) -> tuple[object, dict]:
    """The items and the files: the JSON body (the list, or ``{"items": [...]}`` as the
    schema of a batch with files documents it), or a multipart body's ``items`` field."""
    if request.content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            return json.loads(request.data.get("items") or ""), request.FILES
        except ValueError:
            return None, {}
    if isinstance(request.data, dict) and set(request.data) == {"items"}:
        return request.data["items"], {}
    return request.data, {}


def _bad_request(message: str) -> Response:
    # The API's one error shape (common.api.exception_handler).
    return Response(
        {"code": "invalid", "message": message, "fields": {api_settings.NON_FIELD_ERRORS_KEY: [message]}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _key_of(item) -> str | None:
    key = item.get("key") if isinstance(item, dict) else None
    return key if isinstance(key, str) and key else None  # echoed back: only as sent, a string


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _household_id(item) -> int | None:
    value = item.get("household") if isinstance(item, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value <= MAX_ID else None


def _item_errors(item: dict, key: str, kind: BatchKind, file_fields: list[str]) -> dict:
    """What the form cannot say: the key's form, fields it does not know, values of the
    wrong shape (JSON can send what an HTML form cannot)."""
    errors = {}
    if not _is_uuid(key):
        errors["key"] = [_("Enter a valid UUID.")]
    for name, value in item.items():
        field = kind.form_class.base_fields.get(name)
        if name in ("key", "household"):
            continue
        if name in file_fields:
            errors[name] = [
                _("Send it as the file %(name)s of a multipart/form-data request.")
                % {"name": f"{name}-{key}"}
            ]
        elif field is None:
            errors[name] = [_("Unknown field.")]
        elif isinstance(field, forms.MultipleChoiceField):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = [_("Enter a list of values.")]
        elif isinstance(value, list | dict):
            errors[name] = [_("Enter a single value, not a list or an object.")]
    return errors


def _as_form_data(item: dict) -> dict:
    """The item as a browser would post it: every single value a string."""
    data = {}
    for name, value in item.items():
        if name == "household":
            continue
        if value is None:
            value = ""
        elif not isinstance(value, list | str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        data[name] = value
    return data


def _form_errors(form: forms.Form) -> dict:
    errors = form.errors.get_json_data()
    detail = {name: [e["message"] for e in messages] for name, messages in errors.items()}
    if "__all__" in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop("__all__")
    return detail


def _schema_field(field: forms.Field, *, required: bool) -> serializers.Field:
    """A form field as the schema shows it: the form is what checks an item."""
    options = {"required": required, "help_text": str(field.help_text or "") or None}
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**options)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=list(field.choices)), **options)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=list(field.choices), **options)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(**options)
    if isinstance(field, forms.UUIDField):
        return serializers.UUIDField(**options)
    return serializers.CharField(
        max_length=getattr(field, "max_length", None), allow_blank=not field.required, **options
    )


BATCH_RESULT = inline_serializer(
    "BatchResult",
    {
        "results": serializers.ListField(
            child=inline_serializer(
                "BatchItem",
                {
                    "key": serializers.CharField(allow_null=True),
                    "status": serializers.ChoiceField(["created", "duplicate", "rejected"]),
                    "id": serializers.IntegerField(required=False),
                    "errors": serializers.DictField(
                        child=serializers.ListField(child=serializers.CharField()), required=False
                    ),
                },
            )
        )
    },
)


def batch_schema(name: str, form_class: type[forms.Form], *, example: dict, defaulted=()):
    """The OpenAPI description of a batch endpoint whose items ``form_class`` checks;
    ``defaulted`` names the fields the endpoint fills in when an item leaves them out."""
    fields = {
        "key": serializers.UUIDField(
            help_text=gettext_lazy("Set by the client: sending it again records nothing new.")
        ),
        "household": serializers.IntegerField(),
    }
    files = []
    for field_name, field in form_class.base_fields.items():
        if isinstance(field, forms.FileField):
            files.append(field_name)
        elif field_name != "key":
            fields[field_name] = _schema_field(field, required=field.required and field_name not in defaulted)
    item = inline_serializer(name, fields)
    items = serializers.ListSerializer(child=item, min_length=1, max_length=BATCH_LIMIT)
    request = {"application/json": items}
    if files:
        # Beside multipart, the JSON body is an object ({"items": [...]}, as in the form):
        # a union of a list and a form is one that generated clients cannot send (an
        # isinstance against list[...]). The bare list stays accepted, as the phone sends it.
        request["application/json"] = inline_serializer(f"{name}List", {"items": items})
        # Each file's name carries its item's key (photo-<key>), which no fixed property
        # can name: files are the object's additional properties, so that a generated
        # client sends each as a file part.
        request["multipart/form-data"] = {
            "type": "object",
            "properties": {"items": {"type": "string", "description": "The list of items, as JSON."}},
            "required": ["items"],
            "additionalProperties": {
                "type": "string",
                "format": "binary",
                "description": ", ".join(f"{file_name}-<key>" for file_name in files)
                + ": the file of the item with this key.",
            },
        }
    return extend_schema(
        request=request,
        responses={200: BATCH_RESULT},
        examples=[
            OpenApiExample("one item", value=example, request_only=True, media_type="application/json")
        ],
    )
