"""Photos people upload: checked by their content, re-encoded, stored under our name.

A photo from a phone carries EXIF data, GPS coordinates among them: the place a
vulnerable family lives. Re-encoding the pixels alone drops all of it. The size is also
brought down to what a phone screen shows, which spares a weak network.
"""

import datetime
import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
LONGEST_SIDE = 1600
# A decompression bomb is a small file of a flat image that unpacks to tens of millions of
# pixels (a 35 KB PNG of 36 megapixels): the memory and the time go in decoding it. A
# phone's photo keeps at least a bit or so per pixel, a dozen pixels per byte; hundreds
# per byte is a flat picture made to unpack large. Images of a few megapixels are let
# through whatever their ratio (a plain screenshot compresses that well and costs little).
MAX_PIXELS_PER_BYTE = 200
RATIO_CHECKED_FROM_PIXELS = 4_000_000


def clean_photo(upload) -> ContentFile:
    """The upload as a fresh JPEG named by us, or a ValidationError saying why not."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB.") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            # The header gives the size before any pixel is decoded: a small file that
            # unpacks to a huge image is refused before it takes the memory.
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(
                    _("This file is not a photo (JPEG, PNG, WebP or GIF)."), code="not_image"
                )
            width, height = image.size
            pixels = width * height
            if pixels > settings.PHOTO_MAX_PIXELS:
                raise ValidationError(
                    _("The photo has %(mp)s million pixels; at most %(max)s million are accepted.")
                    % {"mp": round(pixels / 1_000_000, 1), "max": settings.PHOTO_MAX_PIXELS // 1_000_000},
                    code="too_many_pixels",
                )
            if pixels > RATIO_CHECKED_FROM_PIXELS and pixels > MAX_PIXELS_PER_BYTE * upload.size:
                raise ValidationError(
                    _(
                        "The photo's file is too small for its %(mp)s million pixels: it is "
                        "not a photo from a camera. Take or choose another."
                    )
                    % {"mp": round(pixels / 1_000_000, 1)},
                    code="bomb",
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=82, optimize=True)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise ValidationError(
            _("This file is not a photo (JPEG, PNG, WebP or GIF)."), code="not_image"
        ) from error
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def taken_at(upload) -> datetime.datetime | None:
    """When the camera says it took the photo (EXIF DateTimeOriginal, at the offset it
    wrote beside it, else in the current time zone), if it says: read before re-encoding,
    which drops it. Only the header is read."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif().get_ifd(ExifTags.IFD.Exif)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    written = exif.get(ExifTags.Base.DateTimeOriginal)
    try:
        moment = datetime.datetime.strptime(str(written), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = exif.get(ExifTags.Base.OffsetTimeOriginal)
    if offset:
        try:
            return datetime.datetime.fromisoformat(f"{moment:%Y-%m-%dT%H:%M:%S}{offset}")
        except (ValueError, TypeError):
            pass  # an offset the camera wrote wrong: read in the local time zone, as none
    return timezone.make_aware(moment)


def private_file(field) -> FileResponse:
    """A stored photo (a household's, a visit's) as the answer of a view that has checked
    the viewer's scope: photos are never served as files."""
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    # The photo of a family's door is nobody's cache's business, not even the browser's
    # (every answer but a static file is no-store: config.middleware).
    response["Cache-Control"] = "no-store"
    return response
