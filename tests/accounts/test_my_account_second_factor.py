"""On "my account": new recovery codes, and removing the authenticator with a current code."""

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEvent, Outcome
from tests.accounts.second_factor_helpers import code_of, enrolled, log_in
from tests.grids.factories import UserFactory, administrator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED = True


@pytest.fixture
def verified(client):
    user = administrator(username="li")
    device, codes = enrolled(user)
    log_in(client, user)
    client.post(reverse("second_factor:verify"), {"code": code_of(device)})
    return user, device, codes


def test_the_page_says_how_many_recovery_codes_are_left(client, verified):
    user, _, codes = verified
    StaticToken.objects.filter(token=codes[0]).delete()

    response = client.get(reverse("second_factor:account"))

    assert response.status_code == 200 and response.context["codes_left"] == 9


def test_the_footer_links_to_my_account(client, verified):
    response = client.get(reverse("monitoring:today"))

    assert reverse("second_factor:account") in response.content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, verified):
    user, _, old = verified

    response = client.post(reverse("second_factor:recovery_codes"))

    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(new)
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR, detail__step="new_recovery_codes").exists()


def test_removing_the_authenticator_needs_a_current_code(client, verified):
    user, device, _ = verified

    # A minute after logging in: the code that logged in was spent.
    with time_machine.travel("2026-11-25 10:01:05 +0800", tick=False) as clock:
        wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
        refused = client.post(reverse("second_factor:remove"), {"code": wrong})
        assert TOTPDevice.objects.filter(user=user).exists()
        clock.shift(2)  # past the throttle's one second
        removed = client.post(reverse("second_factor:remove"), {"code": code_of(device)})

    assert refused.status_code == removed.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticToken.objects.exists()
    outcomes = [
        (e.outcome, e.detail["step"])
        for e in AuditEvent.objects.filter(action=Action.SECOND_FACTOR).order_by("id")
    ]
    assert outcomes[-2:] == [(Outcome.FAILED, "remove"), (Outcome.OK, "remove")]
    # An administrator still needs one: the next page is enrolment.
    assert client.get(reverse("monitoring:today")).url.startswith(reverse("second_factor:enrol"))


def test_someone_who_needs_none_may_set_one_up_of_their_own_accord(client):
    log_in(client, UserFactory(username="wang", is_staff=False))

    page = client.get(reverse("second_factor:account"))

    assert page.status_code == 200 and page.context["device"] is None and not page.context["needs"]
    assert reverse("second_factor:enrol") in page.content.decode()


def test_where_nobody_is_asked_a_code_is_still_needed_to_change_it(client, settings):
    settings.OTP_REQUIRED = False
    user = UserFactory(username="wang", is_staff=False)
    _, codes = enrolled(user)
    log_in(client, user)

    page = client.get(reverse("second_factor:account"))
    client.post(reverse("second_factor:recovery_codes"))

    assert page.status_code == 200 and not page.context["verified"]
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)


def test_new_recovery_codes_keep_a_session_that_came_in_with_a_recovery_code(client):
    user = administrator(username="li")
    _, codes = enrolled(user)
    log_in(client, user)
    client.post(reverse("second_factor:verify"), {"code": codes[0]})

    client.post(reverse("second_factor:recovery_codes"))

    assert client.get(reverse("monitoring:today")).status_code == 200
