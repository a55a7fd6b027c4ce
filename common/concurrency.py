"""Optimistic concurrency for the API: every detail answer carries an ``ETag`` (a digest of
the record as this user reads it), and a PATCH or PUT sent with ``If-Match`` is carried out
only if the record is still as the client read it; otherwise 412, and nothing is written.
With ``API_REQUIRE_IF_MATCH`` on, a PATCH or PUT without ``If-Match`` is refused (428), so
that no client can overwrite a change it has not seen.

The check and the write are one transaction, with the record's row locked between them:
two clients holding the same ETag cannot both succeed."""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status

from common.errors import error_response

IF_MATCH = "If-Match"


def etag(data) -> str:
    """A strong entity tag of a record's representation."""
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def matches(header: str, current: str) -> bool:
    """Whether ``If-Match: header`` holds for ``current``. A weak tag (``W/"…"``) is taken as
    its strong one: a proxy or a gzip layer weakens the tags it passes on, and the client
    only sends back what it was given."""
    tags = [tag.strip() for tag in header.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == current for tag in tags)


class EntityTags:
    """A viewset mixin (``config.api`` adds it to every routed viewset): ETag on detail
    answers, If-Match on updates."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        data = getattr(response, "data", None)
        detail = getattr(self, "detail", False) or getattr(self, "action", None) == "create"
        if (
            detail
            and 200 <= response.status_code < 300
            and isinstance(data, dict)
            and "id" in data
            and not response.has_header("ETag")
        ):
            response["ETag"] = etag(data)
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Wraps the handler DRF is about to call, rather than defining ``update``: the router
        # would route PUT to every viewset that has one, read-only ones included.
        if request.method in ("PUT", "PATCH") and getattr(self, "action", None) in (
            "update",
            "partial_update",
        ):
            method = request.method.lower()
            handler = getattr(self, method)
            setattr(
                self,
                method,
                lambda request, *a, **kw: self._if_match(request, lambda: handler(request, *a, **kw)),
            )

    def _if_match(self, request, handle):
        header = request.headers.get(IF_MATCH)
        if header is None:
            if settings.API_REQUIRE_IF_MATCH:
                message = _("Send the ETag of the record as you read it in If-Match.")
                return error_response(
                    "precondition_required",
                    message,
                    status.HTTP_428_PRECONDITION_REQUIRED,
                    {IF_MATCH: [message]},
                )
            return handle()
        with transaction.atomic():
            instance = self.get_object()  # 404 first
            # Locked until the write commits: a change between the check and the write would be lost.
            type(instance)._default_manager.select_for_update().filter(pk=instance.pk).exists()
            current = etag(self.get_serializer(self.get_object()).data)
            if not matches(header, current):
                message = _("The record changed since you read it: read it again, then send your change.")
                refusal = error_response(
                    "precondition_failed", message, status.HTTP_412_PRECONDITION_FAILED, {IF_MATCH: [message]}
                )
                refusal["ETag"] = current
                return refusal
            return handle()
