"""A page of 100 costs the same queries as a page of 5, on every list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from households.models import Label
from services.cases import open_case
from tests.households.factories import HouseholdFactory, MemberFactory
from tests.monitoring.factories import VisitFactory, at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/households/", "/api/v1/members/", "/api/v1/visits/", "/api/v1/cases/", "/api/v1/units/"]
)
def test_queries_do_not_grow_with_the_page(people, grid, path):
    import datetime

    for i in range(110):
        household = HouseholdFactory(unit=grid.building_2)
        household.labels.add(*Label.objects.all()[:2])
        MemberFactory(household=household)
        VisitFactory(household=household, visited_by=people.staff, visited_at=at(datetime.date(2026, 11, 1)))
        open_case(household=household, category="help", description=str(i), urgency="normal", by=people.staff)
    client = APIClient()
    client.force_authenticate(people.staff)

    def count(size):
        client.get(path, {"page_size": size})  # permissions cached, as on a busy server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"page_size": size})
        assert response.status_code == 200 and len(response.json()["results"]) == min(
            size, response.json()["count"]
        )
        return len(queries)

    assert count(5) == count(100)
