"""A tier an administrator defines is refused when its cadence or deadline makes no sense."""

import pytest
from django.core.exceptions import ValidationError

from monitoring.models import Tier, TierScheme

pytestmark = pytest.mark.django_db


def tier(**fields):
    scheme = TierScheme.objects.create(code="five-colour", name="五色")
    return Tier(
        scheme=scheme, code="purple", name="紫", colour="#7a3e9d", severity=1, cadence="weekly", **fields
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cadence": "hourly"}, "cadence"),
        ({"response_working_days": 0}, "response_working_days"),
        ({"response_working_days": -3}, "response_working_days"),
        ({"colour": "purple"}, "colour"),
    ],
)
def test_nonsense_is_refused_naming_the_field(fields, field):
    candidate = tier()
    for name, value in fields.items():
        setattr(candidate, name, value)

    with pytest.raises(ValidationError) as raised:
        candidate.full_clean()

    assert field in raised.value.message_dict
    assert not Tier.objects.filter(code="purple").exists()


def test_a_sensible_tier_is_accepted():
    candidate = tier(response_working_days=5)

    candidate.full_clean()
    candidate.save()

    assert Tier.objects.get(code="purple").response_working_days == 5
