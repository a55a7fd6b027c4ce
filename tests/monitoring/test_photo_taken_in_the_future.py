"""A photo taken after the moment it arrives is refused, on the visit's photo field: by
the time the phone sends with its shrunk copy (which has no EXIF), or on the page by the
time the camera wrote in the photo."""

import datetime
import io
import uuid

import pytest
import time_machine
from django.urls import reverse
from PIL import ExifTags, Image

from monitoring.models import Visit

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def wednesday_evening():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 18, tzinfo=SHANGHAI), tick=False):
        yield


def jpeg_taken(at: str | None, offset: str | None = None) -> io.BytesIO:
    exif = Image.Exif()
    inner = exif.get_ifd(ExifTags.IFD.Exif)
    if at:
        inner[ExifTags.Base.DateTimeOriginal] = at
    if offset:
        inner[ExifTags.Base.OffsetTimeOriginal] = offset
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(out, format="JPEG", exif=exif)
    out.seek(0)
    out.name = "door.jpg"
    return out


def post_visit(client, people, photo, **extra):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)
    return client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {"mode": "door", "visited_at": "2026-11-25T17:00", "key": str(uuid.uuid4()), "photo": photo, **extra},
    )


@pytest.mark.parametrize(
    "at, offset",
    [("2026:11:26 09:00:00", None), ("2026:11:25 18:30:00", "+08:00"), ("2026:11:25 12:00:00", "-02:00")],
    ids=["tomorrow", "half an hour ahead", "noon in another zone, after now here"],
)
def test_the_page_refuses_a_photo_the_camera_says_was_taken_after_now(client, people, at, offset):
    response = post_visit(client, people, jpeg_taken(at, offset))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert "taken after this moment" in response.context["form"].errors["photo"][0]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "at, offset",
    [("2026:11:25 17:58:00", None), ("2026:11:25 18:03:00", None), (None, None), ("not a time", None)],
    ids=["this afternoon", "a fast clock's minutes", "no time at all", "a time no camera writes"],
)
def test_the_page_takes_a_photo_taken_before_now_or_saying_nothing(client, people, at, offset):
    response = post_visit(client, people, jpeg_taken(at, offset))

    assert response.status_code == 302
    saved = Visit.objects.get()
    # Re-encoded: what the camera wrote is gone with the rest of the EXIF.
    assert not Image.open(saved.photo).getexif().get_ifd(ExifTags.IFD.Exif)


def test_the_time_the_phone_sends_is_taken_over_the_cameras(client, people):
    response = post_visit(
        client, people, jpeg_taken("2026:11:25 09:00:00"), photo_taken_at="2026-11-26T09:00:00+08:00"
    )

    assert list(response.context["form"].errors) == ["photo"]
    assert not Visit.objects.exists()
