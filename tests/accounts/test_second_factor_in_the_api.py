"""The API refuses a browser session that has not passed its second factor; tokens are
the token endpoint's business."""

import pytest
from django.urls import reverse

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
    assert "second factor" in response.json()["detail"] or "第二" in response.json()["detail"]


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
