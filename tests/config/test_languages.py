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


def test_a_browser_asking_for_english_still_gets_chinese(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="zh-hans">' in page.content.decode()


def test_the_header_switches_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})

    page = client.get(reverse("login"))

    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()
    assert "中文" in page.content.decode()
    # and back
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    assert '<html lang="zh-hans">' in client.get(reverse("login")).content.decode()


def test_the_admin_speaks_chinese_by_default(admin_client):
    page = admin_client.get(reverse("admin:index"))

    assert "户" in page.content.decode()


def test_every_message_has_a_chinese_translation():
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)

    def untranslated(message):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        return not all(forms) or message.fuzzy

    missing = [m.id for m in catalogue if m.id and untranslated(m)]

    assert missing == []
    assert len(catalogue) > 200


def test_the_admin_header_switches_language_too(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()

    assert 'name="language" value="en"' in page
    assert "红黄绿" in page
