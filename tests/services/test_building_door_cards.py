"""A building's door cards at once: staff make the missing cards in one step (the cards
already on doors stay), and download one PDF of them all, four to an A4 sheet, each with
its room, its QR code and the line telling the family what it is for."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from services.door_card_sheets import doors
from services.door_cards import issue_door_card
from services.models import DoorCard
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def url(building):
    return reverse("services:building_door_cards", args=[building.pk])


@pytest.fixture
def building_1(people, grid):
    """Building 1 with six households: ``people.household`` (already carded) and five more."""
    for room in ["101", "102", "201", "202", "301"]:
        HouseholdFactory(unit=grid.floor_1_2, room=room)
    return grid.building_1


def test_staff_make_the_missing_cards_and_leave_those_on_doors(people, client, building_1):
    on_the_door = issue_door_card(household=people.household, by=people.staff)
    client.force_login(people.staff)

    page = client.get(url(building_1))
    made = client.post(url(building_1), follow=True)

    assert (page.context["with_card"], page.context["without_card"]) == (1, 5)
    assert [str(m) for m in made.context["messages"]] == ["已制作 5 张门牌。"]
    assert DoorCard.objects.filter(revoked_at__isnull=True).count() == 6
    on_the_door.refresh_from_db()
    assert on_the_door.revoked_at is None
    assert client.post(url(building_1)).status_code == 302
    assert DoorCard.objects.count() == 6  # made once: a second press makes none


def test_the_pdf_holds_one_card_per_door_four_to_a_sheet(people, client, building_1):
    client.force_login(people.staff)
    client.post(url(building_1))

    response = client.get(url(building_1), {"format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="door-cards-{building_1.pk}.pdf"'
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 2  # six cards
    text = "".join(page.extract_text() for page in pdf.pages)
    for door in doors(building_1, people.staff):
        assert door.label in text
    assert text.count("扫码向网格员求助") == 6
    # Embedded: the page prints the same on a machine without a Chinese font.
    fonts = [font.get_object() for font in pdf.pages[0]["/Resources"]["/Font"].values()]
    assert any(
        "WenQuanYiMicroHei" in font["/BaseFont"] and "/FontFile2" in font["/FontDescriptor"].get_object()
        for font in fonts
        if "/FontDescriptor" in font
    )


def test_a_building_outside_the_scope_or_a_unit_that_is_no_building_is_a_404(people, client, grid):
    client.force_login(people.staff)

    assert client.get(url(grid.floor_1_1)).status_code == 404
    client.force_login(people.worker)
    assert client.get(url(grid.building_3)).status_code in (403, 404)


def test_grid_workers_cannot_make_door_cards(people, client, building_1):
    client.force_login(people.worker)

    assert client.post(url(building_1)).status_code == 403
    assert not DoorCard.objects.exists()


def test_the_page_takes_the_same_queries_for_many_doors(
    people, client, grid, building_1, django_assert_max_num_queries
):
    client.force_login(people.staff)
    client.get(url(building_1))
    HouseholdFactory.create_batch(20, unit=grid.floor_1_1)

    with django_assert_max_num_queries(14):
        page = client.get(url(building_1))

    assert len(page.context["doors"]) == 26
