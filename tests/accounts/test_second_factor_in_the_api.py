"""The API refuses a browser session that has not passed its second factor; tokens are
the token endpoint's business."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import api_token
from tests.accounts.second_factor_helpers import code_of, enrolled, log_in
from tests.grids.factories import administrator

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture(autouse=True)
def required(settings):
    settings.OTP_REQUIRED = True


def test_a_session_without_the_second_factor_gets_a_403_that_says_why(client):
    enrolled(administrator(username="li"))
    log_in(client, administrator(username="li"))

    response = client.get(API)

    assert response.status_code == 403
    assert "second factor" in response.json()["message"] or "第二" in response.json()["message"]


def test_a_session_that_passed_it_reads_the_api(client):
    user = administrator(username="li")
    device, _ = enrolled(user)
    log_in(client, user)
    client.post(reverse("second_factor:verify"), {"code": code_of(device)})

    assert client.get(API).status_code == 200


def test_a_token_is_not_a_session(client):
    token = api_token(administrator(username="li"))

    response = client.get(API, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200


def ask_for_token(**extra):
    from rest_framework.test import APIClient

    data = {"username": "li", "password": "pw-for-tests", "purpose": "民政局数据同步", **extra}
    return APIClient().post(reverse("accounts:token"), data)


def test_the_token_endpoint_wants_the_code_of_whoever_needs_a_second_factor():
    from accounts.models import ApiToken

    device, _ = enrolled(administrator(username="li"))

    without = ask_for_token()
    wrong = ask_for_token(code="000000" if code_of(device) != "000000" else "111111")
    # After a wrong code the next try waits a second (django-otp's throttle).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        right = ask_for_token(code=code_of(device))

    assert without.status_code == wrong.status_code == 400
    assert "code" in without.json()["fields"] and "code" in wrong.json()["fields"]
    assert right.status_code == 201
    assert ApiToken.objects.count() == 1


def test_a_code_spent_on_a_token_is_not_good_for_a_second_one():
    device, _ = enrolled(administrator(username="li"))
    code = code_of(device)

    assert ask_for_token(code=code).status_code == 201
    assert ask_for_token(code=code).status_code == 400


def test_no_token_for_one_who_needs_a_second_factor_and_has_none():
    administrator(username="li")

    response = ask_for_token()

    assert response.status_code == 403
    assert "token" not in response.json()
