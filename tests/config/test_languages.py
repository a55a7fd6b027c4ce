"""Chinese by default, English on request, and a complete Chinese catalogue."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.django_db


def test_the_pages_speak_chinese_by_default(client):
    page = client.get(reverse("login"))

    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()


def test_the_header_switches_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    page = client.get(reverse("login"))

    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()
    assert "中文" in page.content.decode()


def test_the_admin_speaks_chinese_by_default(admin_client):
    page = admin_client.get(reverse("admin:index"))

    assert "户" in page.content.decode()


def test_every_message_has_a_chinese_translation():
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)

    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]

    assert missing == []
    assert len(catalogue) > 200
