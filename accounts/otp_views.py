"""The second factor's pages: verify, enrol, new recovery codes, remove; and "my account".

Thin: the rules are in ``accounts.second_factor``. Pages that show a secret (the key, the
recovery codes) are never cached, and the codes are shown once, in the answer to the
POST that made them.
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from audit.events import record
from audit.models import Action, Outcome


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def next_url(request) -> str:
    """Where the user was going, if it is on this site; else today's page."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(name: str, request) -> str:
    url = reverse(name)
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if target:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: target})
    return url


def refusal(result: second_factor.Attempt) -> str:
    if result.wait_until is not None:
        seconds = max(1, int((result.wait_until - timezone.now()).total_seconds()) + 1)
        return _("Too many wrong codes: try again in %(seconds)s seconds.") % {"seconds": seconds}
    return _("That code is not right, or was used already.")


def passed(request, device) -> None:
    # A new session key for the raised privilege, as at login: a key seen before this
    # moment (fixation) is worth nothing after it.
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@login_required
def verify(request):
    if request.user.is_verified():
        return redirect(next_url(request))
    if not second_factor.has_second_factor(request.user):
        return redirect(with_next("second_factor:enrol", request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = second_factor.attempt(request.user, form.cleaned_data["code"], request=request)
        if result.ok:
            passed(request, result.device)
            if result.method == "recovery":
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)s are left. Make new ones on your account page.")
                    % {"left": second_factor.recovery_codes_left(request.user)},
                )
            return redirect(next_url(request))
        form.add_error("code", refusal(result))
    return render(request, "accounts/second_factor/verify.html", {"form": form, "next": next_url(request)})


@never_cache
@login_required
def enrol(request):
    user = request.user
    if second_factor.has_second_factor(user):
        # Adding a second authenticator would be a way around the first one.
        return redirect(
            with_next("second_factor:verify", request) if not user.is_verified() else "second_factor:account"
        )
    device = second_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm(user, device, form.cleaned_data["code"], request=request)
        if codes is not None:
            device.refresh_from_db()
            passed(request, device)
            return render(
                request,
                "accounts/second_factor/recovery_codes.html",
                {"codes": codes, "next": next_url(request)},
            )
        form.add_error(
            "code", _("That code is not right: check the time on your phone, and type the newest code.")
        )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, ""),
    }
    return render(request, "accounts/second_factor/enrol.html", context)


@never_cache
@login_required
def account(request):
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    remove_form = CodeForm()
    remove_form.fields["code"].widget.attrs.pop("autofocus")
    context = {
        "device": device,
        "needs": second_factor.needs_second_factor(user),
        # Where nobody is asked (OTP_REQUIRED off), a session may not have passed it yet:
        # changing the second factor needs it passed first.
        "verified": user.is_verified(),
        "codes_left": second_factor.recovery_codes_left(user) if device else 0,
        "remove_form": remove_form,
    }
    return render(request, "accounts/second_factor/account.html", context)


@never_cache
@login_required
@require_POST
def recovery_codes(request):
    user = request.user
    if not second_factor.has_second_factor(user) or not user.is_verified():
        return redirect("second_factor:account")
    codes = second_factor.new_recovery_codes(user)
    record(
        Action.SECOND_FACTOR,
        request=request,
        outcome=Outcome.OK,
        detail={"step": "new_recovery_codes"},
    )
    return render(
        request,
        "accounts/second_factor/recovery_codes.html",
        {"codes": codes, "next": reverse("second_factor:account")},
    )


@never_cache
@login_required
@require_POST
def remove(request):
    user = request.user
    if not second_factor.has_second_factor(user) or not user.is_verified():
        return redirect("second_factor:account")
    form = CodeForm(request.POST)
    if form.is_valid():
        result = second_factor.attempt(user, form.cleaned_data["code"], request=request, step="remove")
        if result.ok:
            second_factor.remove(user)
            messages.success(request, _("Your authenticator and recovery codes are removed."))
            return redirect("second_factor:account")
        messages.error(request, refusal(result))
    return redirect("second_factor:account")
