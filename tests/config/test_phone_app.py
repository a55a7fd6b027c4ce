"""The installable phone app as the server serves it: the manifest, the service worker at
the site's root, the offline page, the list of pages the phone keeps, and the data block
every page gives its script."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from monitoring.followups import record_visit
from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_in_chinese_and_opens_today_standalone_in_the_tier_colours(client):
    response = client.get("/manifest.webmanifest")

    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == "红黄绿 住户关爱"
    assert manifest["lang"] == "zh-hans"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#d32f2f"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_every_page_links_the_manifest_and_loads_the_phone_scripts_as_files(client, people):
    client.force_login(people.worker)

    html = client.get(reverse("monitoring:today")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#d32f2f">' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    # The data block is JSON, not a script the CSP would have to allow.
    assert [s for s in scripts if "src=" not in s] == [' id="hhl-offline" type="application/json"']
    assert all("defer" in s for s in scripts if "src=" in s)


def test_the_pages_data_block_carries_the_scripts_strings_in_the_users_language(client, people):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)

    html = client.get(reverse("monitoring:today")).content.decode()

    data = json.loads(
        re.search(r'<script id="hhl-offline" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["t"]["upload"] == "Upload"
    assert data["t"]["pending"] == "To upload %(n)s"
    assert data["labels"]["visited_at"] == "visited at"
    assert data["batch"] == {
        "visit": "/api/v1/visits/batch/",
        "proposal": "/api/v1/proposals/batch/",
        "problem": "/api/v1/cases/batch/",
    }
    assert data["user"] and "worker" not in data["user"]


def test_the_service_worker_is_served_from_the_root_with_workbox_from_our_own_static_files(client):
    response = client.get("/sw.js")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    imported = json.loads(re.search(r"importScripts\.apply\(self, (\[.*?\])\);", body).group(1))
    assert [name.rsplit("/", 1)[-1] for name in imported] == [
        "workbox-core.prod.js",
        "workbox-routing.prod.js",
        "workbox-strategies.prod.js",
        "workbox-precaching.prod.js",
        "idb.umd.js",
        "outbox.js",
        "worker.js",
    ]
    for url in imported:
        assert finders.find(url.removeprefix("/static/")), url
    assert "googleapis" not in body and "cdn" not in body


def test_a_change_to_a_kept_static_file_changes_the_worker_so_that_phones_fetch_it_again(client, monkeypatch):
    before = client.get("/sw.js").content
    monkeypatch.setattr("config.pwa._file_revision", lambda path: "changed" if path == "hhl.css" else "same")

    after = client.get("/sw.js").content

    assert before != after
    assert b'"revision": "changed"' in after


def test_the_offline_page_carries_no_ones_name(client, people):
    people.worker.last_name, people.worker.first_name = "郑", "瑞"
    people.worker.save()
    client.force_login(people.worker)

    html = client.get(reverse("pwa:offline")).content.decode()

    assert "郑瑞" not in html
    assert "data-outbox-list" in html
    assert '"user": null' in html


def test_the_list_of_pages_to_keep_answers_401_to_an_ended_session_instead_of_the_login_page(client):
    response = client.get(reverse("pwa:pages"))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_the_list_of_pages_to_keep_holds_the_households_in_scope_and_their_forms(client, people):
    client.force_login(people.worker)

    answer = client.get(reverse("pwa:pages")).json()

    assert [h[0] for h in answer["households"]] == [people.household.pk]
    assert answer["urls"] == [
        "/households/0/",
        "/households/0/visit/",
        "/households/0/report/",
        "/households/0/propose/",
    ]
    assert answer["today"]["url"] == "/"
    assert answer["csrf"]
    assert response_is_private(client.get(reverse("pwa:pages")))


def response_is_private(response) -> bool:
    return "no-store" in response["Cache-Control"]


def test_a_visit_changes_its_households_version_and_no_other(client, people, grid):
    neighbour = HouseholdFactory(unit=grid.floor_1_2)
    client.force_login(people.worker)
    before = dict(client.get(reverse("pwa:pages")).json()["households"])

    record_visit(household=people.household, by=people.worker, visited_at=timezone.now(), mode="door")
    after = dict(client.get(reverse("pwa:pages")).json()["households"])

    assert after[people.household.pk] != before[people.household.pk]
    assert after[neighbour.pk] == before[neighbour.pk]


def test_the_list_of_pages_takes_the_same_queries_for_many_households(
    client, people, grid, django_assert_max_num_queries
):
    HouseholdFactory.create_batch(30, unit=grid.floor_1_2)
    client.force_login(people.worker)
    client.get(reverse("pwa:pages"))

    with django_assert_max_num_queries(12):
        answer = client.get(reverse("pwa:pages")).json()

    assert len(answer["households"]) == 31


def test_a_scope_larger_than_the_limit_keeps_no_households_so_staff_at_the_wall_do_not_warm_thousands(
    client, people, grid, settings
):
    settings.OFFLINE_MAX_HOUSEHOLDS = 3
    HouseholdFactory.create_batch(3, unit=grid.floor_1_2)
    client.force_login(people.staff)

    answer = client.get(reverse("pwa:pages")).json()

    # Five households in the community: over the limit, so none is kept; Today still is.
    assert answer["households"] is None
    assert answer["today"]["url"] == "/"


def test_a_scope_at_the_limit_keeps_every_household(client, people, grid, settings):
    settings.OFFLINE_MAX_HOUSEHOLDS = 2
    HouseholdFactory(unit=grid.floor_1_2)
    client.force_login(people.worker)

    answer = client.get(reverse("pwa:pages")).json()

    assert len(answer["households"]) == 2


def test_a_user_who_makes_no_visits_keeps_no_households(client, people):
    client.force_login(people.leader)

    answer = client.get(reverse("pwa:pages")).json()

    assert answer["households"] is None
    assert answer["urls"] == ["/households/0/"]
