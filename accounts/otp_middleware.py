"""No page before the second factor, for whoever needs one (``accounts.second_factor``)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from accounts.second_factor import has_second_factor, needs_second_factor

# Reachable before the second factor: to log in or out, to pass or set it up, to switch
# language. Everything else, the admin included, waits.
OPEN_URL_NAMES = [
    "login",
    "logout",
    "admin:logout",
    "set_language",
    "second_factor:verify",
    "second_factor:enrol",
]


class SecondFactorMiddleware:
    """Send a user who needs a second factor and has not passed it to the verify page
    (or, without an authenticator, to enrolment), keeping where they were going.

    After django_otp's OTPMiddleware (which says whether this session passed). The API
    is left to its own authentication (``accounts.otp_api``): a request there may carry
    a token, and only DRF knows which of the two it authenticates by.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self) -> set[str]:
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(("/api/", "/" + settings.STATIC_URL.lstrip("/")))
            and request.path not in self.open_paths()
            and needs_second_factor(user)
        ):
            name = "second_factor:verify" if has_second_factor(user) else "second_factor:enrol"
            return redirect_to_login(request.get_full_path(), reverse(name))
        return self.get_response(request)
