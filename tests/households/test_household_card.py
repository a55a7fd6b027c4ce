"""The household card and finding a household: in scope, or not there at all."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_card_shows_members_masked_and_a_call_link(people, client):
    client.force_login(people.worker)

    page = client.get(reverse("households:card", args=[people.household.pk])).content.decode()

    member = people.household.members.get()
    assert "王小红" in page and "tel:13912345678" in page
    assert member.id_number not in page and member.masked_id_number in page


def test_out_of_scope_cards_and_photos_are_404(people, client):
    client.force_login(people.worker)

    assert client.get(reverse("households:card", args=[people.outside.pk])).status_code == 404
    assert client.get(reverse("households:photo", args=[people.outside.pk])).status_code == 404
    assert client.get(reverse("households:card", args=[10**9])).status_code == 404


@pytest.mark.parametrize("query", ["王小红", "1栋1单元501", "501", "1-501", "1-1-501", "139 1234 5678"])
def test_find_by_name_room_or_phone_within_scope(people, client, query):
    client.force_login(people.worker)

    page = client.post(reverse("households:find"), {"query": query})

    assert page.context["results"] == [people.household]


def test_find_never_shows_households_outside_scope(people, client):
    client.force_login(people.worker)

    for query in ["张大山", people.outside.number, "302", "3-302", "3-1-302"]:
        assert client.post(reverse("households:find"), {"query": query}).context["results"] == []


def test_the_household_photo_is_cleaned_on_upload_and_served_only_in_scope(
    people, client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from households.forms import HouseholdForm
    from tests.monitoring.test_visit_logging_page import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("张三家门口.jpg", jpeg_with_gps(), content_type="image/jpeg")
    form = HouseholdForm(instance=people.household, files={"photo": upload})
    form.cleaned_data = {"photo": upload}
    people.household.photo = form.clean_photo()
    people.household.save()

    with Image.open(people.household.photo.path) as stored:
        assert not stored.getexif()
    assert "张三" not in people.household.photo.name
    client.force_login(people.worker)
    assert client.get(reverse("households:photo", args=[people.household.pk])).status_code == 200
    assert (
        'src="/households/'
        in client.get(reverse("households:card", args=[people.household.pk])).content.decode()
    )
    other = people.worker.__class__.objects.create_user("nobody", password="x" * 12)
    client.force_login(other)
    assert client.get(reverse("households:photo", args=[people.household.pk])).status_code == 404
