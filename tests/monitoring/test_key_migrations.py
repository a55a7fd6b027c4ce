"""The migrations that give tier proposals and cases a client key fill one in for every
row saved before, each its own (the unique key per author would refuse a shared one)."""

import uuid

import pytest

from monitoring.models import TierProposal
from monitoring.services import propose_tier_change
from services.cases import open_case
from services.models import ServiceCase
from tests.households.factories import HouseholdFactory, default_tier
from tests.migrations import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BEFORE = [("monitoring", "0018_notification_about_unique"), ("services", "0007_grant_cases_to_role_groups")]
AFTER = [("monitoring", "0019_proposal_key_for_resending"), ("services", "0008_case_key_for_resending")]


def test_rows_saved_before_the_keys_get_a_key_each(people, grid):
    neighbour = HouseholdFactory(unit=grid.floor_1_2, tier=default_tier("green"))
    for household in (people.household, neighbour):
        propose_tier_change(
            household=household, tier=default_tier("red"), reason="户主住院", by=people.worker
        )
    for description in ("漏水", "楼道灯坏了", "邻里纠纷"):
        open_case(
            household=people.household,
            category="dispute",
            description=description,
            urgency="normal",
            by=people.worker,
        )
    try:
        migrate(BEFORE)
        migrate(AFTER)
    finally:
        migrate_to_latest()

    for model in (TierProposal, ServiceCase):
        keys = list(model.objects.values_list("key", flat=True))
        assert all(isinstance(key, uuid.UUID) for key in keys)
        assert len(set(keys)) == len(keys) == model.objects.count() > 1
