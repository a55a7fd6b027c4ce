"""Optimistic concurrency: every detail answer carries an ETag; a PATCH or PUT with a stale
If-Match is refused (412) and writes nothing; a deployment may require If-Match (428)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from households.models import Household
from tests.concurrency import at_once
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    client.cookies["django_language"] = "en"
    return client


def url(household):
    return f"/api/v1/households/{household.pk}/"


def test_a_detail_answer_has_an_etag_that_moves_only_with_the_record(staff, people):
    first = staff.get(url(people.household))
    again = staff.get(url(people.household))
    changed = staff.patch(url(people.household), {"room": "502"}, format="json")
    after = staff.get(url(people.household))

    assert first["ETag"].startswith('"') and first["ETag"] == again["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] == after["ETag"] != first["ETag"]


@pytest.mark.parametrize(
    "path", ["cases", "visits", "members", "tier-changes", "units"], ids=lambda path: path
)
def test_every_kind_of_detail_has_an_etag(staff, people, path):
    from tests.households.factories import default_tier

    opened = staff.post(
        "/api/v1/cases/",
        {"household": people.household.pk, "category": "dispute", "description": "楼道灯坏了"},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    staff.post(
        f"/api/v1/households/{people.household.pk}/change-tier/",
        {"tier": default_tier("red").pk, "reason": "住院"},
        format="json",
    )
    staff.post(
        "/api/v1/visits/",
        {"household": people.household.pk, "visited_at": "2026-11-25T09:00:00+08:00"},
        format="json",
    )
    listed = staff.get(f"/api/v1/{path}/").json()["results"]

    detail = staff.get(f"/api/v1/{path}/{listed[0]['id']}/")

    assert detail.status_code == 200 and detail.has_header("ETag")


def test_a_change_with_the_current_etag_is_made(staff, people):
    tag = staff.get(url(people.household))["ETag"]

    response = staff.patch(url(people.household), {"room": "502"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200
    assert Household.objects.get(pk=people.household.pk).room == "502"


def test_a_change_with_a_stale_etag_is_refused_and_writes_nothing(staff, people):
    stale = staff.get(url(people.household))["ETag"]
    staff.patch(url(people.household), {"room": "502"}, format="json")  # someone else's change

    response = staff.patch(url(people.household), {"room": "503"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert "changed since you read it" in response.json()["fields"]["If-Match"][0]
    assert response["ETag"] == staff.get(url(people.household))["ETag"]
    assert Household.objects.get(pk=people.household.pk).room == "502"


def test_a_put_of_a_member_is_checked_too(staff, people):
    member = MemberFactory(household=people.household, name="李四", relation="spouse")
    read = staff.get(f"/api/v1/members/{member.pk}/")
    body = {k: v for k, v in read.json().items() if k != "id"}

    stale = staff.put(
        f"/api/v1/members/{member.pk}/", {**body, "name": "李五"}, format="json", HTTP_IF_MATCH='"0"'
    )
    fresh = staff.put(
        f"/api/v1/members/{member.pk}/", {**body, "name": "李五"}, format="json", HTTP_IF_MATCH=read["ETag"]
    )

    assert stale.status_code == 412
    assert fresh.status_code == 200, fresh.content
    assert fresh.json()["name"] == "李五"


@pytest.mark.parametrize(
    "header", ["*", "W/{tag}", '"nope", {tag}'], ids=["any", "weakened", "one of a list"]
)
def test_if_match_takes_a_star_a_weakened_tag_and_a_list(staff, people, header):
    tag = staff.get(url(people.household))["ETag"]

    response = staff.patch(
        url(people.household), {"room": "502"}, format="json", HTTP_IF_MATCH=header.format(tag=tag)
    )

    assert response.status_code == 200


def test_a_deployment_may_require_if_match(staff, people, settings):
    settings.API_REQUIRE_IF_MATCH = True
    tag = staff.get(url(people.household))["ETag"]

    refused = staff.patch(url(people.household), {"room": "502"}, format="json")
    made = staff.patch(url(people.household), {"room": "502"}, format="json", HTTP_IF_MATCH=tag)

    assert refused.status_code == 428 and "If-Match" in refused.json()["fields"]
    assert made.status_code == 200


def test_a_household_out_of_scope_is_a_404_whatever_the_etag(people, staff):
    from tests.grids.factories import community_staff

    east = community_staff(username="east-only")  # no assignment: nothing is in their scope
    client = APIClient()
    client.force_authenticate(east)
    tag = staff.get(url(people.outside))["ETag"]

    response = client.patch(url(people.outside), {"room": "1"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
def test_two_changes_from_the_same_read_one_is_made_the_other_refused(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    tag = client.get(url(people.household))["ETag"]
    rooms = iter(["601", "602"])

    def change():
        mine = APIClient()
        mine.force_authenticate(people.staff)
        return mine.patch(url(people.household), {"room": next(rooms)}, format="json", HTTP_IF_MATCH=tag)

    answers = sorted(answer.status_code for answer in at_once(change))

    assert answers == [200, 412]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_read_only_record_takes_no_change_if_match_or_not(staff, people, method):
    opened = staff.post(
        "/api/v1/cases/",
        {"household": people.household.pk, "category": "dispute", "description": "楼道灯坏了"},
        format="json",
    ).json()

    response = getattr(staff, method)(
        f"/api/v1/cases/{opened['id']}/", {"description": "改"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 405


def test_a_get_naming_the_current_etag_in_if_none_match_is_a_304_without_a_body(people):
    client = APIClient()
    client.force_login(people.staff)  # through the middleware stack, gzip included
    first = client.get(url(people.household), HTTP_ACCEPT_ENCODING="gzip")

    # gzip hands the tag on weakened; the client sends back what it was given.
    unchanged = client.get(
        url(people.household), HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="gzip"
    )
    client.patch(url(people.household), {"room": "502"}, format="json")
    changed = client.get(url(people.household), HTTP_IF_NONE_MATCH=first["ETag"], HTTP_ACCEPT_ENCODING="gzip")

    assert first["ETag"].startswith('W/"')
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
