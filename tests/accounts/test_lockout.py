"""Guessing passwords locks the account and the address, wherever the guesses come in: the
login page (by username or mobile number), the admin's login and the API token endpoint."""

import itertools

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.lockout import locked_message
from audit.models import Action, AuditEvent, Outcome
from grids.models import Profile
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def chinese_locked_message():
    # What a refused client reads: the page and the API speak the site's language.
    with translation.override("zh-hans"):
        return locked_message()


addresses = (f"10.0.0.{n}" for n in itertools.count(1))


def guess(client, path=None, *, username="li", password="wrong", address=None, **extra):
    return client.post(
        path or reverse("login"),
        {"username": username, "password": password, **extra},
        REMOTE_ADDR=address or next(addresses),
    )


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client):
    UserFactory(username="li")
    for _ in range(4):
        assert guess(client).status_code == 200

    locked = guess(client)
    right = guess(client, password="pw-for-tests")

    assert locked.status_code == 429 and right.status_code == 429
    assert chinese_locked_message() in right.content.decode()
    assert client.get(reverse("monitoring:today")).status_code == 302  # not logged in


def test_the_lock_ends_after_the_cool_off(client):
    UserFactory(username="li")
    for _ in range(5):
        guess(client)

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=31)):
        response = guess(client, password="pw-for-tests")

    assert response.status_code == 302


def test_a_mobile_number_and_the_username_count_against_the_same_account(client):
    Profile.objects.create(user=UserFactory(username="li"), mobile="13800138000")
    for name in ["li", "13800138000", "+86 138-0013-8000", "li"]:
        guess(client, username=name)
    guess(client, username="138 0013 8000")

    assert guess(client, username="li", password="pw-for-tests").status_code == 429
    assert guess(client, username="13800138000", password="pw-for-tests").status_code == 429


def test_guessing_many_accounts_from_one_address_locks_the_address(client):
    UserFactory(username="li")
    for n in range(5):
        guess(client, username=f"nobody{n}", address="10.9.9.9")

    assert guess(client, username="li", password="pw-for-tests", address="10.9.9.9").status_code == 429
    assert guess(client, username="li", password="pw-for-tests", address="10.9.9.10").status_code == 302


def test_the_admin_login_locks_too(client):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    path = reverse("admin:login")
    for _ in range(5):
        guess(client, path, username="boss", next="/admin/")

    response = guess(client, path, username="boss", password="pw-for-tests", next="/admin/")

    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_token_endpoint_locks_and_answers_in_json():
    UserFactory(username="li")
    client = Client()
    path = reverse("accounts:token")
    for _ in range(4):
        wrong = client.post(
            path,
            {"username": "li", "password": "wrong", "purpose": "同步"},
            content_type="application/json",
            REMOTE_ADDR=next(addresses),
        )
        assert wrong.status_code == 400 and wrong.json()["message"]

    locked = client.post(
        path,
        {"username": "li", "password": "wrong", "purpose": "同步"},
        content_type="application/json",
        REMOTE_ADDR=next(addresses),
    )
    right = client.post(
        path,
        {"username": "li", "password": "pw-for-tests", "purpose": "同步"},
        content_type="application/json",
        REMOTE_ADDR=next(addresses),
    )

    assert locked.status_code == 429 and right.status_code == 429
    assert right.json()["message"] == chinese_locked_message()
    assert "token" not in right.json()


def test_each_lock_is_audited_once_without_the_typed_name_when_nobody_has_it(client):
    li = UserFactory(username="li")
    for _ in range(7):
        guess(client)
    for _ in range(5):
        guess(client, username="13912345678", address="10.8.8.8")

    rows = list(AuditEvent.objects.filter(action=Action.LOCKED_OUT).order_by("id"))

    assert [(r.user_id, r.outcome) for r in rows] == [(li.pk, Outcome.REFUSED), (None, Outcome.REFUSED)]
    assert "13912345678" not in str([(r.username, r.detail, r.target_ids) for r in rows])


def test_a_locked_accounts_open_session_ends_at_its_next_request(client):
    UserFactory(username="li")
    assert guess(client, password="pw-for-tests").status_code == 302
    assert client.get(reverse("monitoring:today")).status_code == 200

    attacker = Client()
    for _ in range(5):
        guess(attacker)

    ended = client.get(reverse("monitoring:today"))
    assert ended.status_code == 302 and ended.url.startswith(reverse("login"))
    assert client.get(reverse("monitoring:today")).status_code == 302
    assert client.get("/api/v1/households/").status_code in (401, 403)


def test_a_security_administrator_unlocks_an_account_and_it_is_audited(client):
    from tests.accounts.factories import security_administrator

    li = UserFactory(username="li")
    for _ in range(5):
        guess(client)
    admin_client = Client()
    admin_client.force_login(security_administrator(username="sec"))

    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_accounts", "_selected_action": [li.pk]},
    )

    assert response.status_code == 302
    assert guess(client, password="pw-for-tests").status_code == 302
    unlocked = AuditEvent.objects.get(action=Action.UNLOCKED)
    assert unlocked.username == "sec" and unlocked.target_ids == [li.pk]


def test_deleting_a_lockout_in_its_admin_page_unlocks_and_is_audited(client):
    from axes.models import AccessAttempt

    from tests.accounts.factories import security_administrator

    UserFactory(username="li")
    for _ in range(5):
        guess(client, address="10.7.7.7")
    admin_client = Client()
    admin_client.force_login(security_administrator(username="sec"))

    admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert not AccessAttempt.objects.exists()
    assert guess(client, password="pw-for-tests", address="10.7.7.7").status_code == 302
    assert AuditEvent.objects.filter(action=Action.UNLOCKED, username="sec").count() == 1


def test_every_failure_and_the_refused_right_password_are_audited_with_the_lock(client):
    UserFactory(username="li")
    for _ in range(5):
        guess(client)
    guess(client, password="pw-for-tests")

    failed = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="li")
    assert failed.count() == 6 and AuditEvent.objects.filter(action=Action.LOCKED_OUT).count() == 1
    assert not AuditEvent.objects.filter(action=Action.LOGIN).exists()
