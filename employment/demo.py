"""The demo's work and income (a step of ``seed_demo``; ``grids.demo`` says how the steps
fit together)."""

import datetime

from django.db import models
from django.utils import timezone

from employment.models import (
    EMPLOYED,
    EmploymentWarning,
    IncomeRecord,
    IncomeSource,
    JobOffer,
    LabourRecord,
    LabourStatus,
    Training,
    WarningKind,
    WelfarePost,
    Workshop,
)
from employment.rules import evaluate_warnings
from grids.demo import DemoContext, demo_step
from households.models import Member, MemberStatus
from households.rows import RowWriter


@demo_step(40)
def build_employment(ctx: DemoContext) -> None:
    """Workshops and welfare posts per community; a current status for every member
    in the labour force (about 94 % in work, the reports' 92–96 %); a job lost a few
    weeks ago here and there; last year's per-capita income; then the rules."""
    rng, clerk, rows = ctx.rng, ctx.users["staff"], RowWriter()
    workshops, posts = {}, {}
    for community in ctx.communities:
        workshops[community.pk] = Workshop.objects.bulk_create(
            [
                Workshop(
                    name=f"{community.name[:-2]}{trade}帮扶车间", unit=community, capacity=80, trade=trade
                )
                for trade in ("服装", "电子")
            ]
        )
        posts[community.pk] = WelfarePost.objects.bulk_create(
            [
                WelfarePost(name=f"{community.name[:-2]}{job}", unit=community, capacity=25)
                for job in ("保洁员", "楼栋协管员")
            ]
        )
    community_of = {b.pk: b.community.pk for b in ctx.buildings}
    filled = {}
    kinds = [
        (LabourStatus.MIGRANT, 40, (4000, 7500)),
        (LabourStatus.WORKSHOP, 18, (2200, 3200)),
        (LabourStatus.PUBLIC_WELFARE, 8, (1500, 2000)),
        (LabourStatus.GIG, 20, (1500, 3500)),
        (LabourStatus.OWN_BUSINESS, 14, (2500, 6000)),
    ]
    provinces = [("浙江", "宁波"), ("广东", "东莞"), ("江苏", "苏州"), ("福建", "泉州"), ("云南", "昆明")]
    members = Member.objects.filter(is_labour_force=True).values_list(
        "pk", "household_id", "household__building_id"
    )
    ids = iter(rows.allocate_ids(LabourRecord, Member.objects.filter(is_labour_force=True).count()))
    records, earnings = [], {}
    now = timezone.now()
    for pk, household_id, building_id in members:
        since = ctx.today - datetime.timedelta(days=rng.randint(60, 1100))
        roll = rng.random()
        if roll < 0.055:
            status, income, extra = LabourStatus.JOB_SEEKING, None, ("", "", None, None, "")
        else:
            status, _weight, (low, high) = rng.choices(kinds, [k[1] for k in kinds])[0]
            workplace = None
            if status in (LabourStatus.WORKSHOP, LabourStatus.PUBLIC_WELFARE):
                pool = (workshops if status == LabourStatus.WORKSHOP else posts)[community_of[building_id]]
                workplace = rng.choice(pool)
                if filled.get(workplace, 0) >= workplace.capacity:
                    status, workplace = LabourStatus.GIG, None
                else:
                    filled[workplace] = filled.get(workplace, 0) + 1
            income = round(rng.uniform(low, high), -1)
            province, city = rng.choice(provinces) if status == LabourStatus.MIGRANT else ("", "")
            extra = (
                province,
                city,
                workplace.pk if status == LabourStatus.WORKSHOP and workplace else None,
                workplace.pk if status == LabourStatus.PUBLIC_WELFARE and workplace else None,
                "" if workplace else rng.choice(["", "建筑公司", "物流公司", "农业合作社"]),
            )
            earnings[household_id] = earnings.get(household_id, 0) + income * 12
        ended = None
        if status in EMPLOYED and roll > 0.995:
            ended = ctx.today - datetime.timedelta(days=rng.randint(35, 90))  # lost, nothing since
            since = min(since, ended - datetime.timedelta(days=30))
        records.append((next(ids), pk, str(status), *extra, income, since, ended, clerk.pk, now))
    rows.insert(
        LabourRecord,
        [
            "id",
            "member_id",
            "status",
            "province",
            "city",
            "workshop_id",
            "post_id",
            "employer",
            "monthly_income",
            "starts_on",
            "ends_on",
            "recorded_by_id",
            "recorded_at",
        ],
        records,
    )
    people = dict(
        Member.objects.filter(status=MemberStatus.ACTIVE)
        .values_list("household_id")
        .annotate(n=models.Count("pk"))
    )
    year = ctx.today.year - 1
    incomes = []
    for household_id, n in people.items():
        # Net of costs, wages plus the subsidies and pensions every household draws: in
        # 东川 nobody is left under 8,000 once helped, so only a few households are.
        wages = earnings.get(household_id, 0) * rng.uniform(0.6, 0.85)
        per_capita = wages / n + rng.uniform(7000, 10500)
        incomes.append((household_id, year, round(per_capita, 2), str(IncomeSource.ENTERED), clerk.pk, now))
    rows.insert(
        IncomeRecord,
        ["household_id", "year", "per_capita", "source", "recorded_by_id", "recorded_at"],
        incomes,
    )
    evaluate_warnings(ctx.today)
    # Trainings for some, and a job brought to the door of each zero-employment household.
    courses = [
        ("挖掘机操作", "县职业技术学校"),
        ("家政服务", "人社局"),
        ("中式烹调", "县职业技术学校"),
        ("民族刺绣", "妇联"),
    ]
    Training.objects.bulk_create(
        [
            Training(
                member_id=pk,
                course=course,
                provider=provider,
                starts_on=ctx.today - datetime.timedelta(days=rng.randint(30, 700)),
                certificate=rng.random() < 0.7,
            )
            for (pk, _h, _b), (course, provider) in ((m, rng.choice(courses)) for m in members)
            if rng.random() < 0.04
        ]
    )
    jobless = EmploymentWarning.objects.filter(kind=WarningKind.ZERO_EMPLOYMENT, cleared_at__isnull=True)
    JobOffer.objects.bulk_create(
        [
            JobOffer(
                household_id=household_id,
                employer=rng.choice(["服装帮扶车间", "物流园区", "县城建筑工地"]),
                position=rng.choice(["缝纫工", "分拣员", "小工"]),
                offered_on=ctx.today - datetime.timedelta(days=rng.randint(1, 20)),
                offered_by=clerk,
            )
            for household_id in jobless.values_list("household_id", flat=True)
        ]
    )
    ctx.figures["labour records"] = len(records)
