"""Logging a visit from the phone: saved once, closing the follow-up, photo cleaned."""

import datetime
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from monitoring.followups import generate_follow_ups
from monitoring.models import FollowUp, FollowUpStatus, TierProposal, Visit
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, "orange")
    exif = Image.Exif()
    exif[0x8825] = {2: (27.0, 20.0, 0.0), 1: "N"}  # GPSInfo: where the family lives
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def form_data(**overrides):
    return {
        "mode": "door",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "notes": "家里有人生病",
        "needs": ["medical"],
        "key": str(uuid.uuid4()),
        **overrides,
    }


def test_a_visit_closes_the_open_follow_up_and_shows_on_the_card(people, client):
    generate_follow_ups()
    client.force_login(people.worker)
    url = reverse("monitoring:log_visit", args=[people.household.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, form_data())

    assert response.status_code == 302
    visit = Visit.objects.get(household=people.household)
    assert visit.visited_by == people.worker and visit.needs == ["medical"]
    follow_up = FollowUp.objects.get(household=people.household)
    assert follow_up.status == FollowUpStatus.DONE and follow_up.visit == visit
    card = client.get(response.url).content.decode()
    assert "家里有人生病" in card


def test_sending_the_same_form_twice_saves_one_visit(people, client):
    client.force_login(people.worker)
    url = reverse("monitoring:log_visit", args=[people.household.pk])
    data = form_data()

    client.post(url, data)
    again = client.post(url, data)

    assert again.status_code == 302
    assert Visit.objects.filter(household=people.household).count() == 1


def test_a_visit_in_the_future_is_refused_on_its_field(people, client):
    client.force_login(people.worker)
    later = (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]), form_data(visited_at=later)
    )

    assert response.status_code == 200
    assert "visited_at" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_the_photo_is_re_encoded_without_exif_and_served_only_in_scope(people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(people.worker)
    photo = SimpleUploadedFile("王小红家.jpg", jpeg_with_gps(), content_type="image/jpeg")

    client.post(reverse("monitoring:log_visit", args=[people.household.pk]), {**form_data(), "photo": photo})

    visit = Visit.objects.get()
    assert "王小红" not in visit.photo.name and visit.photo.name.endswith(".jpg")
    with Image.open(visit.photo.path) as stored:
        assert not stored.getexif()
    served = client.get(reverse("monitoring:visit_photo", args=[visit.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    client.force_login(people.leader)  # sees everything
    assert client.get(reverse("monitoring:visit_photo", args=[visit.pk])).status_code == 200
    outsider = people.staff.__class__.objects.create_user("stranger", password="x" * 12)
    client.force_login(outsider)
    assert client.get(reverse("monitoring:visit_photo", args=[visit.pk])).status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("report.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "not a photo"),
        ("huge.png", None, "million pixels"),
    ],
)
def test_what_is_not_a_phone_photo_is_refused(people, client, name, content, message, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies["django_language"] = "en"
    if content is None:
        out = io.BytesIO()
        Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels, a small file
        content = out.getvalue()
    client.force_login(people.worker)

    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {**form_data(), "photo": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["photo"])
    assert not Visit.objects.exists()


def test_a_proposal_made_with_the_visit_waits_for_staff(people, client):
    client.force_login(people.worker)
    red = default_tier("red")

    client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        form_data(propose_tier=red.pk, proposal_reason="户主住院，无人照看"),
    )

    proposal = TierProposal.objects.get()
    assert proposal.to_tier == red and proposal.visit == Visit.objects.get()
    people.household.refresh_from_db()
    assert people.household.tier == default_tier("yellow")


def test_a_proposal_without_a_reason_saves_nothing(people, client):
    client.force_login(people.worker)

    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        form_data(propose_tier=default_tier("red").pk),
    )

    assert "proposal_reason" in response.context["form"].errors
    assert not Visit.objects.exists() and not TierProposal.objects.exists()


def test_out_of_scope_is_404_and_a_leader_may_not_log(people, client):
    client.force_login(people.worker)
    assert client.get(reverse("monitoring:log_visit", args=[people.outside.pk])).status_code == 404
    assert (
        client.post(reverse("monitoring:log_visit", args=[people.outside.pk]), form_data()).status_code == 404
    )
    assert client.get(reverse("monitoring:log_visit", args=[999999])).status_code == 404
    client.force_login(people.leader)
    assert (
        client.post(reverse("monitoring:log_visit", args=[people.household.pk]), form_data()).status_code
        == 403
    )
    assert not Visit.objects.exists()


def test_a_visit_refused_with_its_proposal_leaves_no_photo_on_disk(people, client, settings, tmp_path):
    from monitoring.services import propose_tier_change

    settings.MEDIA_ROOT = tmp_path
    propose_tier_change(
        household=people.household, tier=default_tier("green"), reason="好转", by=people.staff
    )
    client.force_login(people.worker)
    photo = SimpleUploadedFile("door.jpg", jpeg_with_gps(), content_type="image/jpeg")

    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {**form_data(propose_tier=default_tier("red").pk, proposal_reason="住院"), "photo": photo},
    )

    assert "propose_tier" in response.context["form"].errors
    assert not Visit.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # a family's door, not kept
