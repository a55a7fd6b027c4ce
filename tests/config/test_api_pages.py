"""List pages as a client pages through them: counted, in order, and a page that does not
exist a 404, whatever the page size."""

import pytest
from rest_framework.test import APIClient

from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people, grid):
    for room in range(101, 113):
        HouseholdFactory(unit=grid.building_2, room=str(room), number=f"P{room}")
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def page(api, **params):
    return api.get("/api/v1/households/", params)


def test_pages_count_everything_in_scope_and_keep_the_order_asked_for(api):
    first = page(api, page_size=5, ordering="-number")
    third = page(api, page_size=5, ordering="-number", page=3)

    assert first.status_code == third.status_code == 200
    assert first.json()["count"] == third.json()["count"] == 14  # 12 here, 2 from `people`
    numbers = [h["number"] for h in first.json()["results"] + third.json()["results"]]
    assert numbers[:5] == sorted(numbers[:5], reverse=True)
    assert len(third.json()["results"]) == 4 and third.json()["next"] is None


@pytest.mark.parametrize("number", ["4", "0", "-1", "x", "277457160677963964874752"])  # the last: a fuzzer's
def test_a_page_that_does_not_exist_is_a_404(api, number):
    assert page(api, page_size=5, page=number).status_code == 404


def test_an_empty_list_has_an_empty_first_page(api):
    response = page(api, number="NO-SUCH-NUMBER")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
