"""A run that dies half-way leaves nothing behind; the next run writes everything once."""

import datetime

import pytest
import time_machine

from monitoring import followups
from monitoring.models import FollowUp
from tests.households.factories import HouseholdFactory, default_tier
from tests.monitoring.factories import at

pytestmark = pytest.mark.django_db


def test_a_run_killed_before_it_commits_is_rolled_back_and_redone(grid, monkeypatch):
    for code in ["red", "yellow", "green"]:
        HouseholdFactory(unit=grid.building_1, tier=default_tier(code))
    real_insert = followups._insert_follow_ups

    def dies_after_writing(*args, **kwargs):
        real_insert(*args, **kwargs)
        raise SystemExit("worker lost")  # what the task sees when its process is killed

    with time_machine.travel(at(datetime.date(2026, 3, 11), 1), tick=False):
        monkeypatch.setattr(followups, "_insert_follow_ups", dies_after_writing)
        with pytest.raises(SystemExit):
            followups.generate_follow_ups()
        assert FollowUp.objects.count() == 0

        monkeypatch.setattr(followups, "_insert_follow_ups", real_insert)
        assert followups.generate_follow_ups() == 3
        assert followups.generate_follow_ups() == 0

    assert FollowUp.objects.filter(status="open").count() == 3
