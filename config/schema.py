"""The OpenAPI schema's generator. A module of its own: DRF imports ``common.api`` while
its settings load, before drf-spectacular can be imported."""

import contextlib
import re

from drf_spectacular import openapi, renderers
from yaml import SafeDumper

with contextlib.suppress(ImportError):  # the dumper drf-spectacular's YAML renderer builds on
    from yaml import CSafeDumper as SafeDumper  # noqa: F811
from rest_framework import serializers

from accounts.idempotency import IdempotentPosts
from common.concurrency import EntityTags


class Error(serializers.Serializer):
    """Every error the API answers (see ``common.api.exception_handler``)."""

    code = serializers.CharField(
        help_text="A stable word to branch on: invalid, not_found, not_authenticated, "
        "authentication_failed, permission_denied, parse_error, method_not_allowed, "
        "unsupported_media_type, not_acceptable, throttled, server_error."
    )
    message = serializers.CharField(help_text="For a person, in the language of Accept-Language.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Each refused field or query parameter with its reasons (a list of sentences); "
        "rules across fields under non_field_errors. Empty for errors that name no field.",
    )


_ERRORS = {
    "400": "Invalid input: `fields` names each refused field, query parameter or filter value.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "The user's role lacks the permission for this.",
    "404": "No such record, or one outside the user's scope (the two are not told apart); "
    "for a list, a page past its end.",
    "405": "This method is not allowed here.",
    "406": "The Accept header asks for a format the API does not give (it gives JSON).",
    "415": "The body's Content-Type is not one this operation takes.",
    "410": "With a cursor: the user's scope changed since it was given; pull again from an empty "
    "cursor. `fields` names `cursor`.",
    "412": "The record changed since the ETag given in If-Match: read it again.",
    "422": "This Idempotency-Key was used for another request.",
    "428": "If-Match is required by this deployment.",
    "429": "Too many failed attempts from this account or address: locked for a while (`locked_out`).",
}


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the errors it can answer with, all in the one ``Error``
    shape: a client learns them from the schema, and schemathesis holds the API to them.
    Operation ids are ASCII (a generator makes function names of them)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        # Any operation refuses an unknown query parameter; any may be asked for a format
        # it does not give.
        codes = ["400", "401", "403", "405", "406"]
        paged = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paged:
            codes.append("404")
        if paged and hasattr(self._get_paginator(), "cursor_query_param"):
            codes.append("410")  # common.sync.ChangeFeed
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        # What a view answers beyond these (the token endpoint's lockout, a 429).
        codes += getattr(self.view, "schema_error_codes", ())
        codes += _document_retries_and_concurrency(self, operation)
        for parameter in operation.get("parameters", []):
            # django-filter's labels (a model field's verbose name, in Chinese) became the
            # schema's title, which generators turn into class names.
            parameter.get("schema", {}).pop("title", None)
        error = self.resolve_serializer(Error, "response").ref
        for code in codes:
            operation["responses"].setdefault(
                code, {"description": _ERRORS[code], "content": {"application/json": {"schema": error}}}
            )
        _document_etag(self, operation)
        operation["responses"] = dict(sorted(operation["responses"].items()))
        return operation

    def get_operation_id(self):
        return re.sub(r"[^A-Za-z0-9_]+", "_", super().get_operation_id()).strip("_")


class _Quoted(str):
    pass


SafeDumper.add_representer(
    _Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="'")
)

# Strings a YAML 1.1 or 1.2 reader may take for a number, a boolean or nothing: the
# ethnicity codes 08 and 09, written plain, came back as integers and Member's types vanished.
_AMBIGUOUS = re.compile(r"[-+]?[0-9][0-9._eExXoObB:+-]*|(?i:y|n|yes|no|on|off|true|false|null|~)|")


def _quote_ambiguous(data):
    if isinstance(data, dict):
        return {key: _quote_ambiguous(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_quote_ambiguous(value) for value in data]
    if type(data) is str and _AMBIGUOUS.fullmatch(data):
        return _Quoted(data)
    return data


class YamlRenderer(renderers.OpenApiYamlRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        return super().render(_quote_ambiguous(data), accepted_media_type, renderer_context)


class YamlRenderer2(YamlRenderer):
    media_type = "application/yaml"


SCHEMA_RENDERERS = [
    YamlRenderer,
    YamlRenderer2,
    renderers.OpenApiJsonRenderer,
    renderers.OpenApiJsonRenderer2,
]


def ascii_titles(result, generator, request, public):
    """A schema's ``title`` becomes a class name in a generated client: the field labels
    (Chinese verbose names) move into the description, which is text for people."""

    def walk(node):
        if isinstance(node, dict):
            title = node.get("title")
            if isinstance(title, str) and not title.isascii():
                node.pop("title")
                node.setdefault("description", title)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result.get("paths", {}))
    walk(result.get("components", {}))
    return result


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Any string of 1 to 255 printable ASCII characters (a UUID), new for each new request. The "
        "same request sent again with it is answered with the first answer (marked "
        "`Idempotent-Replayed: true`) and writes nothing; another request with it is a 422. "
        "Kept IDEMPOTENCY_KEY_HOURS (24) after a successful answer; a refused request does not spend it."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": (
        "The ETag of the record as it was read: the change is made only if the record has not "
        "changed since (else 412). Required (else 428) where the deployment sets API_REQUIRE_IF_MATCH."
    ),
    "schema": {"type": "string"},
}
_ETAG = {"ETag": {"description": "The record's entity tag, for If-Match.", "schema": {"type": "string"}}}


def _document_retries_and_concurrency(schema, operation) -> list[str]:
    """The headers of safe retries and optimistic concurrency (``accounts.idempotency``,
    ``common.concurrency``) on every POST, PUT and PATCH that honours them; the codes
    they add."""
    method = schema.method
    if method == "POST" and isinstance(schema.view, IdempotentPosts):
        operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
        return ["422"]
    if method in ("PUT", "PATCH") and isinstance(schema.view, EntityTags):
        operation.setdefault("parameters", []).append(_IF_MATCH)
        return ["412", "428"]
    return []


def _document_etag(schema, operation):
    detail = "{" in schema.path and schema.method in ("GET", "PUT", "PATCH")
    if detail and isinstance(schema.view, EntityTags):
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                response.setdefault("headers", {}).update(_ETAG)
