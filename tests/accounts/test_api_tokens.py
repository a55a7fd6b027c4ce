"""API tokens: each names its purpose, is shown once, is stored only as a hash, expires,
and dies when revoked, when its user's password changes and when its user is deactivated."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import Action, AuditEvent
from tests.accounts.factories import api_token, security_administrator
from tests.grids.factories import UserFactory, grid_worker

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"


def with_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_endpoint_gives_a_key_that_works_with_the_token_header():
    grid_worker(username="li")

    response = APIClient().post(
        reverse("accounts:token"), {"username": "li", "password": "pw-for-tests", "purpose": "民政局数据同步"}
    )

    assert response.status_code == 201
    key = response.json()["token"]
    assert with_key(key).get(HOUSEHOLDS).status_code == 200
    token = ApiToken.objects.get()
    assert token.purpose == "民政局数据同步"
    assert token.expires_at == token.created_at + datetime.timedelta(days=30)
    assert AuditEvent.objects.filter(action=Action.TOKEN, username="li", detail__event="created").exists()


def test_a_token_needs_a_purpose():
    UserFactory(username="li")

    response = APIClient().post(reverse("accounts:token"), {"username": "li", "password": "pw-for-tests"})

    assert response.status_code == 400 and "purpose" in response.json()["fields"]
    assert not ApiToken.objects.exists()


def test_the_database_holds_no_key():
    key = api_token(UserFactory(username="li"))

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        row = cursor.fetchone()

    assert not any(key in str(value) or key.split(".")[1] in str(value) for value in row)


def test_an_expired_token_is_refused():
    key = api_token(UserFactory(username="li"))

    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = with_key(key).get(HOUSEHOLDS)

    assert response.status_code == 401 and response.json()["message"]


def test_a_revoked_token_is_refused():
    key = api_token(UserFactory(username="li"))
    ApiToken.objects.revoke()

    assert with_key(key).get(HOUSEHOLDS).status_code == 401


def test_a_made_up_token_is_refused():
    assert with_key("deadbeef.not-a-real-secret").get(HOUSEHOLDS).status_code == 401


def test_a_password_change_ends_the_users_tokens(client):
    user = UserFactory(username="li")
    key = api_token(user)
    client.force_login(user)

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "pw-for-tests",
            "new_password1": "Brand-New-Pass-1",
            "new_password2": "Brand-New-Pass-1",
        },
    )

    assert with_key(key).get(HOUSEHOLDS).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_deactivating_a_user_ends_the_users_tokens():
    user = UserFactory(username="li")
    key = api_token(user)
    admin = Client()
    admin.force_login(security_administrator(username="sec"))

    response = admin.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": "li",
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert with_key(key).get(HOUSEHOLDS).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_token_of_a_user_deactivated_elsewhere_is_refused():
    user = UserFactory(username="li")
    key = api_token(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert with_key(key).get(HOUSEHOLDS).status_code == 401


def test_the_admin_shows_a_new_key_once_and_never_again():
    user = grid_worker(username="li")
    admin = Client()
    admin.force_login(security_administrator(username="sec"))

    added = admin.post(
        reverse("admin:accounts_apitoken_add"),
        {
            "user": user.pk,
            "purpose": "民政局数据同步",
            "expires_at_0": "2026-12-20",
            "expires_at_1": "10:00:00",
        },
        follow=True,
    )

    token = ApiToken.objects.get()
    shown = [str(m) for m in added.context["messages"] if token.prefix in str(m)]
    key = re.search(rf"{token.prefix}\.[\w-]+", shown[0])[0]  # in any language's message
    assert with_key(key).get(HOUSEHOLDS).status_code == 200
    again = admin.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert key not in again and token.prefix in again


def test_last_use_is_written_at_most_once_a_minute():
    key = api_token(UserFactory(username="li"))
    client = with_key(key)
    with time_machine.travel("2026-11-25 11:00:00 +0800", tick=False) as clock:
        client.get(HOUSEHOLDS)
        first = ApiToken.objects.get().last_used_at
        clock.shift(30)
        client.get(HOUSEHOLDS)
        assert ApiToken.objects.get().last_used_at == first
        clock.shift(31)
        client.get(HOUSEHOLDS)
        assert ApiToken.objects.get().last_used_at > first


def test_a_token_of_a_locked_account_is_refused():
    from axes.models import AccessAttempt

    user = UserFactory(username="li")
    key = api_token(user)
    AccessAttempt.objects.create(
        username="li",
        ip_address="10.0.0.1",
        user_agent="",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )

    assert with_key(key).get(HOUSEHOLDS).status_code == 401


def test_the_command_prints_a_working_key_once_and_names_bad_input():
    import io

    from django.core.management import CommandError, call_command

    grid_worker(username="li")
    out = io.StringIO()

    call_command("issue_api_token", "li", purpose="接口测试", stdout=out, stderr=io.StringIO())

    key = out.getvalue().strip()
    assert with_key(key).get(HOUSEHOLDS).status_code == 200
    assert ApiToken.objects.get().purpose == "接口测试"
    assert key not in str(ApiToken.objects.values().get())
    with pytest.raises(CommandError, match="username"):
        call_command("issue_api_token", "nobody", purpose="x")
    with pytest.raises(CommandError, match="purpose"):
        call_command("issue_api_token", "li", purpose="  ")
