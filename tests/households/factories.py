import datetime
import itertools

import factory

from households.demo import make_resident_id
from households.models import Household, Member, Relation, Sex
from monitoring.models import TierScheme
from tests.grids.factories import GridUnitFactory, level

_sequence = itertools.count(1)


def resident_id(born: datetime.date, male: bool, region: str = "530621") -> str:
    """A valid, unique 18-character ID number for a birth date and sex."""
    return make_resident_id(region, born, male, next(_sequence))


def default_tier(code: str = "green"):
    return TierScheme.objects.get_default().tiers.get(code=code)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"HH{n:06d}")
    unit = factory.LazyFunction(lambda: GridUnitFactory(level=level("楼栋")))
    building = factory.LazyAttribute(lambda household: household.unit.building())
    entrance = 1
    floor = 5
    room = factory.Sequence(lambda n: f"{n % 9000 + 101}")
    origin_county = "鲁甸县"
    tier = factory.LazyFunction(default_tier)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Faker("name", locale="zh_CN")
    relation = Relation.HEAD
    sex = Sex.MALE
    birth_date = datetime.date(1975, 6, 15)
    id_number = factory.LazyAttribute(lambda m: resident_id(m.birth_date, m.sex == Sex.MALE))
