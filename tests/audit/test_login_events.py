"""Logins, logouts and failed logins are recorded; a failed login keeps the typed name
only if it is a user's (otherwise it may be a password or an ID number)."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_a_login_and_a_logout_are_recorded_with_who_and_from_where(client):
    user = UserFactory(username="anna")

    client.post(reverse("login"), {"username": "anna", "password": "pw-for-tests"}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")

    [login] = events(Action.LOGIN)
    [logout] = events(Action.LOGOUT)
    assert (login.user_id, login.username, login.address, login.outcome) == (
        user.pk,
        "anna",
        "10.1.2.3",
        Outcome.OK,
    )
    assert (logout.user_id, logout.username) == (user.pk, "anna")


def test_a_failed_login_of_a_user_names_the_user(client):
    UserFactory(username="anna")

    client.post(reverse("login"), {"username": "anna", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")

    [failed] = events(Action.LOGIN_FAILED)
    assert (failed.username, failed.user_id, failed.outcome, failed.address) == (
        "anna",
        None,
        Outcome.FAILED,
        "10.1.2.3",
    )
    assert failed.detail == {}


def test_a_failed_login_with_an_unknown_name_keeps_nothing_of_what_was_typed(client):
    typed = "53010219900101123X"  # an ID number typed into the user-name box

    client.post(reverse("login"), {"username": typed, "password": "whatever"})

    [failed] = events(Action.LOGIN_FAILED)
    assert failed.username == ""
    assert failed.detail == {"unknown_user": True}
    assert typed not in failed.canonical().decode()


def test_a_login_straight_to_the_app_is_recorded_from_its_connection_not_its_claim(client, settings):
    """Behind a proxy the audit log records the address the proxy names; a header sent by
    anyone else is their claim, and the connection's address is recorded."""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    UserFactory(username="anna")

    client.post(
        reverse("login"),
        {"username": "anna", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="10.1.2.3",
    )
    client.post(
        reverse("login"),
        {"username": "anna", "password": "wrong"},
        REMOTE_ADDR="10.7.7.7",
        HTTP_X_REAL_IP="10.1.2.3",
    )

    assert [event.address for event in events(Action.LOGIN_FAILED)] == ["10.1.2.3", "10.7.7.7"]
