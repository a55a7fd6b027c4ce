"""三权分立: the security administrator manages accounts, lockouts and tokens; the system
administrator configures the grid and its data but manages no account."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts.roles import SECURITY_ADMINISTRATOR
from grids import roles

pytestmark = pytest.mark.django_db


def held(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def test_the_security_administrator_manages_accounts_lockouts_and_tokens():
    assert {
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        "auth.change_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "accounts.view_apitoken",
        "accounts.add_apitoken",
        "accounts.change_apitoken",
    } <= held(SECURITY_ADMINISTRATOR)


def test_the_security_administrator_sees_no_household():
    assert not {
        p for p in held(SECURITY_ADMINISTRATOR) if p.startswith(("households.", "monitoring.", "services."))
    }


def test_the_system_administrator_manages_no_account():
    assert not {p for p in held(roles.ADMINISTRATOR) if p.startswith(("auth.", "axes.", "accounts."))}


def test_an_existing_installs_administrator_loses_the_account_rights_given_by_hand():
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))

    importlib.import_module("accounts.migrations.0003_administrator_manages_no_accounts").take_away(
        apps, None
    )

    assert not {p for p in held(roles.ADMINISTRATOR) if p.startswith("auth.")}
    assert "grids.change_gridunit" in held(roles.ADMINISTRATOR)


def test_a_security_administrator_cannot_make_anyone_a_superuser():
    from django.test import Client
    from django.urls import reverse

    from tests.accounts.factories import security_administrator

    sec = security_administrator(username="sec")
    client = Client()
    client.force_login(sec)

    response = client.post(
        reverse("admin:auth_user_change", args=[sec.pk]),
        {
            "username": "sec",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": list(sec.groups.values_list("pk", flat=True)),
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 302  # saved, without the field it may not change
    sec.refresh_from_db()
    assert not sec.is_superuser
