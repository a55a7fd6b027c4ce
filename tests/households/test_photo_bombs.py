"""A photo is refused before its pixels are decoded when it has more than a phone takes
(PHOTO_MAX_PIXELS, 24 MP), or when its small file unpacks to many millions of pixels (a
decompression bomb: a 35 KB PNG of 36 megapixels); the error is on the photo field, and
nothing is saved. A phone's 12 MP photo passes."""

import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from households.photos import clean_photo
from monitoring.models import Visit

pytestmark = pytest.mark.django_db


def png(size, mode="L", colour=255) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, format="PNG", optimize=True)
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def phone_photo(size=(4000, 3000)) -> SimpleUploadedFile:
    """A smooth picture, as a JPEG from a phone: a few hundred KB for 12 MP."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def code_of(upload) -> str:
    with pytest.raises(ValidationError) as raised:
        clean_photo(upload)
    return raised.value.code


def test_a_small_png_of_36_megapixels_is_refused_before_it_is_decoded():
    bomb = png((6000, 6000))
    assert bomb.size < 50_000

    assert code_of(bomb) == "too_many_pixels"


def test_a_flat_image_under_the_pixel_cap_that_unpacks_hundreds_of_times_is_refused():
    bomb = png((5000, 4000), mode="RGB")  # 20 MP in about 70 KB

    assert code_of(bomb) == "bomb"


def test_a_phones_12_megapixel_photo_passes():
    cleaned = clean_photo(phone_photo())

    with Image.open(cleaned) as stored:
        assert max(stored.size) == 1600


def test_a_plain_small_picture_passes_whatever_it_compresses_to():
    cleaned = clean_photo(png((1080, 2400)))

    with Image.open(cleaned) as stored:
        assert stored.size == (720, 1600)  # shrunk to 1,600 px on its long side, kept


def test_the_visit_form_refuses_the_bomb_on_the_photo_field(people, client, settings):
    settings.LANGUAGE_CODE = "en"
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)

    response = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {
            "mode": "door",
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "key": str(uuid.uuid4()),
            "photo": png((6000, 6000)),
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["photo"]
    assert "36.0 million pixels" in response.context["form"].errors["photo"][0]
    assert "24 million" in response.context["form"].errors["photo"][0]
    assert not Visit.objects.exists()
