"""Logging in with a username or a mobile number; sessions that end."""

import pytest
import time_machine
from django.urls import reverse

from grids.models import Profile
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_log_in_with_a_mobile_number_typed_any_way(client):
    user = UserFactory(username="li")
    Profile.objects.create(user=user, mobile="13800138000")

    response = client.post(reverse("login"), {"username": "+86 138-0013-8000", "password": "pw-for-tests"})

    assert response.status_code == 302
    assert client.get(reverse("monitoring:today")).status_code == 200


def test_a_wrong_password_with_a_mobile_number_is_refused(client):
    Profile.objects.create(user=UserFactory(username="li"), mobile="13800138000")

    response = client.post(reverse("login"), {"username": "13800138000", "password": "wrong"})

    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.parametrize("hours_later, still_in", [(1.5, True), (2.5, False)])
def test_two_idle_hours_end_the_session(client, hours_later, still_in):
    UserFactory(username="li")
    with time_machine.travel("2026-11-25 08:00 +0800", tick=False) as clock:
        client.post(reverse("login"), {"username": "li", "password": "pw-for-tests"})
        client.get(reverse("monitoring:today"))
        clock.shift(hours_later * 3600)
        response = client.get(reverse("monitoring:today"))

    assert (response.status_code == 200) is still_in


def test_twelve_hours_end_the_session_however_busy(client):
    UserFactory(username="li")
    with time_machine.travel("2026-11-25 07:00 +0800", tick=False) as clock:
        client.post(reverse("login"), {"username": "li", "password": "pw-for-tests"})
        for _ in range(14):
            response = client.get(reverse("monitoring:today"))
            clock.shift(3600)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
