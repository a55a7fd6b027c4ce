"""The apps stand on each other: grids < messaging, webhooks < households < monitoring < employment,
services < reports.

A model refers, and a migration depends, only on its own app or on apps below it; Django's
own apps and third-party ones lie below all of ours. The one exception: a household carries
its colour, so households refers to monitoring's tier models (and its migrations depend on
the migration that makes them).
"""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

FLOORS = {
    "audit": 1,
    "accounts": 2,
    "grids": 3,
    "messaging": 4,
    "webhooks": 4,
    "households": 5,
    "monitoring": 6,
    "employment": 7,
    "services": 7,
    "reports": 8,
    "reviews": 8,
    "config": 9,
}
ALLOWED_MODELS = {("households", "monitoring"): {"Tier", "TierScheme", "TierChange"}}
ALLOWED_MIGRATIONS = {
    (("households", "0002_initial"), ("monitoring", "0001_initial")),
    # PostgreSQL cannot partition a table another references by id alone: the app above
    # unhooks its case's visit first (services 0012 declares run_before; monitoring
    # imports nothing of services, and its migration names no table of it).
    (("monitoring", "0024_visits_by_month"), ("services", "0012_visits_unchecked")),
}


def floor(app_label: str) -> int:
    return FLOORS.get(app_label, 0)


def relations():
    """(model, field, the model it points at) for every relation a model declares."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if field.is_relation and not field.auto_created and field.related_model is not None:
                yield model, field, field.related_model


def test_no_model_refers_to_an_app_above_its_own():
    upward = [
        f"{model._meta.label}.{field.name} → {target._meta.label}"
        for model, field, target in relations()
        if floor(target._meta.app_label) > floor(model._meta.app_label)
        and target.__name__ not in ALLOWED_MODELS.get((model._meta.app_label, target._meta.app_label), ())
    ]

    assert upward == []


def test_households_refer_to_monitoring_for_their_colour_only():
    targets = {
        target.__name__
        for model, field, target in relations()
        if (model._meta.app_label, target._meta.app_label) == ("households", "monitoring")
    }

    assert targets and targets <= ALLOWED_MODELS[("households", "monitoring")]


def test_no_migration_depends_on_an_app_above_its_own():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    upward = [
        f"{key[0]}.{key[1]} → {parent.key[0]}.{parent.key[1]}"
        for key, node in graph.node_map.items()
        for parent in node.parents
        if floor(parent.key[0]) > floor(key[0]) and (key, parent.key) not in ALLOWED_MIGRATIONS
    ]

    assert upward == []


def test_every_app_of_ours_has_a_floor():
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in Path(config.path).parts
    }

    assert ours == set(FLOORS)
