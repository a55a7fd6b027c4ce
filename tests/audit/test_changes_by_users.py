"""Every change a signed-in user makes to our apps' rows, through the admin or the API,
leaves a row: the model, its id, the names of the changed fields (never their values).
Jobs and the factories' own saves (no request) leave none."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import Action, AuditEvent
from tests.admin_forms import admin_form_data
from tests.grids.factories import administrator
from tests.households.factories import HouseholdFactory, MemberFactory
from tests.households.test_edit_history import _member_fields

pytestmark = pytest.mark.django_db


def changes(action=Action.CHANGED, target_type="households.household"):
    return list(AuditEvent.objects.filter(action=action, target_type=target_type))


def test_a_change_in_the_admin_names_the_model_the_id_and_the_changed_fields(
    grid, client, django_capture_on_commit_callbacks
):
    household = HouseholdFactory(unit=grid.building_1, phone="13800138000")
    MemberFactory(household=household)
    editor = administrator(username="editor")
    client.force_login(editor)
    url = reverse("admin:households_household_change", args=[household.pk])
    fields = {
        "number": household.number,
        "status": "active",
        "building": grid.building_1.pk,
        "unit": grid.building_1.pk,
        "entrance": "1",
        "floor": "5",
        "room": household.room,
        "phone": "13900139000",
        "origin_county": household.origin_county,
        **{f"members-0-{k}": v for k, v in _member_fields(household.members.get()).items()},
    }

    data = admin_form_data(client, url, **fields)
    with django_capture_on_commit_callbacks(execute=True):  # recorded once the change commits
        assert client.post(url, data).status_code == 302

    [event] = changes()
    assert (event.username, event.target_ids) == ("editor", [household.pk])
    assert event.detail == {"fields": ["phone"]}
    assert "13900139000" not in event.canonical().decode()
    assert changes(target_type="households.member") == []  # the untouched member is not saved


def test_a_change_through_the_api_names_the_model_the_id_and_the_changed_fields(
    people, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(people.staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"/api/v1/households/{people.household.pk}/", {"room": "909"}, format="json")

    assert response.status_code == 200
    [event] = changes()
    assert (event.user_id, event.target_ids, event.detail) == (
        people.staff.pk,
        [people.household.pk],
        {"fields": ["room"]},
    )


def test_a_deletion_in_the_admin_is_recorded(grid, client, django_capture_on_commit_callbacks):
    from grids.models import GridLevel

    level = GridLevel.objects.create(name="临时", rank=99)
    client.force_login(administrator(username="editor"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:grids_gridlevel_delete", args=[level.pk]), {"post": "yes"})

    [event] = changes(Action.DELETED, "grids.gridlevel")
    assert (event.username, event.target_ids) == ("editor", [level.pk])


def test_saves_outside_a_request_are_no_users_change(grid):
    household = HouseholdFactory(unit=grid.building_1)
    household.room = "808"
    household.save()
    assert not AuditEvent.objects.filter(action__in=[Action.CREATED, Action.CHANGED]).exists()
