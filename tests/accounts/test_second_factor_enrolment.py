"""Setting up an authenticator: a QR code and the key as text, a code to confirm, ten
recovery codes shown once."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent, Outcome
from tests.accounts.second_factor_helpers import code_of, enrolled, log_in
from tests.grids.factories import administrator

pytestmark = pytest.mark.django_db

CARD_URL = "/households/?q=3"


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED = True


def test_the_page_shows_a_qr_code_image_and_the_key_and_no_script(client):
    log_in(client, administrator(username="li"))

    response = client.get(reverse("second_factor:enrol"))

    html = response.content.decode()
    device = TOTPDevice.objects.get(user__username="li")
    assert not device.confirmed
    assert 'src="data:image/svg+xml' in html
    # The QR code is an image: the page needs no script of its own (the site's deferred
    # files and their JSON data block are all the scripts there are).
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main
    assert response.context["secret"].replace(" ", "") in device.config_url
    assert "no-store" in response["Cache-Control"]


def test_reloading_the_page_keeps_the_key_already_scanned(client):
    log_in(client, administrator(username="li"))

    first = client.get(reverse("second_factor:enrol")).context["secret"]
    second = client.get(reverse("second_factor:enrol")).context["secret"]

    assert first == second and TOTPDevice.objects.count() == 1


def test_a_code_from_the_app_confirms_it_and_ten_recovery_codes_are_shown_once(client):
    log_in(client, administrator(username="li"), next_url=CARD_URL)
    blocked = client.get(CARD_URL)
    client.get(blocked.url)
    device = TOTPDevice.objects.get(user__username="li")

    response = client.post(blocked.url, {"code": code_of(device), "next": CARD_URL})

    codes = response.context["codes"]
    assert response.status_code == 200 and len(set(codes)) == 10
    assert all(code in response.content.decode() for code in codes)
    assert f'href="{CARD_URL}"' in response.content.decode().replace("&amp;", "&")
    assert "no-store" in response["Cache-Control"]
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    device.refresh_from_db()
    assert device.confirmed
    # Set up and verified in one go: the pages open.
    assert client.get(reverse("monitoring:today")).status_code == 200
    event = AuditEvent.objects.filter(action=Action.SECOND_FACTOR).get()
    assert (event.outcome, event.detail) == (Outcome.OK, {"step": "enrol", "method": "totp"})


def test_a_wrong_code_confirms_nothing(client):
    log_in(client, administrator(username="li"))
    client.get(reverse("second_factor:enrol"))
    device = TOTPDevice.objects.get(user__username="li")

    response = client.post(
        reverse("second_factor:enrol"), {"code": f"{(int(code_of(device)) + 1) % 1_000_000:06d}"}
    )

    device.refresh_from_db()
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert not device.confirmed and not StaticToken.objects.exists()
    assert client.get(reverse("monitoring:today")).status_code == 302


def test_someone_with_the_password_alone_cannot_add_an_authenticator_beside_the_owners(client):
    user = administrator(username="li")
    enrolled(user)
    log_in(client, user)

    response = client.get(reverse("second_factor:enrol"))

    assert response.status_code == 302 and response.url.startswith(reverse("second_factor:verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_the_key_is_a_base32_secret_an_app_can_type_in(client):
    log_in(client, administrator(username="li"))

    secret = client.get(reverse("second_factor:enrol")).context["secret"]

    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret)
