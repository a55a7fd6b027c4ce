"""seed_demo finds each app's part of the demo and runs the parts in their ranks' order."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from grids import demo


def test_it_finds_every_apps_steps_and_orders_them_as_the_data_needs():
    autodiscover_modules("demo")

    assert [step.name for step in demo.demo_steps()] == [
        "grids.demo.build_grid",
        "monitoring.demo.choose_tier_schemes",  # before the households, who take their tier from it
        "grids.demo.build_people_in_charge",
        "households.demo.build_households",
        "employment.demo.build_employment",
        "services.demo.build_services",
        "monitoring.demo.build_followed_week",
        "monitoring.demo.build_trend_counts",
        "reports.demo.build_reports",  # after the trend, which its chart reads
    ]


def test_it_refuses_two_steps_at_one_rank(monkeypatch):
    autodiscover_modules("demo")
    monkeypatch.setattr(demo, "_steps", dict(demo._steps))  # nothing registered here stays

    with pytest.raises(ImproperlyConfigured, match="share rank 30"):
        demo.demo_step(30)(lambda ctx: None)
