"""Changes of roles and permissions made by a user are recorded: who changed whose what,
with the names of the groups and permissions; and a user's superuser, staff and active
flags."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from audit.models import Action, AuditEvent
from grids.roles import GRID_WORKER, LEADER
from tests.admin_forms import admin_form_data
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def committing(django_capture_on_commit_callbacks, monkeypatch):
    """Changes are recorded once they commit; the test's transaction never does, so each
    request's callbacks run when it answers, as a commit would run them."""
    import django.test.client

    handle = django.test.client.ClientHandler.__call__

    def handle_and_commit(self, environ):
        with django_capture_on_commit_callbacks(execute=True):
            return handle(self, environ)

    monkeypatch.setattr(django.test.client.ClientHandler, "__call__", handle_and_commit)


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def role_changes():
    return list(AuditEvent.objects.filter(action=Action.ROLE_CHANGED).order_by("id"))


def change_user(client, user, **fields):
    url = reverse("admin:auth_user_change", args=[user.pk])
    joined = user.date_joined.astimezone()
    shown = {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }
    response = client.post(url, admin_form_data(client, url, **{**shown, **fields}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_adding_a_user_to_a_group_in_the_admin_is_recorded(root, client):
    worker = UserFactory(username="worker", groups=[GRID_WORKER])
    leader = Group.objects.get(name=LEADER)

    change_user(client, worker, groups=[Group.objects.get(name=GRID_WORKER).pk, leader.pk])

    [event] = role_changes()
    assert (event.username, event.target_type, event.target_ids) == ("root", "auth.user", [worker.pk])
    assert event.detail == {"field": "groups", "added": [LEADER]}


def test_removing_a_group_and_making_a_superuser_are_recorded(root, client):
    worker = UserFactory(username="worker", groups=[GRID_WORKER])

    change_user(client, worker, groups=[], is_superuser="on", is_staff="on")

    details = [event.detail for event in role_changes()]
    assert {"flags": {"is_superuser": True, "is_staff": True}} in details
    assert {"field": "groups", "removed": [GRID_WORKER]} in details


def test_a_groups_permissions_changed_in_the_admin_are_recorded(root, client):
    group = Group.objects.create(name="Temporary")
    permission = Permission.objects.get(codename="view_household")
    url = reverse("admin:auth_group_change", args=[group.pk])

    client.post(url, admin_form_data(client, url, name="Temporary", permissions=[permission.pk]))

    [event] = role_changes()
    assert (event.target_type, event.target_ids) == ("auth.group", [group.pk])
    assert event.detail == {"field": "permissions", "added": ["view_household"]}


def test_a_login_which_saves_the_user_is_no_role_change(client):
    UserFactory(username="anna")
    client.post(reverse("login"), {"username": "anna", "password": "pw-for-tests"})
    assert role_changes() == []


def test_an_account_made_in_the_admin_is_recorded(root, client):
    url = reverse("admin:auth_user_add")
    client.post(url, {"username": "newcomer", "password1": "Xy7#kq2-Lmn9", "password2": "Xy7#kq2-Lmn9"})

    [event] = AuditEvent.objects.filter(action=Action.CREATED, target_type="auth.user")
    assert (event.username, event.target_id) == ("root", str(User.objects.get(username="newcomer").pk))


def test_a_login_leaves_one_row_not_a_change_of_the_user_too(client):
    UserFactory(username="anna")
    client.post(reverse("login"), {"username": "anna", "password": "pw-for-tests"})
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [Action.LOGIN]
