"""Our cookies are out of scripts' reach and stay home: HttpOnly, SameSite=Lax (and Secure
in production, tests/config/test_environment_settings.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_language_cookie_is_http_only_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})

    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_session_and_csrf_cookies_are_same_site(client, people):
    people.worker.set_password("hhl-cookie-2026")
    people.worker.save()
    login_page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "worker", "password": "hhl-cookie-2026"})

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax"
    assert login_page.cookies["csrftoken"]["samesite"] == "Lax"
