"""Edits to households and members are kept: who changed what, when."""

import pytest
from django.urls import reverse

from tests.admin_forms import admin_form_data
from tests.grids.factories import administrator
from tests.households.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edit_records_who_changed_what(grid, client):
    household = HouseholdFactory(unit=grid.building_1, phone="13800138000")
    MemberFactory(household=household)
    editor = administrator()
    client.force_login(editor)
    url = reverse("admin:households_household_change", args=[household.pk])

    response = client.post(
        url,
        admin_form_data(
            client,
            url,
            **{
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
            },
        ),
    )

    assert response.status_code == 302
    latest = household.history.first()
    assert latest.history_user == editor
    changes = latest.diff_against(latest.prev_record).changes
    assert [(c.field, c.old, c.new) for c in changes] == [("phone", "13800138000", "13900139000")]


def test_the_history_page_shows_the_edits(grid, client):
    household = HouseholdFactory(unit=grid.building_1)
    client.force_login(administrator())

    page = client.get(reverse("admin:households_household_history", args=[household.pk]))

    assert page.status_code == 200


def _member_fields(member):
    return {
        "id": member.pk,
        "household": member.household_id,
        "name": member.name,
        "relation": member.relation,
        "sex": member.sex,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "status": member.status,
    }
