import datetime
import types

import pytest
from django.utils import timezone

from employment.models import WarningKind
from households.models import Household
from monitoring.services import propose_tier_change
from services.cases import open_case
from services.models import CaseLevel, ServiceCase
from tests.households.factories import HouseholdFactory, default_tier
from tests.reviews.factories import WarningFactory, at, missed

NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def scene(grid, people):
    """The community of ``people`` (staff on it, a worker on building 1) in November 2026,
    with one household for each reason to be on the agenda and one with none."""
    s = types.SimpleNamespace(grid=grid, people=people, month=NOVEMBER)

    def household(unit=grid.building_1, tier="green", **kwargs):
        return HouseholdFactory(unit=unit, tier=default_tier(tier), **kwargs)

    s.calm = household()
    s.warned = household()
    WarningFactory(household=s.warned, kind=WarningKind.JOB_ENDED, raised_at=at(datetime.date(2026, 11, 3)))
    s.proposed = household(tier="yellow")
    s.proposal = propose_tier_change(
        household=s.proposed, tier=default_tier("red"), reason="户主住院", by=people.worker
    )
    s.missed = household()
    missed(s.missed, datetime.date(2026, 11, 8), datetime.date(2026, 11, 15))
    s.late = household(unit=grid.building_2, tier="yellow")
    s.case = open_case(
        household=s.late, category="dibao", description="低保申请", urgency="normal", by=people.staff
    )
    ServiceCase.objects.filter(pk=s.case.pk).update(due_on=datetime.date(2026, 11, 20))
    s.escalated = household(unit=grid.building_3)
    case = open_case(
        household=s.escalated, category="dispute", description="邻里纠纷", urgency="normal", by=people.staff
    )
    ServiceCase.objects.filter(pk=case.pk).update(
        level=CaseLevel.COMMUNITY, due_on=datetime.date(2026, 12, 1)
    )
    s.zero = household()
    WarningFactory(
        household=s.zero, kind=WarningKind.ZERO_EMPLOYMENT, raised_at=at(datetime.date(2026, 9, 1))
    )
    s.poor = household()
    WarningFactory(household=s.poor, kind=WarningKind.LOW_INCOME, raised_at=at(datetime.date(2026, 9, 1)))
    s.stale = household()
    Household.objects.filter(pk=s.stale.pk).update(
        tier_changed_at=timezone.now() - datetime.timedelta(days=300)
    )
    return s
