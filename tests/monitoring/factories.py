import datetime

import factory
from django.utils import timezone

from monitoring.models import Visit
from tests.grids.factories import UserFactory


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """An instant on a day in Asia/Shanghai."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_default_timezone())


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    visited_by = factory.SubFactory(UserFactory)
    mode = "door"
    notes = "一切正常"
