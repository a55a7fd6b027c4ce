"""The household card's sections come from the apps that own them (households.card), and
the card costs the same queries whatever it shows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employment.models import EmploymentWarning, LabourStatus, WarningKind
from employment.services import record_labour_status
from households.card import sections
from monitoring.followups import generate_follow_ups
from monitoring.models import Tier
from monitoring.services import propose_tier_change
from services.cases import open_case
from tests.households.factories import MemberFactory
from tests.monitoring.factories import VisitFactory, at

pytestmark = pytest.mark.django_db


def enrich(people, n):
    """``n`` more members, each working, with a case, a warning and a visit each."""
    household = people.household
    for i in range(n):
        member = MemberFactory(household=household, name=f"王{i}", relation="child", is_labour_force=True)
        record_labour_status(
            member=member, status=LabourStatus.GIG, starts_on=datetime.date(2026, 1, 1), by=people.staff
        )
        open_case(
            household=household,
            category="dispute",
            description=f"纠纷{i}",
            urgency="urgent",
            by=people.worker,
        )
        EmploymentWarning.objects.create(household=household, member=member, kind=WarningKind.ZERO_EMPLOYMENT)
        VisitFactory(
            household=household, visited_by=people.worker, visited_at=at(datetime.date(2026, 11, 20 + i))
        )


def test_every_apps_sections_are_on_the_card(people, client):
    generate_follow_ups()
    enrich(people, 1)
    red = Tier.objects.get(scheme=people.household.tier.scheme, code="red")
    propose_tier_change(household=people.household, tier=red, reason="家中有人住院", by=people.worker)
    client.force_login(people.staff)

    html = client.get(reverse("households:card", args=[people.household.pk])).content.decode()

    assert "data-follow-up" in html and "alert-warning" in html  # monitoring
    assert "纠纷0" in html and reverse("services:points", args=[people.household.pk]) in html  # services
    assert "data-warnings" in html and "零工" in html  # employment
    assert "王小红" in html and "tel:13912345678" in html  # households
    assert reverse("monitoring:propose", args=[people.household.pk]) not in html  # one is waiting


def test_the_cards_queries_do_not_grow_with_what_it_shows(people, client):
    generate_follow_ups()
    client.force_login(people.staff)
    url = reverse("households:card", args=[people.household.pk])
    client.get(url)  # the session and the permissions, once

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    plain = queries()
    enrich(people, 4)

    assert queries() == plain


def test_sections_keep_their_places_on_the_card():
    slots = {}
    for section in sections():
        slots.setdefault(section.slot, []).append(section.name)

    assert slots["actions"] == ["monitoring.log_visit"]
    assert slots["buttons"] == ["services.report", "monitoring.propose"]
    assert slots["body"] == [
        "monitoring.follow_up",
        "monitoring.proposal",
        "services.cases",
        "employment.warnings",
        "households.members",
        "services.links",
        "monitoring.visits",
        "monitoring.tier_history",
    ]
    assert slots["member"] == ["employment.work"] and slots["members_heading"] == ["employment.income"]
