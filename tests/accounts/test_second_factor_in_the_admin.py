"""An administrator removes a lost authenticator in the admin, without ever seeing its key."""

import pytest
from django.urls import reverse

from tests.accounts.second_factor_helpers import code_of, enrolled, log_in
from tests.grids.factories import UserFactory, administrator

pytestmark = pytest.mark.django_db


def test_the_admin_shows_no_ones_key(client, settings):
    settings.OTP_REQUIRED = True
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    admin_device, _ = enrolled(admin)
    device, _ = enrolled(administrator(username="li"))
    log_in(client, admin)
    client.post(reverse("second_factor:verify"), {"code": code_of(admin_device)})

    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))

    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert (
        client.post(
            reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
        ).status_code
        == 302
    )
