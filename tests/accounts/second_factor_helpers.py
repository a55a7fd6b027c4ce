"""Helpers for the second factor's tests: an enrolled user, the code their phone shows."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor


def code_of(device: TOTPDevice, shift_steps: int = 0) -> str:
    """What the authenticator app shows now (TOTP reads time.time(): time-machine moves it)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + shift_steps)
    return f"{value:0{device.digits}d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """``user`` with a confirmed authenticator and ten recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device, second_factor.new_recovery_codes(user)


def log_in(client, user, next_url: str = ""):
    data = {"username": user.username, "password": "pw-for-tests"}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)
