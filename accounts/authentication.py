"""Who sends a request: API tokens for other systems, and axes in front of passwords."""

from axes.backends import AxesStandaloneBackend
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.lockout import account_is_locked, locked_message
from accounts.passwords import change_due
from accounts.tokens import token_for_key


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password backends, for every login with a request (pages,
    admin, API). Without a request there is nobody at a door to lock out (a management
    command, the test client's ``login``), and axes would refuse those outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>``, as rest_framework.authtoken read it, so that clients
    keep working; the key is checked against its SHA-256 (accounts.models.ApiToken)."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: send “Token <key>”."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header: send “Token <key>”.")) from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.user
        if account_is_locked(user.get_username()):
            raise exceptions.AuthenticationFailed(locked_message())
        if change_due(user):
            raise exceptions.PermissionDenied(
                _("The password of this token's user must be changed before the API can be used.")
            )
        return user, token

    def authenticate_header(self, request):
        return self.keyword
