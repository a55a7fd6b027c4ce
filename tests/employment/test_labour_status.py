"""A member's labour status: recorded from the household card, kept as history, refused
with the field and the reason when it cannot be."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from employment.models import LabourRecord, LabourStatus
from employment.services import end_labour, record_labour_status
from households.models import MemberStatus
from tests.employment.factories import LabourRecordFactory, WelfarePostFactory, WorkshopFactory
from tests.households.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def worker_member(people):
    return MemberFactory(household=people.household, name="王大力", relation="child", is_labour_force=True)


def test_a_new_status_ends_the_current_one_and_both_stay(worker_member, people):
    first = record_labour_status(
        member=worker_member,
        status=LabourStatus.JOB_SEEKING,
        starts_on=datetime.date(2026, 1, 5),
        by=people.worker,
    )
    second = record_labour_status(
        member=worker_member,
        status=LabourStatus.MIGRANT,
        starts_on=datetime.date(2026, 3, 1),
        province="浙江",
        city="宁波",
        monthly_income=6000,
        by=people.worker,
    )

    first.refresh_from_db()
    assert first.ends_on == datetime.date(2026, 3, 1)
    assert second.ends_on is None
    assert list(LabourRecord.objects.filter(member=worker_member).values_list("status", flat=True)) == [
        "migrant",
        "job_seeking",
    ]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"status": LabourStatus.MIGRANT}, "province"),
        ({"status": LabourStatus.WORKSHOP}, "workshop"),
        ({"status": LabourStatus.PUBLIC_WELFARE}, "post"),
        ({"status": LabourStatus.GIG, "starts_on": datetime.date(2099, 1, 1)}, "starts_on"),
        ({"status": LabourStatus.GIG, "monthly_income": -5}, "monthly_income"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(worker_member, people, kwargs, field):
    kwargs.setdefault("starts_on", datetime.date(2026, 1, 5))
    with pytest.raises(ValidationError) as refused:
        record_labour_status(member=worker_member, by=people.worker, **kwargs)

    assert field in refused.value.message_dict
    assert not LabourRecord.objects.exists()


def test_a_new_status_cannot_begin_before_the_current_one(worker_member, people):
    LabourRecordFactory(member=worker_member, starts_on=datetime.date(2026, 5, 1))

    with pytest.raises(ValidationError) as refused:
        record_labour_status(
            member=worker_member,
            status=LabourStatus.GIG,
            starts_on=datetime.date(2026, 4, 1),
            by=people.worker,
        )

    assert "starts_on" in refused.value.message_dict
    assert LabourRecord.objects.get().ends_on is None


def test_a_full_workshop_or_post_is_refused(worker_member, people, grid):
    post = WelfarePostFactory(unit=grid.community, capacity=1)
    LabourRecordFactory(status=LabourStatus.PUBLIC_WELFARE, post=post)
    closed = WorkshopFactory(unit=grid.community, is_open=False)

    with pytest.raises(ValidationError) as full:
        record_labour_status(
            member=worker_member,
            status=LabourStatus.PUBLIC_WELFARE,
            post=post,
            starts_on=TODAY - datetime.timedelta(days=1),
            by=people.worker,
        )
    with pytest.raises(ValidationError) as shut:
        record_labour_status(
            member=worker_member,
            status=LabourStatus.WORKSHOP,
            workshop=closed,
            starts_on=TODAY - datetime.timedelta(days=1),
            by=people.worker,
        )

    assert "full" in full.value.message_dict["post"][0] or "满" in full.value.message_dict["post"][0]
    assert "workshop" in shut.value.message_dict
    assert post.headcount() == 1


def test_a_member_who_left_cannot_get_work_recorded(worker_member, people):
    worker_member.status, worker_member.left_on = MemberStatus.MOVED_OUT, datetime.date(2026, 1, 1)
    worker_member.save()

    with pytest.raises(ValidationError):
        record_labour_status(
            member=worker_member,
            status=LabourStatus.GIG,
            starts_on=datetime.date(2026, 2, 1),
            by=people.worker,
        )


def test_ending_work_keeps_the_record_with_its_end(worker_member, people):
    LabourRecordFactory(member=worker_member, starts_on=datetime.date(2025, 1, 1))

    end_labour(member=worker_member, ends_on=datetime.date(2026, 10, 1), by=people.worker)

    assert LabourRecord.objects.get().ends_on == datetime.date(2026, 10, 1)
    with pytest.raises(ValidationError):
        end_labour(member=worker_member, ends_on=datetime.date(2026, 10, 2), by=people.worker)


def test_a_grid_worker_records_work_from_the_card_in_a_few_taps(worker_member, people, client):
    client.force_login(people.worker)
    card = client.get(reverse("households:card", args=[people.household.pk]))
    assert reverse("employment:labour", args=[worker_member.pk]) in card.content.decode()

    response = client.post(
        reverse("employment:labour", args=[worker_member.pk]),
        {"status": "gig", "starts_on": "2026-11-01", "employer": "建筑公司", "monthly_income": "3000"},
    )

    assert response.status_code == 302
    record = LabourRecord.objects.get(member=worker_member)
    assert (record.status, record.employer, record.recorded_by) == ("gig", "建筑公司", people.worker)
    assert "零工" in client.get(reverse("households:card", args=[people.household.pk])).content.decode()


def test_the_page_shows_the_refusal_beside_the_field(worker_member, people, client):
    client.force_login(people.worker)

    response = client.post(
        reverse("employment:labour", args=[worker_member.pk]),
        {"status": "migrant", "starts_on": "2026-11-01"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["province"]
    assert not LabourRecord.objects.exists()


def test_out_of_scope_is_404_and_a_leader_cannot_record(people, client):
    outsider = MemberFactory(household=people.outside, name="张小山", relation="child", is_labour_force=True)
    client.force_login(people.worker)
    assert client.get(reverse("employment:labour", args=[outsider.pk])).status_code == 404

    client.force_login(people.leader)
    assert client.get(reverse("employment:labour", args=[outsider.pk])).status_code == 403


def test_after_an_ended_spell_a_new_one_cannot_begin_before_its_end(worker_member, people):
    LabourRecordFactory(member=worker_member, starts_on=datetime.date(2025, 1, 1))
    end_labour(member=worker_member, ends_on=datetime.date(2026, 6, 1), by=people.worker)

    with pytest.raises(ValidationError) as refused:
        record_labour_status(
            member=worker_member,
            status=LabourStatus.GIG,
            starts_on=datetime.date(2026, 5, 1),
            by=people.worker,
        )

    assert "starts_on" in refused.value.message_dict
    assert LabourRecord.objects.count() == 1


def test_the_work_page_lists_trainings_once_in_the_body(worker_member, people, client):
    from employment.models import Training

    Training.objects.create(member=worker_member, course="挖掘机操作", starts_on=datetime.date(2025, 3, 1))
    client.force_login(people.worker)

    html = client.get(reverse("employment:labour", args=[worker_member.pk])).content.decode()

    assert html.count("挖掘机操作") == 1
    assert "挖掘机操作" in html.split("<main", 1)[1]


def test_the_workplace_list_counts_everyones_places_without_a_query_each(client, grid):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.grids.factories import administrator

    def workshop_with_workers(n):
        workshop = WorkshopFactory(unit=grid.community)
        for _ in range(n):
            LabourRecordFactory(workshop=workshop, status=LabourStatus.WORKSHOP)

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:employment_workshop_changelist"))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    workshop_with_workers(2)
    client.force_login(administrator(username="chief"))
    page()  # the session and the permissions, once
    one, _ = page()
    for n in range(5):
        workshop_with_workers(n)
    six, body = page()

    assert six == one
    assert '<td class="field-headcount">2</td>' in body and '<td class="field-headcount">4</td>' in body
