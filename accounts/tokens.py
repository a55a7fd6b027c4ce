"""API tokens: made, checked and revoked here, by the admin, the token endpoint and the
password and deactivation rules alike."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, token_digest
from audit.events import record
from audit.models import Action, Outcome

# last_used_at is written at most this often: a sync sending 1,000 requests a minute
# should not write the token row 1,000 times.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def issue_token(
    *,
    user,
    purpose: str,
    expires_at: datetime.datetime | None = None,
    request=None,
    token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (filling ``token``, the admin's unsaved one, if given);
    return it with its key, which is stored nowhere and never shown again."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValueError("A token needs a purpose.")
    while True:
        prefix = secrets.token_hex(ApiToken.PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = token or ApiToken()
        token.user, token.purpose, token.prefix, token.digest = user, purpose, prefix, token_digest(key)
        token.created_at = timezone.now()
        token.expires_at = expires_at or token.created_at + datetime.timedelta(days=settings.API_TOKEN_DAYS)
        token.save(force_insert=True)
        # Who made it: the administrator on the admin's page, the user at the endpoint.
        actor = getattr(request, "user", None)
        record(
            Action.TOKEN,
            request=request,
            user=actor if actor is not None and actor.is_authenticated else user,
            target=token,
            detail={"event": "created", "for": user.get_username(), "purpose": purpose},
        )
    return token, key


def token_for_key(key: str) -> ApiToken | None:
    """The usable token with this key, or None; notes when it was used (once a minute)."""
    token = ApiToken.objects.usable().select_related("user").filter(digest=token_digest(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_tokens(*, user, reason: str, request=None) -> int:
    """Revoke every live token of ``user`` (a password change, a deactivation, an admin)."""
    ids = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).revoke()
    record(
        Action.TOKEN,
        request=request,
        user=user,
        target=ApiToken,
        ids=ids,
        outcome=Outcome.OK,
        detail={"event": "revoked", "reason": reason},
    )
    return len(ids)
