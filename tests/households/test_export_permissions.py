"""Who may export what: the permission, the scope, the form's refusals (no file, no log),
and the export log in the admin, read only."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from grids.models import Role
from grids.roles import GRID_WORKER
from households.models import ExportLog
from tests.grids.factories import UserFactory, administrator
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db
EXPORT = reverse("households:export")
CHANGELIST = reverse("admin:households_exportlog_changelist")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def march_the_twentieth():
    with time_machine.travel(at(datetime.date(2026, 3, 20), 10), tick=False):
        yield


def test_it_asks_for_a_login(client):
    response = client.get(EXPORT)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_without_the_permission_it_is_a_403_and_no_link(people, grid, assign, client):
    nobody = UserFactory(username="no-export")
    assign(nobody, grid.building_1, role=Role.FLOOR_HEAD)
    client.force_login(nobody)

    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"unit": "B1", "kind": "households", **MARCH}).status_code == 403
    assert 'href="/exports/"' not in client.get(reverse("households:overview")).content.decode()
    assert not ExportLog.objects.exists()


def test_a_group_that_loses_the_permission_loses_the_page(people, client):
    Group.objects.get(name=GRID_WORKER).permissions.remove(Permission.objects.get(codename="export_ledgers"))
    client.force_login(people.worker)

    assert client.post(EXPORT, {"unit": "B1", "kind": "households", **MARCH}).status_code == 403


@pytest.mark.parametrize("role", ["worker", "staff", "leader"])
def test_every_role_may_export_and_sees_the_link(people, client, role):
    client.force_login(getattr(people, role))

    page = client.get(EXPORT)

    assert page.status_code == 200
    assert 'href="/exports/"' in page.content.decode()


def test_a_unit_outside_the_scope_is_a_form_error_not_a_file(people, client):
    client.force_login(people.worker)

    response = client.post(EXPORT, {"unit": "B3", "kind": "households", **MARCH})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "unit" in response.context["form"].errors
    assert "B3" not in [code for code, _label in response.context["form"].fields["unit"].choices]
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "households", "start": "2026-03-31", "end": "2026-03-01"}, "end"),
        ({"kind": "visits", "start": "2025-01-01", "end": "2026-03-01"}, "end"),
        ({"kind": "cases", "start": "2025-02-28", "end": "2026-03-01"}, "end"),  # 367 days
        ({"kind": "households", "start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"kind": "households", "start": "2026-03-01", "end": ""}, "end"),
        ({"kind": "everything", "start": "2026-03-01", "end": "2026-03-02"}, "kind"),
    ],
)
def test_bad_input_names_the_field(people, client, data, field):
    client.force_login(people.staff)

    response = client.post(EXPORT, {"unit": "C1", **data})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert not ExportLog.objects.exists()


def test_a_year_of_households_is_fine_and_366_days_of_visits_too(people, client):
    client.force_login(people.staff)

    assert client.post(
        EXPORT, {"unit": "C1", "kind": "households", "start": "2020-01-01", "end": "2026-03-20"}
    )["Content-Disposition"].startswith("attachment")
    assert client.post(EXPORT, {"unit": "C1", "kind": "visits", "start": "2025-03-20", "end": "2026-03-20"})[
        "Content-Disposition"
    ].startswith("attachment")
    assert ExportLog.objects.count() == 2


def test_a_get_exports_nothing(people, client):
    client.force_login(people.staff)

    client.get(EXPORT, {"unit": "C1", "kind": "households", **MARCH})

    assert not ExportLog.objects.exists()


def test_administrators_read_the_log_in_the_admin_and_nobody_writes_it(people, client):
    client.force_login(people.staff)
    client.post(EXPORT, {"unit": "C1", "kind": "households", **MARCH})
    log = ExportLog.objects.get()
    admin_user = administrator(username="admin1")
    client.force_login(admin_user)

    page = client.get(CHANGELIST)

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [log]
    assert page.context["has_add_permission"] is False
    assert reverse("admin:households_exportlog_add") not in page.content.decode()
    assert client.get(reverse("admin:households_exportlog_add")).status_code == 403
    march = client.get(
        CHANGELIST, {"kind": "households", "exported_at__year": "2026", "exported_at__month": "3"}
    )
    assert list(march.context["cl"].result_list) == [log]
    assert not client.get(CHANGELIST, {"kind": "visits"}).context["cl"].result_list
    detail = client.get(reverse("admin:households_exportlog_change", args=[log.pk]))
    assert detail.status_code == 200 and not detail.context["has_change_permission"]
    assert client.post(reverse("admin:households_exportlog_delete", args=[log.pk])).status_code == 403
    # Not even a superuser may add, change or delete.
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:households_exportlog_add")).status_code == 403
    assert client.post(reverse("admin:households_exportlog_delete", args=[log.pk])).status_code == 403
    assert ExportLog.objects.count() == 1


def test_community_staff_do_not_see_the_log_in_the_admin(people, client):
    client.force_login(people.staff)

    assert client.get(CHANGELIST).status_code == 403
