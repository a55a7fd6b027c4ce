import datetime

import factory

from employment.models import IncomeRecord, LabourRecord, LabourStatus, WelfarePost, Workshop
from tests.grids.factories import UserFactory
from tests.households.factories import HouseholdFactory, MemberFactory


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"服装车间{n}")
    capacity = 50


class WelfarePostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WelfarePost

    name = factory.Sequence(lambda n: f"保洁员{n}")
    capacity = 5


class LabourRecordFactory(factory.django.DjangoModelFactory):
    """A record written directly, for setting a scene; the pages go through the services."""

    class Meta:
        model = LabourRecord

    member = factory.SubFactory(MemberFactory, is_labour_force=True)
    status = LabourStatus.GIG
    starts_on = datetime.date(2025, 3, 1)
    monthly_income = 2500
    recorded_by = factory.SubFactory(UserFactory)


class IncomeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    household = factory.SubFactory(HouseholdFactory)
    year = 2025
    per_capita = 12000
    recorded_by = factory.SubFactory(UserFactory)
