"""After the password, the second factor, before any other page (the admin included)."""

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from tests.accounts.second_factor_helpers import code_of, enrolled, log_in
from tests.grids.factories import UserFactory, administrator

pytestmark = pytest.mark.django_db

CARD_URL = "/households/?q=3"


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED = True


def test_an_administrator_with_an_authenticator_types_its_code_and_goes_where_they_were_going(client):
    user = administrator(username="li")
    device, _ = enrolled(user)

    login = log_in(client, user, next_url=CARD_URL)
    blocked = client.get(login.url)
    page = client.get(blocked.url)
    done = client.post(blocked.url, {"code": code_of(device), "next": page.context["next"]})

    assert login.url == CARD_URL
    assert blocked.status_code == 302 and blocked.url.startswith(reverse("second_factor:verify"))
    assert page.status_code == 200 and page.context["next"] == CARD_URL
    assert done.status_code == 302 and done.url == CARD_URL
    assert client.get(reverse("monitoring:today")).status_code == 200


@pytest.mark.parametrize("url", ["/admin/", "/", "/accounts/me/"])
def test_no_page_opens_before_the_code(client, url):
    enrolled(administrator(username="li"))
    log_in(client, administrator(username="li"))

    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(reverse("second_factor:verify"))


def test_a_user_without_an_authenticator_is_sent_to_set_one_up(client):
    log_in(client, administrator(username="li"))

    response = client.get(reverse("monitoring:today"))

    assert response.status_code == 302 and response.url.startswith(reverse("second_factor:enrol"))


def test_logging_out_and_switching_language_need_no_code(client):
    enrolled(administrator(username="li"))
    log_in(client, administrator(username="li"))

    language = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    logout = client.post(reverse("logout"))

    assert language.status_code == 302 and language.url == "/"
    assert logout.status_code == 302 and logout.url == reverse("login")


def test_a_grid_worker_outside_the_rule_is_not_asked(client):
    user = UserFactory(username="wang", is_staff=False)

    log_in(client, user)

    assert client.get(reverse("monitoring:today")).status_code == 200


def test_a_wrong_code_is_refused_and_audited_without_the_code(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    log_in(client, user)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("second_factor:verify"), {"code": wrong})

    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert client.get(reverse("monitoring:today")).status_code == 302
    event = AuditEvent.objects.filter(action=Action.SECOND_FACTOR).get()
    assert (event.username, event.outcome, event.detail) == (
        "li",
        Outcome.FAILED,
        {"step": "verify", "method": "totp"},
    )
    assert wrong not in str(event.detail)


def test_a_right_code_is_audited_as_a_success(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    log_in(client, user)

    client.post(reverse("second_factor:verify"), {"code": code_of(device)})

    event = AuditEvent.objects.filter(action=Action.SECOND_FACTOR).get()
    assert (event.outcome, event.target_type, event.target_ids) == (
        Outcome.OK,
        "otp_totp.totpdevice",
        [device.pk],
    )


def test_a_code_is_never_accepted_twice(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False):
        code = code_of(device)
        log_in(client, user)
        client.post(reverse("second_factor:verify"), {"code": code})
        client.post(reverse("logout"))
        log_in(client, user)
        # Still the same 30 seconds: the code is on the phone's screen, and on a thief's.
        replayed = client.post(reverse("second_factor:verify"), {"code": code})

    assert replayed.status_code == 200 and replayed.context["form"].errors["code"]
    outcomes = list(
        AuditEvent.objects.filter(action=Action.SECOND_FACTOR)
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [Outcome.OK, Outcome.FAILED]


def test_the_next_code_is_accepted_half_a_minute_later(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    with time_machine.travel("2026-11-25 10:00:05 +0800", tick=False) as clock:
        log_in(client, user)
        client.post(reverse("second_factor:verify"), {"code": code_of(device)})
        client.post(reverse("logout"))
        clock.shift(30)
        log_in(client, user)
        response = client.post(reverse("second_factor:verify"), {"code": code_of(device)})

    assert response.status_code == 302


def test_a_code_from_someone_elses_authenticator_is_refused(client):
    user = administrator(username="li")
    enrolled(user)
    other_device, other_codes = enrolled(administrator(username="zhao"))
    log_in(client, user)

    by_code = client.post(reverse("second_factor:verify"), {"code": code_of(other_device)})
    by_recovery = client.post(reverse("second_factor:verify"), {"code": other_codes[0]})

    assert by_code.status_code == 200 and by_recovery.status_code == 200
    assert client.get(reverse("monitoring:today")).status_code == 302


def test_a_session_pointing_at_someone_elses_device_is_not_verified(client):
    user = administrator(username="li")
    enrolled(user)
    other_device, _ = enrolled(administrator(username="zhao"))
    log_in(client, user)
    session = client.session
    session["otp_device_id"] = other_device.persistent_id
    session.save()

    assert client.get(reverse("monitoring:today")).status_code == 302


def test_a_recovery_code_lets_one_in_once(client):
    user = administrator(username="li")
    _, codes = enrolled(user)
    log_in(client, user)

    first = client.post(reverse("second_factor:verify"), {"code": codes[3].upper()})
    client.post(reverse("logout"))
    log_in(client, user)
    second = client.post(reverse("second_factor:verify"), {"code": codes[3]})

    assert first.status_code == 302
    assert second.status_code == 200 and second.context["form"].errors["code"]
    events = AuditEvent.objects.filter(action=Action.SECOND_FACTOR).order_by("id")
    assert [(e.outcome, e.detail["method"]) for e in events] == [
        (Outcome.OK, "recovery"),
        (Outcome.FAILED, "recovery"),
    ]


def test_wrong_codes_are_throttled_six_tries_in_the_first_minute(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    log_in(client, user)
    tried = 0
    with time_machine.travel("2026-11-25 10:00:00 +0800", tick=False) as clock:
        right = code_of(device)
        wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
        # An attacker with the password guesses every second for a minute.
        for _ in range(60):
            client.post(reverse("second_factor:verify"), {"code": wrong})
            clock.shift(1)
        tried = AuditEvent.objects.filter(action=Action.SECOND_FACTOR, outcome=Outcome.FAILED).count()
        refused = client.post(reverse("second_factor:verify"), {"code": code_of(device)})

    assert tried == 6
    assert AuditEvent.objects.filter(action=Action.SECOND_FACTOR, outcome=Outcome.REFUSED).count() == 55
    # Even the right code waits out the delay: a guess that happens to be right teaches nothing.
    assert refused.status_code == 200 and "秒" in str(
        refused.context["form"].errors["code"]
    )  # "try again in N seconds"


def test_a_next_on_another_site_is_ignored(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    log_in(client, user)

    response = client.post(
        reverse("second_factor:verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )

    assert response.status_code == 302 and response.url == reverse("monitoring:today")
