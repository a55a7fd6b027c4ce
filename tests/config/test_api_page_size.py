"""``?page_size=`` outside 1 to 200 is a 400 naming page_size and the range, on every list,
rather than a page of another size than asked for; the schema documents the range."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people, grid):
    for room in range(101, 106):
        HouseholdFactory(unit=grid.building_2, room=str(room))
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


@pytest.mark.parametrize("size", ["0", "-1", "1000000000", "201", "x", "2.5", "", "٣"])
@pytest.mark.parametrize("path", ["/api/v1/households/", "/api/v1/tier-changes/", "/api/v1/units/"])
def test_a_page_size_outside_the_range_is_a_400_naming_it(api, path, size):
    response = api.get(path, {"page_size": size})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page_size"]
    assert response.json()["fields"]["page_size"] == ["请填写 1 到 200 之间的整数。"]  # the range, in Chinese


@pytest.mark.parametrize("size, rows", [("1", 1), ("200", 7), ("3", 3)])
def test_a_page_size_in_the_range_is_what_the_page_holds(api, size, rows):
    response = api.get("/api/v1/households/", {"page_size": size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


def test_the_schema_documents_the_range_and_the_400():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    for path, item in schema["paths"].items():
        operation = item.get("get", {})
        page_size = [p for p in operation.get("parameters", []) if p["name"] == "page_size"]
        if page_size:
            assert page_size[0]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
            assert "400" in operation["responses"], path
