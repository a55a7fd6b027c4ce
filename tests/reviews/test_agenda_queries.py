"""The agenda costs the same queries for 5 households as for 50 (and, ``make bench``,
10,000): one per rule, one for the households of the page, a few for the page itself."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from employment.models import WarningKind
from households.models import Household
from monitoring.services import propose_tier_change
from reviews.models import Decision, DecisionKind, Review
from services.cases import open_case
from services.models import ServiceCase
from tests.households.factories import HouseholdFactory, default_tier
from tests.reviews.factories import ReviewFactory, WarningFactory, at, missed

pytestmark = pytest.mark.django_db

# 26 measured: the session, the user, the account's guards (axes, password age) and
# permissions (6); the unit and its choices (2); the rules (5); this month's review and
# the last one, and its decisions with what became of them (3); the households' order and
# rows (2); the people and tiers offered (2); the inbox badge, the units offered again by
# the form, the attendees, the session's save (6). Two more once this month's review
# exists (its decisions, its attendees).
AGENDA_QUERIES = 28


def crowd(grid, people, n: int):
    """``n`` households with every reason at once, and a decision of October each."""
    october = Review.objects.filter(unit=grid.community).first() or ReviewFactory(
        unit=grid.community, recorded_by=people.staff
    )
    for i in range(n):
        household = HouseholdFactory(
            unit=grid.building_1 if i % 2 else grid.building_2, tier=default_tier("yellow")
        )
        WarningFactory(
            household=household, kind=WarningKind.ZERO_EMPLOYMENT, raised_at=at(datetime.date(2026, 11, 2))
        )
        WarningFactory(
            household=household, kind=WarningKind.LOW_INCOME, raised_at=at(datetime.date(2026, 9, 2))
        )
        missed(household, datetime.date(2026, 11, 8), datetime.date(2026, 11, 15))
        propose_tier_change(household=household, tier=default_tier("red"), reason="病", by=people.worker)
        case = open_case(
            household=household, category="dibao", description="低保", urgency="normal", by=people.staff
        )
        ServiceCase.objects.filter(pk=case.pk).update(due_on=datetime.date(2026, 11, 1))
        Decision.objects.create(
            review=october,
            household=household,
            kind=DecisionKind.MEASURE,
            measure="送岗上门",
            person=people.worker,
            decided_by=people.staff,
            decided_at=at(datetime.date(2026, 10, 28)),
        )
    Household.objects.update(tier_changed_at=timezone.now() - datetime.timedelta(days=400))


@pytest.mark.parametrize("n", [5, 50])
def test_the_agenda_page_costs_the_same_queries_for_5_and_50_households(
    grid, people, client, n, django_assert_max_num_queries
):
    crowd(grid, people, n)
    client.force_login(people.staff)
    url = reverse("reviews:agenda") + f"?unit={grid.community.pk}&month=2026-11"

    with django_assert_max_num_queries(AGENDA_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["rows"]) == n + 2  # the people fixture's two households are stale too


def test_the_query_count_does_not_grow_with_the_agenda(grid, people, client):
    crowd(grid, people, 5)
    client.force_login(people.staff)
    url = reverse("reviews:agenda") + f"?unit={grid.community.pk}&month=2026-11"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    crowd(grid, people, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)
