"""Who needs a second factor, and checking a code (等保 身份鉴别 d).

A second factor is a TOTP authenticator (django-otp's ``TOTPDevice``) with ten recovery
codes beside it (a ``StaticDevice``). The pages are in ``accounts.otp_views``; the
enforcement, before any other page, in ``accounts.otp_middleware``; the API's refusal in
``accounts.otp_api``. The token endpoint calls ``needs_second_factor`` and
``verify_code`` too.
"""

import dataclasses
import datetime
import re

from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.events import record
from audit.models import Action, Outcome

RECOVERY_CODE_COUNT = 10
# Whoever may see full resident ID numbers (PIPL sensitive data). By its string: this
# app stands below households and cannot import it.
ID_NUMBER_PERMISSION = "households.view_id_number"
TOTP_CODE = re.compile(r"\d{6}")


def needs_second_factor(user) -> bool:
    """True when ``user`` must pass a second factor after the password.

    With OTP_REQUIRED on: anyone who may use the admin (superusers, staff: the
    administrators, security and audit administrators), anyone who may see full ID
    numbers, everyone with OTP_REQUIRED_FOR_EVERYONE, and anyone who enrolled of their
    own accord (an authenticator they set up and are never asked for would protect
    nothing). With it off (the demo, the test suite) nobody is asked.
    """
    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    if settings.OTP_REQUIRED_FOR_EVERYONE or user.is_superuser or user.is_staff:
        return True
    return user.has_perm(ID_NUMBER_PERMISSION) or has_second_factor(user)


def has_second_factor(user) -> bool:
    """True when ``user`` has a confirmed authenticator (recovery codes alone are not one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@dataclasses.dataclass(frozen=True)
class Attempt:
    device: Device | None
    method: str  # "totp" or "recovery"
    wait_until: datetime.datetime | None = None  # throttled: no code is tried before then

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalise(code: str) -> str:
    # People type what they see: "123 456", "abcd-efgh", capitals from a printout.
    return re.sub(r"[\s-]", "", code or "").lower()


def attempt(user, code: str, *, request=None, step: str = "verify") -> Attempt:
    """Try ``code`` against ``user``'s own confirmed devices, and audit the attempt.

    Six digits are tried against the authenticator, anything else against the recovery
    codes: a failure then counts against one device's throttle, not both. Each device
    throttles on its own (django-otp's ThrottlingMixin: after n failures in a row the
    next try must wait OTP_*_THROTTLE_FACTOR × 2^(n-1) seconds). The device rows are
    locked for the check, so that two requests cannot both spend one code.
    """
    code = normalise(code)
    method = "totp" if TOTP_CODE.fullmatch(code) else "recovery"
    model = TOTPDevice if method == "totp" else StaticDevice
    found = None
    wait_until = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            allowed, why = device.verify_is_allowed()
            if not allowed:
                wait_until = (why or {}).get("locked_until")
                continue
            if device.verify_token(code):
                found = device
                break
    result = Attempt(device=found, method=method, wait_until=None if found else wait_until)
    audit(result, user=user, request=request, step=step)
    return result


def audit(result: Attempt, *, user, request, step: str) -> None:
    # Never the code itself: a recovery code stays valid until used.
    detail = {"step": step, "method": result.method}
    if result.wait_until is not None:
        detail["throttled"] = True
    record(
        Action.SECOND_FACTOR,
        request=request,
        user=user,
        target=result.device,
        outcome=Outcome.OK if result.ok else (Outcome.REFUSED if result.wait_until else Outcome.FAILED),
        detail=detail,
    )


def verify_code(user, code: str, *, request=None) -> bool:
    """True when ``code`` is a current code of ``user``'s authenticator or one of their
    unused recovery codes (which it then uses up). Every attempt is audited."""
    return attempt(user, code, request=request).ok


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up: the same one until confirmed, so that reloading
    the page does not change the QR code the user may have scanned already."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def confirm(user, device: TOTPDevice, code: str, *, request=None) -> list[str] | None:
    """Confirm ``device`` with a code it shows; its recovery codes, or None if the code
    is wrong (or throttled)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        allowed, why = device.verify_is_allowed()
        ok = allowed and device.verify_token(normalise(code))
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # One authenticator a user: any other, confirmed or not, goes.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    wait_until = None if allowed else (why or {}).get("locked_until")
    audit(Attempt(device if ok else None, "totp", wait_until), user=user, request=request, step="enrol")
    return new_recovery_codes(user) if ok else None


def new_recovery_codes(user) -> list[str]:
    """Ten fresh recovery codes; the old ones stop working. Shown once: only the user
    keeps them (django-otp stores them as they are, as it must to compare them)."""
    with transaction.atomic():
        # The same device with new tokens: a session that passed with a recovery code
        # names this device, and stays verified.
        device = StaticDevice.objects.filter(user=user).order_by("id").first()
        if device is None:
            device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove(user) -> None:
    """Remove ``user``'s authenticator and recovery codes (after a current code)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
