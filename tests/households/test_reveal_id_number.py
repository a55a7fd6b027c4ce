"""Revealing one member's full ID number on the card: for a typed reason, with a one-time
token bound to the user, the member and the time; every reveal and every refusal recorded."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent, Outcome
from grids.models import Role
from households.reveal import NOT_VALID, reveal_token
from tests.grids.factories import community_staff
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(people):
    return people.household.members.get()


def reveal_url(member):
    return reverse("households:reveal_id_number", args=[member.pk])


def form_on_the_card(client, household, member) -> dict:
    """The reveal form's fields as the card draws them for ``member``."""
    page = client.get(reverse("households:card", args=[household.pk])).content.decode()
    action = re.escape(f'action="{reveal_url(member)}"')
    form = re.search(action + r".*?</form>", page, re.S).group(0)
    return {"token": re.search(r'name="token" value="([^"]+)"', form).group(1)}


def reveals():
    return list(AuditEvent.objects.filter(action=Action.REVEALED).order_by("id"))


def test_the_card_masks_every_number_even_for_those_who_may_reveal_it(people, client, member):
    client.force_login(people.staff)

    page = client.get(reverse("households:card", args=[people.household.pk])).content.decode()

    assert member.id_number not in page and member.masked_id_number in page
    assert f'action="{reveal_url(member)}"' in page and 'name="reason"' in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0] and " onclick=" not in page


def test_a_grid_worker_without_the_permission_gets_no_reveal_form(people, client, member):
    client.force_login(people.worker)

    page = client.get(reverse("households:card", args=[people.household.pk])).content.decode()

    assert member.masked_id_number in page and reveal_url(member) not in page


def test_a_reason_reveals_the_full_number_and_the_audit_log_says_who_whose_and_why(people, client, member):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)

    page = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert member.id_number in page.content.decode()
    (event,) = reveals()
    assert (event.user_id, event.outcome, event.target_type, event.target_ids) == (
        people.staff.pk,
        Outcome.OK,
        "households.member",
        [member.pk],
    )
    assert event.detail == {"reason": "办理低保核实身份"}
    assert member.id_number not in str(event.detail) and fields["token"] not in str(event.detail)


@pytest.mark.parametrize("reason", ["", "   ", "1111", "看看", "....", "啊啊啊啊啊", "x" * 201])
def test_a_missing_or_empty_reason_is_refused_with_the_number_still_masked(people, client, member, reason):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)

    page = client.post(reveal_url(member), {**fields, "reason": reason})

    assert page.status_code == 400
    body = page.content.decode()
    assert member.id_number not in body and member.masked_id_number in body
    assert "reason" in page.context["form"].errors
    (event,) = reveals()
    assert (event.outcome, event.detail, event.target_ids) == (
        Outcome.REFUSED,
        {"refusal": "reason"},
        [member.pk],
    )


def test_a_refused_reason_leaves_a_fresh_form_that_then_works(people, client, member):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)
    refused = client.post(reveal_url(member), {**fields, "reason": "看看"})

    token = refused.context["form"]["token"].value()
    page = client.post(reveal_url(member), {"token": token, "reason": "核实残疾证信息"})

    assert page.status_code == 200 and member.id_number in page.content.decode()


def test_a_token_is_good_for_one_reveal_only(people, client, member):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)
    client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    again = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert again.status_code == 403
    assert member.id_number not in again.content.decode()
    assert "used already" in again.content.decode() or "已使用" in again.content.decode()
    assert [(e.outcome, e.detail.get("refusal")) for e in reveals()] == [
        (Outcome.OK, None),
        (Outcome.REFUSED, "reused"),
    ]


def test_a_token_drawn_for_another_member_is_refused(people, client, member):
    other = MemberFactory(household=people.household, relation="child", birth_date=datetime.date(2001, 2, 3))
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, other)

    page = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert page.status_code == 403 and member.id_number not in page.content.decode()
    assert [(e.outcome, e.detail, e.target_ids) for e in reveals()] == [
        (Outcome.REFUSED, {"refusal": "forged"}, [member.pk])
    ]


def test_a_token_drawn_for_another_user_is_refused(people, client, member, assign, grid):
    colleague = community_staff(username="colleague")
    assign(colleague, grid.community, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client.force_login(people.staff)

    page = client.post(
        reveal_url(member),
        {"token": reveal_token(user=colleague, member=member), "reason": "办理低保核实身份"},
    )

    assert page.status_code == 403 and member.id_number not in page.content.decode()
    assert reveals()[0].detail == {"refusal": "forged"}


@pytest.mark.parametrize("token", ["", "not-a-token", "eyJ1IjoxLCJtIjoxLCJuIjoieCJ9:1tXyZ:forged"])
def test_a_forged_or_missing_token_is_refused(people, client, member, token):
    client.force_login(people.staff)

    page = client.post(reveal_url(member), {"token": token, "reason": "办理低保核实身份"})

    assert page.status_code in (400, 403) and member.id_number not in page.content.decode()
    assert page.context["message"] == NOT_VALID
    assert [(e.outcome, e.detail) for e in reveals()] == [(Outcome.REFUSED, {"refusal": "forged"})]


def test_a_token_expires_ten_minutes_after_the_card_was_drawn(people, client, member):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)

    with time_machine.travel(datetime.timedelta(minutes=11)):
        page = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert page.status_code == 403 and member.id_number not in page.content.decode()
    assert any(word in str(page.context["message"]) for word in ("expired", "过期"))
    assert reveals()[0].detail == {"refusal": "expired"}


def test_a_token_still_works_nine_minutes_on(people, client, member):
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)

    with time_machine.travel(datetime.timedelta(minutes=9)):
        page = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert page.status_code == 200 and member.id_number in page.content.decode()


def test_without_the_permission_it_is_403_and_recorded(people, client, member):
    client.force_login(people.worker)

    page = client.post(
        reveal_url(member),
        {"token": reveal_token(user=people.worker, member=member), "reason": "办理低保核实身份"},
    )

    assert page.status_code == 403 and member.id_number not in page.content.decode()
    (event,) = reveals()
    assert (event.user_id, event.outcome, event.detail) == (
        people.worker.pk,
        Outcome.REFUSED,
        {"refusal": "permission"},
    )


def test_outside_the_scope_it_is_404_and_recorded(people, client, assign, grid):
    west = community_staff(username="west")
    assign(west, grid.building_3, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    member = people.household.members.get()
    client.force_login(west)

    page = client.post(
        reveal_url(member), {"token": reveal_token(user=west, member=member), "reason": "办理低保核实身份"}
    )

    assert page.status_code == 404 and member.id_number not in page.content.decode()
    (event,) = reveals()
    assert (event.outcome, event.detail, event.target_ids) == (
        Outcome.REFUSED,
        {"refusal": "scope"},
        [member.pk],
    )


def test_a_reveal_is_a_post(people, client, member):
    client.force_login(people.staff)

    assert client.get(reveal_url(member)).status_code == 405
    assert reveals() == []


def test_a_reveal_without_the_csrf_token_is_refused(people, member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.staff)
    fields = form_on_the_card(client, people.household, member)

    page = client.post(reveal_url(member), {**fields, "reason": "办理低保核实身份"})

    assert page.status_code == 403 and member.id_number not in page.content.decode()
