from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.views import PasswordChangeView
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.middleware import PASSWORD_STATE
from accounts.passwords import EXPIRED, FIRST_LOGIN, change_due
from accounts.second_factor import has_second_factor, needs_second_factor, verify_code
from accounts.tokens import issue_token


class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"

    def get_success_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason"] = {
            FIRST_LOGIN: _("An administrator set your password: choose your own before you go on."),
            EXPIRED: _("Your password has expired: choose a new one before you go on."),
        }.get(change_due(self.request.user))
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session.pop(PASSWORD_STATE, None)
        messages.success(self.request, _("Your password has been changed."))
        return response


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(label=gettext_lazy("username or mobile number"), max_length=150)
    password = serializers.CharField(label=gettext_lazy("password"), max_length=128, trim_whitespace=False)
    purpose = serializers.CharField(label=gettext_lazy("purpose"), max_length=100)
    code = serializers.CharField(
        label=gettext_lazy("code"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("For an account that needs a second factor: its authenticator's code."),
    )


class TokenView(APIView):
    """``POST /api/v1/auth/token/`` with username, password and purpose: a new API token,
    its key shown in this answer only. Guessing here locks out as on the login page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequest
    schema_error_codes = ("429",)  # Axes' lockout (AXES_HTTP_RESPONSE_CODE), documented

    def post(self, request):
        given = TokenRequest(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        # Axes needs Django's own request: it marks it when the attempt locks the door.
        django_request = request._request
        user = auth.authenticate(django_request, username=data["username"], password=data["password"])
        if getattr(django_request, "axes_locked_out", False):
            return get_lockout_response(
                django_request, None, getattr(django_request, "axes_credentials", None)
            )
        # Raised, not answered by hand: the exception handler gives them the API's shape.
        if user is None:
            raise exceptions.ValidationError(_("Wrong username or password."))
        if change_due(user):
            raise exceptions.PermissionDenied(
                _("Your password must be changed first: open the password change page.")
            )
        # A token is a login that lasts 30 days: whoever must pass a second factor on the
        # site passes it here too, or a stolen password would buy a token around it.
        if needs_second_factor(user):
            if not has_second_factor(user):
                raise exceptions.PermissionDenied(
                    _("Set up your second factor on the site first (My account).")
                )
            if not data.get("code") or not verify_code(user, data["code"], request=django_request):
                raise exceptions.ValidationError(
                    {"code": [_("A current code from your authenticator, or a recovery code, is needed.")]}
                )
        token, key = issue_token(user=user, purpose=data["purpose"], request=django_request)
        return Response(
            {"token": key, "purpose": token.purpose, "expires_at": token.expires_at},
            status=status.HTTP_201_CREATED,
        )
