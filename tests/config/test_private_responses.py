"""Every answer that is not a static file says: keep nothing (Cache-Control: no-store), use
no camera, microphone or location (Permissions-Policy), run only our own scripts
(Content-Security-Policy). Checked over every route, for a visitor and for an
administrator, so that a new page cannot forget it."""

import re

import pytest
from django.contrib.admindocs.views import extract_views_from_urlpatterns
from django.test import Client, override_settings
from django.urls import get_resolver

from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db

# Path converters and regex groups, each replaced by a value of its kind.
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def example_path(pattern: str, pk: int) -> str:
    def value(found):
        converter, name = found.group(1), found.group(2) or found.group(3)
        if name == "format":
            return "json"
        if name == "app_label":
            return "households"
        if converter == "int" or name in {"pk", "object_id", "id"}:
            return str(pk)
        return "x"

    path = PARAMETER.sub(value, pattern)
    return "/" + re.sub(r"[\^$?\\]", "", path).replace("//", "/")


def every_path(pk: int) -> list[str]:
    patterns = extract_views_from_urlpatterns(get_resolver().url_patterns)
    return sorted({example_path(pattern, pk) for _view, pattern, _namespace, _name in patterns})


def assert_private(response, path):
    assert response["Cache-Control"] == "no-store", (
        path,
        response.status_code,
        response.get("Cache-Control"),
    )
    assert "camera=()" in response["Permissions-Policy"], path
    assert "Expires" not in response, path


def test_every_route_answers_no_store_to_a_visitor_and_to_an_administrator(people):
    administrator = UserFactory(username="root", is_staff=True, is_superuser=True)
    visitor, signed_in = Client(raise_request_exception=False), Client(raise_request_exception=False)
    signed_in.force_login(administrator)
    paths = every_path(people.household.pk)
    assert len(paths) > 150

    for path in paths:
        for client in (visitor, signed_in):
            assert_private(client.get(path), path)


def test_pages_that_set_their_own_cache_header_are_no_store_too(client, people):
    client.force_login(people.worker)

    # The wall's tiles asked for revalidation, photos for an hour in the browser: both
    # carry personal data, and a phone can be lost.
    assert_private(client.get("/wall/tiles/"), "/wall/tiles/")
    assert_private(client.get("/accounts/login/"), "/accounts/login/")


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_keep_their_cache_and_still_carry_the_permissions_policy():
    response = Client().get("/static/hhl.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_carry_a_policy_that_runs_only_our_own_scripts(client, people):
    client.force_login(people.worker)

    policy = dict(
        (directive.split(" ", 1) + [""])[:2]
        for directive in client.get("/")["Content-Security-Policy"].split("; ")
    )

    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == policy["base-uri"] == policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == policy["connect-src"] == "'self'"
    assert policy["img-src"] == "'self' data: blob:"
    # <style> elements only from our files; style="" attributes (a tier's colour) allowed.
    assert policy["style-src-elem"] == "'self'"
    assert policy["style-src-attr"] == "'unsafe-inline'"


def test_no_page_template_holds_an_inline_script_a_handler_or_a_style_element():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|\son[a-z]+=|<style|javascript:", re.I
    )
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.glob("*/templates/**/*.html")
        if not {".venv", "node_modules"} & set(path.parts)
        for match in inline.finditer(path.read_text())
    ] + [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in (root / "templates").glob("**/*.html")
        for match in inline.finditer(path.read_text())
    ]

    assert found == []


def test_the_referrer_stays_on_the_site(client):
    assert client.get("/accounts/login/")["Referrer-Policy"] == "same-origin"
