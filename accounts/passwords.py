"""When a password must change: set by an administrator, or older than PASSWORD_MAX_AGE_DAYS."""

import contextlib
import datetime
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

from accounts.models import PasswordHistory
from accounts.tokens import revoke_tokens
from audit.events import record
from audit.models import Action

# The administrator setting a password in this request, if one is (the admin's add and
# password pages); a context variable, since Django's hook receives only the user.
_set_by: ContextVar = ContextVar("password_set_by", default=None)

FIRST_LOGIN = "first_login"
EXPIRED = "expired"


@contextlib.contextmanager
def set_by_administrator(by):
    """Passwords saved inside this block were chosen by administrator ``by``: their users
    must replace them with their own at the next login."""
    reset = _set_by.set(by)
    try:
        yield
    finally:
        _set_by.reset(reset)


def password_was_set(user) -> PasswordHistory:
    """Append the user's new password hash to the history, end the user's API tokens and
    audit the change. Called for every new password (validators.PasswordHistoryValidator)."""
    by = _set_by.get()
    entry = PasswordHistory.objects.create(
        user=user, password=user.password, set_by_administrator=by is not None
    )
    revoke_tokens(user=user, reason="password_changed")
    record(
        Action.PASSWORD_CHANGED,
        user=by or user,
        target=user,
        detail={"by_administrator": by is not None, "for": user.get_username()},
    )
    return entry


def change_due(user) -> str | None:
    """Why ``user`` must change their password now (FIRST_LOGIN, EXPIRED), or None."""
    return due_from(password_state(user))


def password_state(user) -> dict:
    """What decides when the password is due, as a session can keep it: it changes only
    with the password, and a new password ends the user's other sessions."""
    latest = PasswordHistory.objects.filter(user=user).values("set_at", "set_by_administrator").first()
    set_at = latest["set_at"] if latest else user.date_joined
    return {"forced": bool(latest and latest["set_by_administrator"]), "set_at": set_at.timestamp()}


def due_from(state: dict) -> str | None:
    if state["forced"]:
        return FIRST_LOGIN
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if (
        max_age
        and timezone.now().timestamp() - state["set_at"] > datetime.timedelta(days=max_age).total_seconds()
    ):
        return EXPIRED
    return None
