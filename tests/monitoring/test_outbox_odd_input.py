"""What a client can send in JSON but no form can (numbers, lists, nulls, NUL bytes, ids
and offsets out of the database's range), in every field of the three outbox batches:
each item refused naming its field, or saved, never a 500."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from monitoring.models import TierProposal, Visit
from services.models import ServiceCase
from tests.households.factories import default_tier

pytestmark = pytest.mark.django_db
ODD = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    [],
    {},
    [None],
    10**30,
    "a\x00b",
    ["employment", 3],
    "2026-13-45T10:00",
    "2026-11-25T09:00:00+16:06",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
]


def good(people, kind):
    return {
        "visits": {
            "household": people.household.pk,
            "visited_at": "2026-11-25T09:00:00+08:00",
            "mode": "door",
        },
        "proposals": {"household": people.household.pk, "tier": default_tier("red").pk, "reason": "户主住院"},
        "cases": {
            "household": people.household.pk,
            "category": "dispute",
            "urgency": "normal",
            "description": "x",
        },
    }[kind]


FIELDS = {
    "visits": [
        "household",
        "visited_at",
        "mode",
        "notes",
        "needs",
        "propose_tier",
        "proposal_reason",
        "photo_taken_at",
    ],
    "proposals": ["household", "tier", "reason"],
    "cases": ["household", "category", "urgency", "description"],
}


@pytest.mark.parametrize("kind", FIELDS)
def test_odd_values_in_any_field_are_answered_per_item(people, kind):
    api = APIClient()
    api.force_authenticate(people.worker)
    items = [
        {**good(people, kind), "key": str(uuid.uuid4()), field: odd} for field in FIELDS[kind] for odd in ODD
    ]

    response = api.post(f"/api/v1/{kind}/batch/", items, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == len(items)
    for item, result in zip(items, results, strict=True):
        assert result["key"] == item["key"]
        assert result["status"] in ("created", "rejected", "duplicate")
        if result["status"] == "rejected":
            assert result["errors"] and all(
                isinstance(m, str) for ms in result["errors"].values() for m in ms
            )
    saved = {"visits": Visit, "proposals": TierProposal, "cases": ServiceCase}[kind].objects.count()
    assert saved == sum(r["status"] == "created" for r in results)


@pytest.mark.parametrize("kind", FIELDS)
@pytest.mark.parametrize("body", [b"", b"[", b"{}", b"null", b"[]", b"[1, 2]"])
def test_a_body_that_is_not_a_list_of_items_is_a_400_or_each_item_is_answered(people, kind, body):
    api = APIClient()
    api.force_authenticate(people.worker)

    response = api.post(f"/api/v1/{kind}/batch/", body, content_type="application/json")

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert [r["status"] for r in response.json()["results"]] == ["rejected", "rejected"]


@pytest.mark.parametrize("kind", FIELDS)
def test_the_same_key_written_another_way_is_the_same_key(people, kind):
    api = APIClient()
    api.force_authenticate(people.worker)
    key = uuid.uuid4()
    item = {**good(people, kind), "key": str(key)}

    first = api.post(f"/api/v1/{kind}/batch/", [item], format="json").json()["results"][0]
    again = api.post(
        f"/api/v1/{kind}/batch/",
        # Multipart where a photo may be sent (visits); JSON, the only body, elsewhere.
        {"items": json.dumps([{**item, "key": key.hex.upper()}])}
        if kind == "visits"
        else [{**item, "key": key.hex.upper()}],
        format="multipart" if kind == "visits" else "json",
    ).json()["results"][0]

    assert (first["status"], again["status"]) == ("created", "duplicate")
    assert again["id"] == first["id"]


@pytest.mark.parametrize("kind", FIELDS)
def test_options_describes_each_batch(people, kind):
    api = APIClient()
    api.force_authenticate(people.worker)

    response = api.options(f"/api/v1/{kind}/batch/")

    assert response.status_code == 200 and "POST" in response["Allow"]
