"""The API answers within the user's scope only, by list, detail, filter and action, for
the browser's session and for a system's token; a revoked token no longer works."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from services.cases import open_case
from tests.accounts.factories import api_token
from tests.households.factories import MemberFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(people.worker)}")
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_lists_hold_only_the_households_in_scope(api, people):
    assert ids(api.get("/api/v1/households/")) == {people.household.pk}
    assert ids(api.get("/api/v1/households/", {"tier": "red"})) == set()  # the red one is outside
    assert ids(api.get("/api/v1/households/", {"unit": "B3"})) == set()
    assert {m["name"] for m in api.get("/api/v1/members/").json()["results"]} == {"王小红"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/households/{outside}/",
        "/api/v1/members/{member}/",
        "/api/v1/visits/{visit}/",
        "/api/v1/cases/{case}/",
    ],
)
def test_details_outside_the_scope_are_404(api, people, path):
    member = people.outside.members.get()
    visit = VisitFactory(
        household=people.outside, visited_by=people.staff, visited_at=at(datetime.date(2026, 11, 24))
    )
    case = open_case(
        household=people.outside, category="help", description="x", urgency="normal", by=people.staff
    )

    url = path.format(outside=people.outside.pk, member=member.pk, visit=visit.pk, case=case.pk)

    assert api.get(url).status_code == 404


def test_actions_and_writes_outside_the_scope_are_refused(api, people):
    people.worker.user_permissions.add(*_perms("add_tierchange"))

    changed = api.post(
        f"/api/v1/households/{people.outside.pk}/change-tier/",
        {"tier": default_tier("green").pk, "reason": "x"},
    )
    visit = api.post(
        "/api/v1/visits/",
        {"household": people.outside.pk, "visited_at": "2026-11-25T09:00:00+08:00"},
        format="json",
    )

    assert changed.status_code == 404
    assert visit.status_code == 400 and "household" in visit.json()["fields"]
    people.outside.refresh_from_db()
    assert people.outside.tier == default_tier("red")


def test_full_id_numbers_only_for_those_who_may_see_them(api, people, client):
    MemberFactory(household=people.household, name="王小明", relation="child")
    masked = {m["id_number"] for m in api.get("/api/v1/members/").json()["results"]}
    client.force_login(people.staff)  # the browser's session works too
    full = {m["id_number"] for m in client.get("/api/v1/members/").json()["results"]}

    assert all("*" in n for n in masked if n)
    assert not any("*" in n for n in full if n)


def test_a_revoked_token_is_refused_and_no_credentials_is_refused(api, people):
    ApiToken.objects.filter(user=people.worker).revoke()

    assert api.get("/api/v1/households/").status_code == 401
    assert APIClient().get("/api/v1/households/").status_code in (401, 403)


def test_a_leader_reads_but_cannot_write(people):
    client = APIClient()
    client.force_authenticate(people.leader)

    assert client.get("/api/v1/households/").status_code == 200
    response = client.post(
        "/api/v1/visits/",
        {"household": people.household.pk, "visited_at": "2026-11-25T09:00:00+08:00"},
        format="json",
    )
    assert response.status_code == 403


def test_the_schema_and_its_docs_are_served_from_our_own_files(client, people):
    client.force_login(people.staff)

    schema = client.get(reverse("schema"))
    docs = client.get(reverse("api_docs")).content.decode()

    assert schema.status_code == 200 and b"/api/v1/visits/batch/" in schema.content
    assert "swagger-ui" in docs and "cdn.jsdelivr" not in docs and "unpkg" not in docs


def _perms(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename__in=codenames)
