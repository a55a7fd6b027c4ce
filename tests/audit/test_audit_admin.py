"""The audit log in the admin: read by the audit administrator's group only (三权分立),
not by a superuser as such; nobody adds, changes or deletes a row there; the audit
administrator sees nothing else; and "who read this household this month" is a filter."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.events import record
from audit.models import Action, Outcome
from audit.roles import AUDIT_ADMINISTRATOR
from tests.grids.factories import UserFactory, administrator
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:audit_auditevent_changelist")


@pytest.fixture
def auditor(client):
    user = UserFactory(username="auditor", is_staff=True, groups=[AUDIT_ADMINISTRATOR])
    client.force_login(user)
    return user


def listed(response):
    return [str(event) for event in response.context["cl"].result_list]


def test_the_audit_administrator_reads_the_log(auditor, client):
    record(Action.LOGIN_FAILED, username="", outcome=Outcome.FAILED, detail={"unknown_user": True})

    page = client.get(CHANGELIST)

    assert page.status_code == 200
    # Newest first: the failed login, then the auditor's own.
    assert [e.action for e in page.context["cl"].result_list] == [Action.LOGIN_FAILED, Action.LOGIN]
    row = page.context["cl"].result_list[0]
    assert client.get(reverse("admin:audit_auditevent_change", args=[row.pk])).status_code == 200


def test_a_superuser_does_not_read_the_log_by_being_one(client):
    record(Action.LOGIN, username="someone")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    assert client.get(CHANGELIST).status_code == 403
    assert "audit" not in [app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]]


def test_a_system_administrator_does_not_read_the_log(client):
    client.force_login(administrator())
    assert client.get(CHANGELIST).status_code == 403


def test_nobody_adds_changes_or_deletes_a_row_in_the_admin_not_even_a_superuser_auditor(client):
    event = record(Action.LOGIN, username="someone")
    root = UserFactory(username="root", is_staff=True, is_superuser=True, groups=[AUDIT_ADMINISTRATOR])
    client.force_login(root)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])

    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(change, {"username": "other"}).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert (
        client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [event.pk]}).status_code
        == 200
    )
    event.refresh_from_db()
    assert event.username == "someone"
    page = client.get(change)
    assert b'name="_save"' not in page.content


def test_the_audit_administrator_sees_nothing_else_in_the_admin(auditor, client):
    HouseholdFactory()
    index = client.get(reverse("admin:index"))

    assert [app["app_label"] for app in index.context["app_list"]] == ["audit"]
    assert client.get(reverse("admin:households_household_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_who_read_a_household_this_month_is_a_filter_by_what_and_which(auditor, client):
    household, other = HouseholdFactory(), HouseholdFactory()
    reader = UserFactory(username="reader")
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40)):
        record(Action.VIEWED, user=reader, target=household)
    record(Action.VIEWED, user=reader, target=household)
    record(Action.VIEWED, user=UserFactory(username="elsewhere"), target=other)
    record(Action.EXPORTED, user=reader, target=type(household), ids=[other.pk, household.pk])

    # The date filter's "this month", as its link has it.
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    page = client.get(
        CHANGELIST,
        {"target_type": "households.household", "target_id": str(household.pk), "at__gte": str(start)},
    )

    assert page.status_code == 200
    assert [(e.username, e.action) for e in page.context["cl"].result_list] == [("reader", Action.VIEWED)]
    assert f'name="target_id" value="{household.pk}"'.encode() in page.content


def test_it_filters_by_action_and_outcome_and_searches_by_user_name(auditor, client):
    record(Action.LOGIN, username="anna")
    record(Action.LOGIN_FAILED, username="anna", outcome=Outcome.FAILED)
    record(Action.LOGIN_FAILED, username="bob", outcome=Outcome.FAILED)

    failed = client.get(CHANGELIST, {"action__exact": "login_failed", "outcome__exact": "failed"})
    anna = client.get(CHANGELIST, {"q": "anna"})

    assert len(listed(failed)) == 2
    assert {e.username for e in anna.context["cl"].result_list} == {"anna"}
