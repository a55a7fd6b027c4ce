"""Follow-ups, visits and notifications are partitioned by month on PostgreSQL
(common.partitions); the uniqueness that cannot hold the month is still refused, by a
side table kept in the same transaction, from one connection or two at once."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from common import partitions
from monitoring.models import FollowUp
from tests.concurrency import at_once
from tests.households.factories import HouseholdFactory, default_tier

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite (the demo) keeps plain tables"
)

FOLLOW_UPS = "monitoring_followup"
D = datetime.date


def where(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row and row[0]


def follow_up(household, start, end=None, status="open"):
    return FollowUp.objects.create(
        household=household,
        tier=default_tier("green"),
        period_start=start,
        period_end=end or start,
        due_on=end or start,
        status=status,
    )


@pytest.mark.django_db
def test_follow_ups_are_partitioned_by_period_start():
    assert partitions.partitioned_tables()[FOLLOW_UPS] == "period_start"


@pytest.mark.django_db
def test_a_second_open_follow_up_in_another_month_is_refused_as_before(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    partitions.create_months(FOLLOW_UPS, "period_start", D(2026, 11, 1), since=D(2026, 10, 1))
    october = follow_up(household, D(2026, 10, 1), D(2026, 10, 31))

    with pytest.raises(IntegrityError, match="one_open_follow_up"), transaction.atomic():
        follow_up(household, D(2026, 11, 25))

    assert where(FOLLOW_UPS, october.pk) == f"{FOLLOW_UPS}_p2026_10"
    # Closed, it no longer counts: the next period may open.
    FollowUp.objects.filter(pk=october.pk).update(status="missed")
    november = follow_up(household, D(2026, 11, 25))
    assert november.status == "open"


@pytest.mark.django_db
def test_a_follow_up_written_years_ahead_waits_in_default_and_keeps_its_uniqueness_when_moved(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    ahead = follow_up(household, D(2040, 2, 3))
    assert where(FOLLOW_UPS, ahead.pk) == f"{FOLLOW_UPS}_default"

    created = partitions.create_months(FOLLOW_UPS, "period_start", D(2040, 2, 1), since=D(2040, 1, 1))

    assert created == [D(2040, 1, 1), D(2040, 2, 1)]
    assert where(FOLLOW_UPS, ahead.pk) == f"{FOLLOW_UPS}_p2040_02"
    with pytest.raises(IntegrityError, match="one_open_follow_up"), transaction.atomic():
        follow_up(household, D(2040, 1, 3))
    assert partitions.create_months(FOLLOW_UPS, "period_start", D(2040, 2, 1), since=D(2040, 1, 1)) == []


@pytest.mark.django_db
def test_a_detached_month_stays_readable_on_its_own_and_leaves_the_table(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    partitions.create_months(FOLLOW_UPS, "period_start", D(2024, 3, 1), since=D(2024, 3, 1))
    old = follow_up(household, D(2024, 3, 1), D(2024, 3, 31))  # left open, years ago

    detached = partitions.detach_before(FOLLOW_UPS, D(2024, 4, 1))

    assert detached == [f"{FOLLOW_UPS}_p2024_03"]
    assert not FollowUp.objects.filter(pk=old.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT household_id, status FROM {FOLLOW_UPS}_p2024_03 WHERE id = %s", [old.pk])
        assert cursor.fetchone() == (household.pk, "open")
    # Its open row went with it: the household may have an open follow-up again.
    assert follow_up(household, D(2026, 11, 25)).status == "open"


@pytest.mark.django_db
def test_the_job_detaches_months_older_than_the_setting_and_keeps_the_audit_log(settings):
    from config.partitions import maintain

    settings.PARTITION_ATTACHED_MONTHS = 13
    partitions.create_months(FOLLOW_UPS, "period_start", D(2031, 1, 1), since=D(2030, 12, 1))
    partitions.create_months("audit_auditevent", "at", D(2030, 12, 1), since=D(2030, 12, 1))

    done = maintain(D(2032, 2, 10))

    assert f"{FOLLOW_UPS}_p2030_12" in done[FOLLOW_UPS]["detached"]
    assert f"{FOLLOW_UPS}_p2031_01" not in done[FOLLOW_UPS]["detached"]
    assert done["audit_auditevent"]["detached"] == []
    assert D(2030, 12, 1) in partitions.months_of("audit_auditevent")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_connections_opening_a_follow_up_for_one_household_in_two_months_one_is_refused(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    starts = iter([D(2026, 10, 1), D(2026, 11, 25)])
    lock = threading.Lock()

    def open_one():
        with lock:
            start = next(starts)
        with transaction.atomic():
            return follow_up(household, start)

    outcomes = at_once(open_one)

    assert sum(isinstance(o, FollowUp) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, IntegrityError) and "one_open_follow_up" in str(o) for o in outcomes) == 1
    assert FollowUp.objects.filter(household=household, status="open").count() == 1
    connections.close_all()


@pytest.mark.django_db
def test_visits_are_partitioned_by_time_and_one_key_is_still_one_visit_across_months(grid):
    from monitoring.models import Visit
    from tests.monitoring.factories import VisitFactory, at

    assert partitions.partitioned_tables()["monitoring_visit"] == "visited_at"
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    first = VisitFactory(household=household, visited_at=at(D(2026, 10, 30)))

    with pytest.raises(IntegrityError, match="one_visit_per_author_and_key"), transaction.atomic():
        VisitFactory(
            household=household, visited_by=first.visited_by, key=first.key, visited_at=at(D(2026, 11, 2))
        )

    assert Visit.objects.filter(key=first.key).count() == 1
    # Another author's key may be the same (a key is its author's own).
    VisitFactory(household=household, key=first.key, visited_at=at(D(2026, 11, 2)))


@pytest.mark.django_db
def test_notifications_are_partitioned_and_a_job_run_twice_still_tells_nobody_twice(grid):
    from monitoring.models import Notification, NotificationKind
    from tests.grids.factories import UserFactory

    assert partitions.partitioned_tables()["monitoring_notification"] == "created_at"
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    missed = follow_up(household, D(2026, 11, 24), status="missed")
    worker = UserFactory()

    def notice():
        return Notification(
            recipient=worker, kind=NotificationKind.MISSED, household=household, follow_up=missed
        )

    Notification.objects.bulk_create([notice()], ignore_conflicts=True)
    Notification.objects.bulk_create([notice()], ignore_conflicts=True)  # the job, again

    assert Notification.objects.filter(follow_up=missed).count() == 1
    with pytest.raises(IntegrityError, match="notify_once"), transaction.atomic():
        notice().save()


@pytest.mark.django_db
def test_an_insert_naming_its_conflict_target_skips_a_second_open_follow_up_as_the_bare_form_does(grid):
    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    october = follow_up(household, D(2026, 10, 1), D(2026, 10, 31))
    columns = [f.column for f in FollowUp._meta.concrete_fields if f.column != "id"]
    moved = {"period_start": "%s", "period_end": "%s", "due_on": "%s"}
    chosen = ", ".join(moved.get(c, c) for c in columns)

    with connection.cursor() as cursor:
        # Another period, open too: one_open_follow_up's side table refuses it, and the
        # statement, naming one_follow_up_per_period as its arbiter, skips it.
        cursor.execute(
            f"INSERT INTO {FOLLOW_UPS} ({', '.join(columns)}) SELECT {chosen} FROM {FOLLOW_UPS}"
            " WHERE id = %s ON CONFLICT (household_id, period_start, period_end)"
            " WHERE status <> 'cancelled' DO NOTHING",
            [D(2026, 11, 25), D(2026, 11, 25), D(2026, 11, 25), october.pk],
        )

    assert list(FollowUp.objects.filter(household=household).values_list("pk", flat=True)) == [october.pk]


@pytest.mark.django_db
def test_a_notification_skipped_by_one_side_unique_leaves_nothing_in_the_other(grid):
    from django.contrib.contenttypes.models import ContentType

    from monitoring.models import Notification, NotificationKind
    from tests.grids.factories import UserFactory

    household = HouseholdFactory(unit=grid.building_1, tier=default_tier("green"))
    missed = follow_up(household, D(2026, 11, 24), status="missed")
    worker = UserFactory()
    about_households = ContentType.objects.get_for_model(household)

    def notice(follow_up, object_id):
        return Notification(
            recipient=worker,
            kind=NotificationKind.MISSED,
            household=household,
            follow_up=follow_up,
            content_type=about_households,
            object_id=object_id,
        )

    Notification.objects.bulk_create([notice(missed, 1)], ignore_conflicts=True)
    # The same follow-up about another object: notify_once skips it, before the trigger
    # of notify_once_per_object, queued for the same row, has run.
    Notification.objects.bulk_create([notice(missed, 2)], ignore_conflicts=True)
    assert Notification.objects.filter(recipient=worker).count() == 1

    # Nobody was told about object 2: a notice of it (about no follow-up) is the first.
    notice(None, 2).save()
    assert Notification.objects.filter(recipient=worker, object_id=2).count() == 1
