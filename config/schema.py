"""The OpenAPI schema's generator. A module of its own: DRF imports ``common.api`` while
its settings load, before drf-spectacular can be imported."""

from drf_spectacular import openapi

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
        for code in sorted(codes):
            description, schema = _ERRORS[code]
            operation["responses"].setdefault(
                code, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        return operation
