"""The two schemes of the reports ship as data."""

import pytest

from monitoring.models import TierScheme

pytestmark = pytest.mark.django_db


def tiers(code):
    scheme = TierScheme.objects.get(code=code)
    return [(t.code, t.cadence, t.response_working_days) for t in scheme.tiers.order_by("severity")]


def test_three_colours_visit_daily_weekly_monthly_with_3_and_7_working_days():
    assert tiers("three-colour") == [("red", "daily", 3), ("yellow", "weekly", 7), ("green", "monthly", None)]
    assert TierScheme.objects.get_default().code == "three-colour"


def test_four_colours_visit_weekly_fortnightly_monthly_quarterly():
    assert [t[:2] for t in tiers("four-colour")] == [
        ("red", "weekly"),
        ("orange", "biweekly"),
        ("yellow", "monthly"),
        ("green", "quarterly"),
    ]
