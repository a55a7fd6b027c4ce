"""Households there before followed_since was kept: followed since the engine wrote their
first follow-up, or, with none yet, from now (the engine owes nothing from before)."""

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone


def since_the_first_follow_up(apps, schema_editor):
    Household = apps.get_model("households", "Household")
    FollowUp = apps.get_model("monitoring", "FollowUp")
    first = (
        FollowUp.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    unset = Household.objects.filter(followed_since__isnull=True)
    unset.update(followed_since=Subquery(first))
    unset.update(followed_since=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0012_followed_since"),
        ("monitoring", "0013_input_bounds"),
    ]

    operations = [migrations.RunPython(since_the_first_follow_up, migrations.RunPython.noop)]
