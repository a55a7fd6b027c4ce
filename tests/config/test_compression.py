"""Pages and the API's JSON go out gzip-compressed to a client that accepts it (a phone
on a settlement's mobile network pays for every byte), with Django's BREACH mitigation."""

import gzip
import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_is_compressed_with_a_random_length_header(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert 'name="password"' in gzip.decompress(response.content).decode()
    # "Heal the BREACH": a file name of random length in each gzip header, so that the
    # compressed length no longer tells an attacker which guess matched the CSRF token.
    assert response.content[3] & gzip.FNAME


def test_the_apis_json_is_compressed(client, people):
    client.force_login(people.worker)

    response = client.get("/api/v1/households/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["results"][0]["id"] == people.household.pk


def test_a_client_that_does_not_accept_gzip_gets_plain_text(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def test_a_photo_goes_out_as_it_is_with_its_length(people, client, settings, tmp_path):
    from django.core.files.base import ContentFile

    from tests.monitoring.test_visit_logging_page import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    people.household.photo.save("door.jpg", ContentFile(jpeg_with_gps()))
    client.force_login(people.worker)

    response = client.get(
        reverse("households:photo", args=[people.household.pk]), HTTP_ACCEPT_ENCODING="gzip"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert not response.has_header("Content-Encoding")
    assert int(response["Content-Length"]) == people.household.photo.size
