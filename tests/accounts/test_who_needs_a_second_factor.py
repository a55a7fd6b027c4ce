"""Who must pass a second factor after the password, and the settings that decide it."""

import pytest
from django.contrib.auth.models import Permission

from accounts.second_factor import needs_second_factor
from tests.accounts.second_factor_helpers import enrolled
from tests.config.test_environment_settings import PRODUCTION, settings_value
from tests.grids.factories import UserFactory, administrator, community_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.OTP_REQUIRED = True
    return settings


def test_superusers_staff_and_whoever_sees_full_id_numbers_need_one(required):
    plain = UserFactory(is_staff=False)
    sees_ids = UserFactory(is_staff=False)
    sees_ids.user_permissions.add(Permission.objects.get(codename="view_id_number"))

    assert needs_second_factor(UserFactory(is_superuser=True))
    assert needs_second_factor(administrator())
    assert needs_second_factor(community_staff())
    assert needs_second_factor(sees_ids)
    assert not needs_second_factor(plain)


def test_everyone_needs_one_when_the_site_says_so(required):
    required.OTP_REQUIRED_FOR_EVERYONE = True

    assert needs_second_factor(UserFactory(is_staff=False))


def test_a_user_who_set_one_up_of_their_own_accord_is_asked_for_it(required):
    user = UserFactory(is_staff=False)
    enrolled(user)

    assert needs_second_factor(user)


def test_nobody_is_asked_when_it_is_off_as_in_the_demo(settings):
    settings.OTP_REQUIRED = False
    settings.OTP_REQUIRED_FOR_EVERYONE = True

    assert not needs_second_factor(UserFactory(is_superuser=True, is_staff=True))


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({}, "False"),  # the demo: a newcomer is not stopped
        ({"OTP_REQUIRED": "1"}, "True"),  # OTP_REQUIRED=1 make demo
        ({**PRODUCTION, "OTP_REQUIRED": "0"}, "True"),  # production: no variable turns it off
    ],
)
def test_production_always_requires_it_and_the_demo_only_when_asked(env, required):
    result = settings_value("settings.OTP_REQUIRED", **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == required
