"""The OpenAPI schema's generator. A module of its own: DRF imports ``common.api`` while
its settings load, before drf-spectacular can be imported."""

from drf_spectacular import openapi

from accounts.idempotency import IdempotentPosts
from common.concurrency import EntityTags

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_ERRORS = {
    "400": (
        "Invalid input: an object naming each refused field (or `non_field_errors`) with "
        "its reasons; for an invalid filter, the filter's name.",
        {"type": "object", "additionalProperties": {}},
    ),
    "401": ("No credentials, or a token that is unknown or revoked.", _DETAIL),
    "403": ("The user's role lacks the permission for this.", _DETAIL),
    "404": ("No such record, or one outside the user's scope (the two are not told apart).", _DETAIL),
    "410": (
        "With a cursor: the user's scope changed since it was given; pull again from an empty "
        "cursor. The object names `cursor`.",
        {"type": "object", "additionalProperties": {}},
    ),
}


class AutoSchema(openapi.AutoSchema):
    """Every operation documents the errors it can answer with, in the shapes that
    ``exception_handler`` gives them: a client learns them from the schema, and
    schemathesis holds the API to them."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        codes = ["401", "403"]
        # A list's page_size outside its range is a 400 too (common.api.Pages).
        paged = self._is_list_view() and self._get_paginator() is not None
        if self.method in ("POST", "PUT", "PATCH") or self._get_filter_parameters() or paged:
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
        if paged and hasattr(self._get_paginator(), "cursor_query_param"):
            codes.append("410")  # common.sync.ChangeFeed
        _document_retries_and_concurrency(self, operation)
        _document_etag(self, operation)
        for code in sorted(codes):
            description, schema = _ERRORS[code]
            operation["responses"].setdefault(
                code, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return operation


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
_REFUSED_HEADER = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
_CONDITIONS = {
    "POST": {"422": "This Idempotency-Key was used for another request."},
    "PUT": {
        "412": "The record changed since the ETag given in If-Match: read it again.",
        "428": "If-Match is required by this deployment.",
    },
}
_CONDITIONS["PATCH"] = _CONDITIONS["PUT"]


def _document_retries_and_concurrency(schema, operation):
    """The headers of safe retries and optimistic concurrency (``accounts.idempotency``,
    ``common.concurrency``), on every POST, PUT and PATCH, and the ETag of detail answers."""
    method = schema.method
    if method == "POST" and isinstance(schema.view, IdempotentPosts):
        operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
    elif method in ("PUT", "PATCH") and isinstance(schema.view, EntityTags):
        operation.setdefault("parameters", []).append(_IF_MATCH)
    else:
        return
    for code, description in _CONDITIONS[method].items():
        operation["responses"].setdefault(
            code, {"description": description, "content": {"application/json": {"schema": _REFUSED_HEADER}}}
        )


def _document_etag(schema, operation):
    detail = "{" in schema.path and schema.method in ("GET", "PUT", "PATCH")
    if detail and isinstance(schema.view, EntityTags):
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                response.setdefault("headers", {}).update(_ETAG)
