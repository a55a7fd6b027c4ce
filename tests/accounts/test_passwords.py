"""Passwords of 等保 level 3: long and mixed, not one of the last five, changed when an
administrator set them or when they expire, and until then nothing else opens."""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import PasswordHistory
from audit.models import Action, AuditEvent
from tests.accounts.factories import security_administrator
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")


def codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    "password, refused",
    [
        ("Ab1!", {"password_too_short"}),
        ("abcdefghijk", {"password_too_simple"}),
        ("abcdefghij12", {"password_too_simple"}),
        ("Abcdefghij12", set()),
        ("abcdefghij1!", set()),
        ("Hhl-demo-2026", set()),
        ("hhl-demo-twenty", {"password_too_simple"}),
    ],
)
def test_a_password_needs_ten_characters_of_three_kinds(password, refused):
    assert codes(password) == refused


def change(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_none_of_the_last_five_passwords_can_be_used_again(client):
    user = UserFactory(username="li")
    client.force_login(user)
    passwords = ["pw-for-tests", *(f"Neues-Wort-{n}" for n in range(1, 7))]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302, new

    refused = change(client, "Neues-Wort-6", "Neues-Wort-2")
    allowed = change(client, "Neues-Wort-6", "Neues-Wort-1")

    assert refused.status_code == 200 and refused.context["form"].has_error(
        "new_password2", "password_reused"
    )
    assert allowed.status_code == 302
    assert PasswordHistory.objects.filter(user=user).count() == 7  # never deleted


def test_the_current_password_of_a_user_from_before_the_history_cannot_be_reused(client):
    client.force_login(UserFactory(username="li", password="Old-Password-1"))

    response = change(client, "Old-Password-1", "Old-Password-1")

    assert response.context["form"].has_error("new_password2", "password_reused")


def create_in_admin(password="Admin-Set-2026"):
    admin = Client()
    admin.force_login(security_administrator(username="sec"))
    response = admin.post(
        reverse("admin:auth_user_add"),
        {"username": "newcomer", "password1": password, "password2": password, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    return get_user_model().objects.get(username="newcomer")


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_an_administrator_created_must_choose_a_password_before_anything_else(client):
    create_in_admin()
    log_in(client, "newcomer", "Admin-Set-2026")

    page = client.get(reverse("monitoring:today"))
    api = client.get("/api/v1/households/")
    form = client.get(CHANGE)

    assert page.status_code == 302 and page.url == CHANGE
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    assert form.status_code == 200 and form.context["reason"]


def test_the_users_own_change_lets_them_in(client):
    create_in_admin()
    log_in(client, "newcomer", "Admin-Set-2026")

    assert change(client, "Admin-Set-2026", "My-Own-Choice-7").status_code == 302
    assert client.get(reverse("monitoring:today")).status_code == 200
    audited = AuditEvent.objects.filter(action=Action.PASSWORD_CHANGED).order_by("id")
    assert [(e.username, e.detail["by_administrator"]) for e in audited] == [
        ("sec", True),
        ("newcomer", False),
    ]


def test_a_password_an_administrator_resets_must_be_changed_again(client):
    user = UserFactory(username="li")
    admin = Client()
    admin.force_login(security_administrator(username="sec"))
    admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Reset-By-Admin-1", "password2": "Reset-By-Admin-1", "usable_password": "true"},
    )

    log_in(client, "li", "Reset-By-Admin-1")

    assert client.get(reverse("monitoring:today")).url == CHANGE


def test_an_administrator_cannot_set_a_weak_password(client):
    admin = Client()
    admin.force_login(security_administrator(username="sec"))

    response = admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "password1": "hhl-demo-two",
            "password2": "hhl-demo-two",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="newcomer").exists()


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_an_expired_password_leads_to_the_change_page(client):
    user = UserFactory(username="li")
    client.force_login(user)
    assert change(client, "pw-for-tests", "Fresh-Password-1").status_code == 302
    assert client.get(reverse("monitoring:today")).status_code == 200

    with time_machine.travel("2027-03-01 10:00 +0800"):
        later = Client()
        user.refresh_from_db()
        later.force_login(user)
        response = later.get(reverse("monitoring:today"))

    assert response.status_code == 302 and response.url == CHANGE


def test_expiry_is_off_by_default(client):
    user = UserFactory(username="li")
    with time_machine.travel("2030-01-01 10:00 +0800"):
        client.force_login(user)
        assert client.get(reverse("monitoring:today")).status_code == 200
