"""The API refuses a browser session that has not passed its second factor."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from accounts.second_factor import needs_second_factor


class SecondFactorSessionAuthentication(SessionAuthentication):
    """Django's session, as DRF's SessionAuthentication, once the second factor is passed.

    The pages' middleware sends such a user to the verify page; an API client cannot
    follow a redirect to a form, so it gets a 403 that says why.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = request._request.user  # django_otp's OTPMiddleware set is_verified on it
        verified = getattr(user, "is_verified", lambda: False)()
        if not verified and needs_second_factor(result[0]):
            raise exceptions.PermissionDenied(
                _("This session has not passed its second factor: enter your code on the site first.")
            )
        return result


class SecondFactorSessionScheme(SessionScheme):
    """The schema's cookieAuth, as for DRF's own session authentication."""

    target_class = "accounts.otp_api.SecondFactorSessionAuthentication"
