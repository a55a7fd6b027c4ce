"""Locking out password guessers (django-axes), in our words and in the audit log.

Axes counts failures per account and per address (AXES_LOCKOUT_PARAMETERS) on every
login: the pages', the admin's and the API token endpoint's, since each goes through
``django.contrib.auth.authenticate``. This module tells axes who an attempt is about,
what a refused client sees, and audits each lock.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_backends, get_user_model
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import client_address, record
from audit.models import Action, Outcome
from common.errors import error_response


def canonical_username(typed: str) -> str:
    """The username of the account ``typed`` names: a backend that accepts other names
    (a mobile number, grids.backends) says whose they are, so that a lock holds whichever
    name is typed."""
    for backend in get_backends():
        canonical = getattr(backend, "canonical_username", None)
        if canonical is not None:
            found = canonical(typed)
            if found:
                return found
    return typed


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE."""
    field = settings.AXES_USERNAME_FORM_FIELD
    typed = (credentials or {}).get(field) if credentials else None
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get(field) or getattr(request, "data", {}).get(field)
    if not typed:
        return None
    return canonical_username(str(typed).strip())


def cool_off(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long a lock lasts."""
    return datetime.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def locked_message() -> str:
    return _(
        "Too many failed logins: this account or this address is locked for %(minutes)d minutes. "
        "Try again later, or ask a security administrator to unlock it."
    ) % {"minutes": settings.LOGIN_COOLOFF_MINUTES}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a page in Chinese, or JSON for the API."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if is_api(request):
        return error_response("locked_out", locked_message(), status)
    return render(request, "accounts/locked_out.html", {"message": locked_message()}, status=status)


def account_is_locked(username: str) -> bool:
    """Whether failures on this account (not its address) have reached the limit."""
    from axes.models import AccessAttempt

    failures = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=timezone.now() - cool_off()
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return (failures or 0) >= settings.AXES_FAILURE_LIMIT


def audit_lock(sender, request, username, ip_address, **kwargs):
    """Receiver of axes' user_locked_out: one LOCKED_OUT row when a lock begins.

    Axes sends the signal on every failure at or past the limit; the one that reaches
    the limit starts the lock (the later ones are failed logins, audited as such)."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    record(
        Action.LOCKED_OUT,
        request=request,
        user=user,
        # An unknown name may be somebody's mobile number: it stays out of the log.
        target=user,
        outcome=Outcome.REFUSED,
        detail={"failures": failures, "known_user": user is not None, "path": request.path},
    )


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the audit log and the help page's limits use."""
    return client_address(request)


def unlock(*, username: str, request) -> int:
    """Lift the lock on an account (its failures, from every address), audited UNLOCKED."""
    from axes.models import AccessAttempt

    deleted, _ = AccessAttempt.objects.filter(username=username).delete()
    user = get_user_model()._default_manager.filter(username=username).first()
    record(
        Action.UNLOCKED,
        request=request,
        target=user,
        detail={"for": username if user is not None else "", "attempts": deleted},
    )
    return deleted


def unlock_attempts(*, attempts, request) -> int:
    """Delete these axes attempts (the lockouts' admin page), each audited UNLOCKED."""
    count = 0
    for attempt in attempts:
        user = (
            get_user_model()._default_manager.filter(username=attempt.username).first()
            if attempt.username
            else None
        )
        record(
            Action.UNLOCKED,
            request=request,
            target=user,
            detail={"for": attempt.username if user is not None else "", "address": attempt.ip_address},
        )
        attempt.delete()
        count += 1
    return count
