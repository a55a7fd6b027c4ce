"""The demo's services: volunteers, the points ledger and the 爱心超市's shelf, cases with
their escalation, and door cards (a step of ``seed_demo``; ``grids.demo`` says how the steps
fit together)."""

import datetime
import math
import uuid

from django.utils import timezone

from grids.demo import DemoContext, demo_step
from households.demo import at_nine
from households.models import Household, Member
from households.rows import RowWriter
from monitoring.workdays import add_working_days
from services.cases import responsible_worker
from services.deadlines import check_case_deadlines
from services.door_cards import issue_door_card
from services.models import (
    CaseCategory,
    CaseEvent,
    CaseStatus,
    EntryKind,
    PointEntry,
    PointRule,
    RewardItem,
    ServiceCase,
    ServiceRecord,
    Urgency,
    Volunteer,
    VolunteerTeam,
)


@demo_step(50)
def build_services(ctx: DemoContext) -> None:
    """Cases for about 2 % of households (some long overdue, which the hourly job
    escalates), a volunteer team per community, the rule table and the 爱心超市's
    shelf, and a points ledger for about one household in six."""
    rng, clerk, rows = ctx.rng, ctx.users["staff"], RowWriter()
    rules = PointRule.objects.bulk_create(
        [
            PointRule(
                code="volunteer-hour",
                name="志愿服务（每小时）",
                kind="volunteering",
                points=5,
                per_hour=True,
            ),
            PointRule(code="clean-stairs", name="楼道卫生", kind="civility", points=10),
            PointRule(code="sort-waste", name="垃圾分类", kind="civility", points=5),
            PointRule(code="help-neighbour", name="邻里互助", kind="civility", points=15),
            PointRule(code="family-virtue", name="好家风评选", kind="civility", points=50),
        ]
    )
    items = RewardItem.objects.bulk_create(
        [
            RewardItem(name="食用油 5L", points=60, stock=200),
            RewardItem(name="大米 10kg", points=80, stock=200),
            RewardItem(name="洗衣粉", points=15, stock=500),
            RewardItem(name="毛巾", points=10, stock=500),
        ]
    )
    teams = {
        c.pk: VolunteerTeam.objects.create(name=f"{c.name}红马甲志愿队", unit=c) for c in ctx.communities
    }
    community_of = {b.pk: b.community.pk for b in ctx.buildings}
    households = list(Household.objects.values_list("pk", "building_id", "tier__response_working_days"))
    heads = dict(Member.objects.filter(relation="head").values_list("household_id", "pk"))
    now = timezone.now()

    volunteers = [
        Volunteer(
            team=teams[community_of[b]],
            member_id=heads[h],
            joined_on=ctx.today - datetime.timedelta(days=300),
        )
        for h, b, _d in households
        if rng.random() < 0.03
    ]
    Volunteer.objects.bulk_create(volunteers)
    volunteering = {v.member_id: v for v in Volunteer.objects.all()}
    head_of = {h: heads[h] for h, _b, _d in households}

    entry_ids = iter(rows.allocate_ids(PointEntry, 8 * len(households) // 6 + 50))
    entries, services = [], []
    stock = {item.pk: item.stock for item in items}
    for household_id, _b, _d in households:
        member = head_of[household_id]
        if rng.random() > 1 / 6 and member not in volunteering:
            continue
        held = 0
        for back in sorted(rng.sample(range(1, 180), rng.randint(1, 5)), reverse=True):
            on = ctx.today - datetime.timedelta(days=back)
            if member in volunteering and rng.random() < 0.6:
                rule, hours = rules[0], rng.choice([1, 2, 2.5, 3, 4])
                points = math.ceil(rule.points * hours)
            else:
                rule, hours = rng.choice(rules[1:]), None
                points = rule.points
            held += points
            entry_id = next(entry_ids)
            entries.append(
                (
                    entry_id,
                    household_id,
                    "earn",
                    points,
                    held,
                    rule.name,
                    rule.pk,
                    None,
                    None,
                    None,
                    clerk.pk,
                    at_nine(on),
                )
            )
            if hours:
                services.append((volunteering[member].pk, rule.pk, hours, on, entry_id, clerk.pk))
        item = rng.choice(items)
        if held >= item.points and stock[item.pk] > 0 and rng.random() < 0.4:
            stock[item.pk] -= 1
            held -= item.points
            entries.append(
                (
                    next(entry_ids),
                    household_id,
                    str(EntryKind.REDEEM),
                    -item.points,
                    held,
                    f"{item.name} × 1",
                    None,
                    item.pk,
                    1,
                    None,
                    clerk.pk,
                    now,
                )
            )
    rows.insert(
        PointEntry,
        [
            "id",
            "household_id",
            "kind",
            "points",
            "balance",
            "reason",
            "rule_id",
            "item_id",
            "quantity",
            "reverses_id",
            "by_id",
            "at",
        ],
        entries,
    )
    rows.insert(
        ServiceRecord, ["volunteer_id", "rule_id", "hours", "on", "entry_id", "recorded_by_id"], services
    )

    categories = list(CaseCategory.values)
    case_ids = rows.allocate_ids(ServiceCase, len(households) // 50 + 1)
    cases, events = [], []
    picked = rng.sample(households, len(case_ids))
    workers = {
        h.pk: responsible_worker(h)
        for h in Household.objects.filter(pk__in=[p[0] for p in picked]).select_related("unit")
    }
    for case_id, (household_id, _b, days) in zip(case_ids, picked):
        back = rng.choice([0, 1, 2, 5, 9, 15, 25, 40])
        opened = ctx.today - datetime.timedelta(days=back)
        deadline = add_working_days(opened, days or 7)
        status = rng.choice(
            [CaseStatus.OPEN, CaseStatus.IN_PROGRESS]
            if back < 5
            else [CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.IN_PROGRESS, CaseStatus.OPEN]
        )
        urgency = Urgency.URGENT if rng.random() < 0.15 else Urgency.NORMAL
        category = rng.choice(categories)
        cases.append(
            (
                case_id,
                household_id,
                category,
                f"{CaseCategory(category).label}（演示数据）",
                str(urgency),
                clerk.pk,
                at_nine(opened),
                str(status),
                "building",
                getattr(workers[household_id], "pk", None),
                deadline.due,
                deadline.provisional,
                opened,
                days or 7,
                None,
                None,
                uuid.uuid4(),  # not from rng: the demo's other draws stay as they were
            )
        )
        events.append((case_id, "opened", "", "open", "building", clerk.pk, at_nine(opened)))
        if status != CaseStatus.OPEN:
            events.append(
                (
                    case_id,
                    "status",
                    "已受理",
                    "in_progress",
                    "",
                    clerk.pk,
                    at_nine(opened) + datetime.timedelta(hours=3),
                )
            )
        if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            events.append(
                (
                    case_id,
                    "status",
                    "已办结（演示数据）",
                    "resolved",
                    "",
                    clerk.pk,
                    at_nine(opened) + datetime.timedelta(days=2),
                )
            )
        if status == CaseStatus.CLOSED:
            events.append(
                (case_id, "status", "", "closed", "", clerk.pk, at_nine(opened) + datetime.timedelta(days=3))
            )
    rows.insert(
        ServiceCase,
        [
            "id",
            "household_id",
            "category",
            "description",
            "urgency",
            "opened_by_id",
            "opened_at",
            "status",
            "level",
            "assigned_to_id",
            "due_on",
            "due_provisional",
            "due_counted_from",
            "due_working_days",
            "visit_id",
            "member_id",
            "key",
        ],
        cases,
    )
    rows.insert(CaseEvent, ["case_id", "kind", "text", "status", "level", "by_id", "at"], events)
    # The late ones went up a level, day by day, as the hourly job would have done.
    for back in range(30, -1, -1):
        check_case_deadlines(ctx.today - datetime.timedelta(days=back))
    # Door cards for the first building, ready to print.
    for household in Household.objects.filter(building=ctx.buildings[0])[:20]:
        issue_door_card(household=household, by=clerk)
    ctx.figures["cases"] = len(cases)
