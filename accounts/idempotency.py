"""Safe retries: a POST of the API sent with an ``Idempotency-Key`` header is carried out
once per caller and key; the same request sent again (an answer lost on the way, a
double tap) is answered with the first answer, status and body, marked
``Idempotent-Replayed: true``, and writes nothing; the same key with another request
(another body, another path) is a 422.

Only a successful answer (2xx) spends a key: a refused request wrote nothing, so the
client may correct it and send it again under the same key.

The key's row is inserted in the request's own transaction, before the work: a second
request with the same key, arriving while the first runs, waits on the unique index
(PostgreSQL) or on the database's write lock (SQLite) until the first commits, then
replays its answer; if the first rolls back, the second does the work. Never two rows.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import IdempotencyKey
from common import crypto
from common.errors import error_response

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
PURPOSE = "accounts.idempotencykey.response"
KEY_MAX_LENGTH = 255


class IdempotentPosts:
    """A viewset mixin (``config.api`` adds it to every routed viewset): its POSTs honour
    ``Idempotency-Key``. Hooked after authentication and permissions (the key belongs to
    the user they establish) by wrapping the POST handler that DRF is about to call."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and HEADER in request.headers:
            handler = getattr(self, "post", None)
            if handler is not None:
                key = _valid_key(request.headers[HEADER])
                self.post = lambda request, *a, **kw: once(request, key, lambda: handler(request, *a, **kw))


def _valid_key(raw: str) -> str:
    # Printable ASCII: a UUID, a ULID, a hash; what a header and a unique index carry safely.
    if not (1 <= len(raw) <= KEY_MAX_LENGTH and raw.isascii() and raw.isprintable() and raw.strip() == raw):
        raise ValidationError(
            {
                HEADER: [
                    _("Give from 1 to %(max)s printable ASCII characters, such as a UUID.")
                    % {"max": KEY_MAX_LENGTH}
                ]
            }
        )
    return raw


def once(request, key: str, handle) -> Response:
    """``handle()`` the request once for ``request.user`` and ``key``."""
    fingerprint = _fingerprint(request)
    user = request.user
    with transaction.atomic():
        earlier = _claim(user, key, fingerprint)
        if earlier is not None:
            if earlier.fingerprint != fingerprint:
                message = _(
                    "This key was used for another request: send a new key for a new request, or the "
                    "same request again."
                )
                return error_response(
                    "idempotency_key_reused",
                    message,
                    status.HTTP_422_UNPROCESSABLE_ENTITY,
                    {HEADER: [message]},
                )
            return _replay(earlier)
        response = handle()
        if not 200 <= response.status_code < 300:
            # Nothing was saved (a refusal writes nothing): the key stays free for a corrected request.
            transaction.set_rollback(True)
            return response
        kept = {"data": getattr(response, "data", None), "location": response.get("Location")}
        IdempotencyKey.objects.filter(user=user, key=key).update(
            status=response.status_code,
            response=crypto.encrypt(json.dumps(kept, cls=DjangoJSONEncoder), purpose=PURPOSE),
        )
        return response


def _claim(user, key, fingerprint) -> IdempotencyKey | None:
    """Insert the key's row and return None; or, if the key was used, the earlier row."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, status=0, response=""
                )
            return None
        except IntegrityError:
            # Another request holds (held) this key, and has committed: read what it answered.
            earlier = IdempotencyKey.objects.get(user=user, key=key)
            if earlier.created_at >= expiry():
                return earlier
            earlier.delete()  # past its time: the key is free again
    raise IntegrityError("An idempotency key could not be claimed.")


def _replay(earlier: IdempotencyKey) -> Response:
    kept = json.loads(crypto.decrypt(earlier.response, purpose=PURPOSE))
    headers = {REPLAYED: "true"}
    if kept.get("location"):
        headers["Location"] = kept["location"]
    return Response(kept["data"], status=earlier.status, headers=headers)


def _fingerprint(request) -> str:
    data = request.data  # parsed here: bad JSON is a 400, before any key is claimed
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in data}
    files = {}
    for name in request.FILES:
        digest = hashlib.sha256()
        for upload in request.FILES.getlist(name):
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
        files[name] = digest.hexdigest()
    canonical = json.dumps(
        [request.method, request.path, data, files], sort_keys=True, cls=DjangoJSONEncoder, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def expiry() -> datetime.datetime:
    """Keys created before this count for nothing."""
    return timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def forget_expired() -> int:
    """Delete the keys past their time; the number deleted."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expiry()).delete()
    return deleted
