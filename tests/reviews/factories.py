import datetime

import factory
from django.utils import timezone

from employment.models import EmploymentWarning, WarningKind
from monitoring.models import FollowUp, FollowUpStatus
from reviews.models import Review
from tests.grids.factories import UserFactory


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_default_timezone())


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review as the agenda page records it, for setting a scene."""

    class Meta:
        model = Review

    month = datetime.date(2026, 10, 1)
    held_on = datetime.date(2026, 10, 28)
    recorded_by = factory.SubFactory(UserFactory)


class WarningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmploymentWarning

    kind = WarningKind.ZERO_EMPLOYMENT
    raised_at = factory.LazyFunction(timezone.now)


def missed(household, *days: datetime.date):
    """Follow-ups of ``household`` missed, one due on each of ``days`` (a week each)."""
    return [
        FollowUp.objects.create(
            household=household,
            tier=household.tier,
            period_start=day - datetime.timedelta(days=6),
            period_end=day,
            due_on=day,
            status=FollowUpStatus.MISSED,
        )
        for day in days
    ]
