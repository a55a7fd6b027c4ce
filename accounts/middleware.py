from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.lockout import account_is_locked, is_api, locked_message
from accounts.passwords import due_from, password_state
from common.errors import error_response

# The password's state, kept in the session so that a page costs no query for it; the
# change page drops it, and a password set elsewhere ends the session anyway.
PASSWORD_STATE = "hhl_password_state"


class AccountGuardMiddleware:
    """For a logged-in session, on every request:

    - a locked account's session ends (a lock set by guesses elsewhere must also stop the
      person already inside, who may be the one who stole the password);
    - while the password must change (set by an administrator, or expired), every page
      leads to the change page and the API answers 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if account_is_locked(user.get_username()):
                logout(request)
                if is_api(request):
                    return error_response("locked_out", locked_message(), 403)
                messages.error(request, locked_message())
                return redirect_to_login(request.get_full_path())
            state = request.session.get(PASSWORD_STATE)
            if state is None:
                state = request.session[PASSWORD_STATE] = password_state(user)
            if due_from(state) and not self.may_pass(request):
                if is_api(request):
                    return error_response(
                        "password_change_required",
                        _("Your password must be changed first: open the password change page."),
                        403,
                    )
                return redirect(f"{reverse('accounts:password_change')}")
        return self.get_response(request)

    @staticmethod
    def may_pass(request) -> bool:
        open_paths = (reverse("accounts:password_change"), reverse("logout"), reverse("set_language"))
        return request.path in open_paths or request.path.startswith(settings.STATIC_URL)
