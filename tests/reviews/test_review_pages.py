"""The list of a unit's reviews, the minutes people print and file, the admin's read-only
view, and who may do what."""

import datetime
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from django.urls import reverse

from grids import roles
from reviews.models import Decision, DecisionKind
from tests.grids.factories import UserFactory, administrator, community_staff
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(scene):
    review = ReviewFactory(
        unit=scene.grid.community,
        month=datetime.date(2026, 11, 1),
        held_on=datetime.date(2026, 11, 25),
        recorded_by=scene.people.staff,
        other_attendees="居民代表 张三\n街道干部 李四",
        minutes="一、本月重点户研判。\n二、下月安排。",
    )
    review.attendees.set([scene.people.staff, scene.people.worker])
    Decision.objects.create(
        review=review,
        household=scene.poor,
        kind=DecisionKind.MEASURE,
        measure="送岗上门",
        person=scene.people.worker,
        facts="income under the line",
        decided_by=scene.people.staff,
    )
    return review


def test_the_minutes_show_who_came_what_was_decided_and_print_on_a4(scene, held, client):
    client.force_login(scene.people.leader)

    response = client.get(reverse("reviews:minutes", args=[held.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "居民代表 张三" in html and "街道干部 李四" in html and scene.people.worker.last_name in html
    assert "送岗上门" in html and f'data-decision="{scene.poor.pk}"' in html
    assert "二、下月安排。" in html
    assert "review.css" in html
    css = Path(finders.find("review.css")).read_text()
    assert "size: A4" in css and "@media print" in css


def test_the_list_shows_the_reviews_of_the_units_in_scope(scene, held, client, assign):
    elsewhere = ReviewFactory(
        unit=scene.grid.street, month=datetime.date(2026, 10, 1), recorded_by=scene.people.staff
    )
    client.force_login(scene.people.staff)

    response = client.get(reverse("reviews:list"))

    shown = list(response.context["page"])
    assert held in shown and elsewhere not in shown  # the street lies above the staff's community
    assert client.get(reverse("reviews:minutes", args=[elsewhere.pk])).status_code == 404


def test_the_admin_shows_reviews_and_decisions_and_edits_none(scene, held, client):
    client.force_login(administrator(username="admin"))

    listing = client.get(reverse("admin:reviews_review_changelist"))
    page = client.get(reverse("admin:reviews_review_change", args=[held.pk]))
    add = client.get(reverse("admin:reviews_decision_add"))

    assert listing.status_code == 200 and page.status_code == 200
    assert "送岗上门" in page.content.decode()
    assert add.status_code == 403


def test_community_staff_hold_reviews_and_leaders_read_them():
    def codenames(name):
        return {
            p.codename
            for p in Group.objects.get(name=name).permissions.filter(content_type__app_label="reviews")
        }

    assert codenames(roles.COMMUNITY_STAFF) == {
        "view_review",
        "add_review",
        "change_review",
        "view_decision",
        "add_decision",
    }
    assert codenames(roles.LEADER) == {"view_review", "view_decision"}
    assert codenames(roles.GRID_WORKER) == set()


def test_the_migration_grants_reviews_to_role_groups_that_existed_before():
    group = Group.objects.get(name=roles.COMMUNITY_STAFF)
    group.permissions.remove(*Permission.objects.filter(content_type__app_label="reviews"))
    migration = importlib.import_module("reviews.migrations.0002_grant_to_role_groups")

    migration.grant(apps, None)

    assert UserFactory(username="new-staff", groups=[roles.COMMUNITY_STAFF]).has_perm("reviews.add_decision")


def test_the_footer_links_staff_to_the_monthly_review(scene, client):
    client.force_login(community_staff(username="other-staff"))

    html = client.get(reverse("reviews:list")).content.decode()

    assert reverse("reviews:list") in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_holds_last_months_review_of_the_first_community_and_this_month_follows_it(client):
    import io

    from django.core.management import call_command

    from grids.models import GridUnit

    call_command(
        "seed_demo",
        households=300,
        history_days=2,
        trend_every_days=90,
        stdout=io.StringIO(),
        no_progress=True,
    )
    client.force_login(get_user_model().objects.get(username="staff"))
    community = GridUnit.objects.filter(level__name="社区").order_by("path").first()

    page = client.get(reverse("reviews:agenda"), {"unit": community.pk, "month": "2026-11"})

    review = page.context["agenda"].previous
    assert review.month == datetime.date(2026, 10, 1) and review.decisions.count() > 0
    assert len(page.context["agenda"].follow_through) == review.decisions.count()
