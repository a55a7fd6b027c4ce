"""A believable demo settlement, built with bulk inserts.

The shape follows domain.md: a county with streets (街道) > communities (社区) > areas (片区)
> buildings (楼栋, each with a wayfinding picture) > floors (楼层); about 3.7 people per
household (东川: 26,344 people in 7,081 households); a tier mix as at the start in 鲁甸
(red 3.9 %, yellow 15.5 %, green 80.6 %) at relocation, moving over four years to the mix
鲁甸 reached (red 0.4 %, yellow 2.5 %, green 97.1 %), with every change in the tier history
so that the wall's trend chart tells that story; one community on 东川's four-colour scheme,
where the monitoring households start red and seven in ten have their risk removed (orange);
floor heads covering about 15 households each (东川: 376 micro-grid heads).

Rows are built in memory a batch of households at a time and written with
``bulk_create``, which is what lets 100,000 households load in well under two minutes.
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from faker import Faker

from grids import roles
from grids.models import Assignment, GridLevel, GridUnit, Profile, Role, WayfindingSymbol
from households.ethnicity import Ethnicity
from households.models import (
    Household,
    HouseholdStatus,
    Label,
    Member,
    MemberStatus,
    Relation,
    Sex,
    SpecialGroup,
)
from households.rows import RowWriter
from households.validators import resident_id_check_char
from monitoring.models import TierChange, TierScheme, UnitTierScheme

ENTRANCES = 2
FLOORS = 11
ROOMS_PER_FLOOR = 2  # per entrance
HOUSEHOLDS_PER_BUILDING = ENTRANCES * FLOORS * ROOMS_PER_FLOOR
FLOORS_PER_FLOOR_HEAD = 4  # 4 floors x 4 households: about 15 households a worker
HOUSEHOLDS_PER_COMMUNITY = 1000
COMMUNITIES_PER_STREET = 8
AREAS_PER_COMMUNITY = 3
BATCH = 2000

# Origins: the counties the reports come from, with their division codes (ID prefixes).
ORIGINS = [
    ("鲁甸县", "530621", ["龙头山镇", "乐红镇", "火德红镇", "梭山镇"]),
    ("彝良县", "530628", ["洛泽河镇", "海子镇", "奎香乡", "树林乡"]),
    ("东川区", "530113", ["阿旺镇", "拖布卡镇", "舍块乡", "乌龙镇"]),
    ("会泽县", "530326", ["大海乡", "火红乡", "老厂乡", "娜姑镇"]),
    ("昭阳区", "530602", ["大山包镇", "田坝乡", "小龙洞乡", "布嘎乡"]),
]
VILLAGE_SUFFIXES = ["村", "社区"]
ETHNIC_MIX = [
    (Ethnicity.HAN, 70),
    (Ethnicity.YI, 14),
    (Ethnicity.HUI, 6),
    (Ethnicity.MIAO, 6),
    (Ethnicity.BOUYEI, 2),
    (Ethnicity.BAI, 2),
]
THREE_COLOUR_MIX = {"red": 0.039, "yellow": 0.155}  # green: the rest (80.6 %)
# Where the three-colour households went in the years after (鲁甸, four years on: red
# 0.4 %, yellow 2.5 %, green 97.1 %): a tenth of the red stay red, three in ten become
# yellow; 8.6 % of the yellow stay yellow; a red household turning green passes through
# yellow. A few green ones fall back to yellow for some months and recover.
THREE_COLOUR_PATHS = {
    "red": [(0.10, ["red"]), (0.30, ["yellow"]), (0.60, ["yellow", "green"])],
    "yellow": [(0.086, ["yellow"]), (0.914, ["green"])],
    "green": [(0.97, []), (0.03, ["yellow", "green"])],
}
# The changes fall in the four years after the last family moved in, which is where the
# trend chart starts (before that, a settlement still filling tells nothing).
IMPROVEMENT_FROM = datetime.date(2021, 1, 1)
IMPROVEMENT_YEARS = 4
# 东川's 951 monitoring households of 7,081 (13.4 %) all start red; 667 of them (9.4 %) have
# had their risk removed since and are orange, the other 284 (4 %) are still red.
FOUR_COLOUR_MIX = {"red": 0.134, "yellow": 0.15}
FOUR_COLOUR_PATHS = {"red": [(0.30, []), (0.70, ["orange"])]}
PATHS = {"three-colour": THREE_COLOUR_PATHS, "four-colour": FOUR_COLOUR_PATHS}

DEMO_USERS = [
    # username, role or group, what they see
    ("admin", None, "administrator (superuser)"),
    ("leader", roles.LEADER, "read-only leader, the whole county"),
    ("staff", Role.COMMUNITY_STAFF, "community staff of the first community"),
    ("gridhead", Role.GRID_HEAD, "grid head of the first area"),
    ("worker", Role.FULL_TIME_WORKER, "full-time grid worker of the first area"),
    ("parttime", Role.PART_TIME_WORKER, "part-time grid worker of the first area"),
    ("building", Role.BUILDING_HEAD, "building head of the first building"),
    ("floor", Role.FLOOR_HEAD, "floor head of floors 1-4 of the first building"),
]
STAFF_ROLES = {Role.COMMUNITY_STAFF, Role.GRID_HEAD}


# The demo grid worker also logs in with this number.
DEMO_WORKER_MOBILE = "13800138000"


@dataclass
class Plan:
    households: int
    buildings: int = field(init=False)
    communities: int = field(init=False)
    streets: int = field(init=False)

    def __post_init__(self):
        self.buildings = max(1, math.ceil(self.households / HOUSEHOLDS_PER_BUILDING))
        # At least two communities, so that both tier schemes are seen.
        self.communities = max(2, round(self.households / HOUSEHOLDS_PER_COMMUNITY))
        self.communities = min(self.communities, self.buildings)
        self.streets = max(1, math.ceil(self.communities / COMMUNITIES_PER_STREET))


def make_resident_id(region: str, born: datetime.date, male: bool, seq: int) -> str:
    # Sequence codes are odd for men, even for women (GB 11643); ``seq`` keeps them unique.
    order = (seq * 2 + (1 if male else 0)) % 1000
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_char(first17)


class DemoSettlement:
    def __init__(self, *, households: int, seed: int = 2026, password: str, progress=None):
        self.plan = Plan(households)
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.password = password
        self.progress = progress
        self.rows = RowWriter()
        self.today = timezone.localdate()
        self.levels = {level.name: level for level in GridLevel.objects.all()}
        # Faker is slow per call; pools drawn from it once keep its name frequencies.
        self.surnames = [self.fake.last_name() for _ in range(2000)]
        self.male_names = [self.fake.first_name_male() for _ in range(2000)]
        self.female_names = [self.fake.first_name_female() for _ in range(2000)]
        self.seen_ids: set[str] = set()
        self.id_seq = 0

    # -- the grid -------------------------------------------------------------------

    def _unit(self, parent_path, depth, step, level, name, code, **extra):
        return GridUnit(
            path=GridUnit._get_path(parent_path, depth, step),
            depth=depth,
            numchild=0,
            level=self.levels[level],
            name=name,
            code=code,
            **extra,
        )

    def build_grid(self):
        """Every unit, with materialised paths computed here rather than node by node."""
        plan = self.plan
        three = TierScheme.objects.get(code="three-colour")
        four = TierScheme.objects.get(code="four-colour")
        county = self._unit(None, 1, 1, "县", "幸福县", "XF")
        units = [county]
        self.streets, self.communities, self.areas, self.buildings = [], [], [], []
        self.floors = {}  # building code -> [floor units]
        symbols = list(WayfindingSymbol.values)
        community_names = [
            "铜源社区",
            "红路社区",
            "馨居社区",
            "卯家湾社区",
            "新城社区",
            "碧谷社区",
            "安居社区",
            "和谐社区",
            "同心社区",
            "幸福社区",
        ]
        buildings_left = plan.buildings
        communities_left = plan.communities
        community_no = 0
        for s in range(plan.streets):
            street = self._unit(county.path, 2, s + 1, "街道", f"第{s + 1}街道", f"XF-S{s + 1:02d}")
            units.append(street)
            self.streets.append(street)
            in_street = min(COMMUNITIES_PER_STREET, communities_left)
            for c in range(in_street):
                community_no += 1
                name = community_names[(community_no - 1) % len(community_names)]
                if community_no > len(community_names):
                    name = f"{name[:-2]}{community_no}社区"
                community = self._unit(
                    street.path,
                    3,
                    c + 1,
                    "社区",
                    name,
                    f"{street.code}-C{c + 1:02d}",
                )
                # One community keeps 东川's four colours, to show both schemes at work.
                community.demo_scheme = four if community_no == 1 else three
                units.append(community)
                self.communities.append(community)
                in_community = math.ceil(buildings_left / communities_left)
                buildings_left -= in_community
                communities_left -= 1
                per_area = [len(r) for r in _split(range(in_community), AREAS_PER_COMMUNITY)]
                building_no = 0
                for a, count in enumerate(n for n in per_area if n):
                    area = self._unit(
                        community.path,
                        4,
                        a + 1,
                        "片区",
                        f"{'东南西北中'[a % 5]}片区",
                        f"{community.code}-A{a + 1}",
                    )
                    units.append(area)
                    self.areas.append(area)
                    for b in range(count):
                        building_no += 1
                        symbol = symbols[(building_no - 1) % len(symbols)]
                        building = self._unit(
                            area.path,
                            5,
                            b + 1,
                            "楼栋",
                            f"{building_no}栋",
                            f"{community.code}-B{building_no:03d}",
                            symbol=symbol,
                        )
                        building.community = community
                        building.area = area
                        units.append(building)
                        self.buildings.append(building)
                        floors = [
                            self._unit(
                                building.path, 6, f + 1, "楼层", f"{f + 1}层", f"{building.code}-F{f + 1:02d}"
                            )
                            for f in range(FLOORS)
                        ]
                        building.numchild = FLOORS
                        self.floors[building.code] = floors
                        units.extend(floors)
                    area.numchild = count
                community.numchild = len([n for n in per_area if n])
            street.numchild = in_street
        county.numchild = len(self.streets)
        GridUnit.objects.bulk_create(units, batch_size=BATCH)
        # bulk_create returns ids on PostgreSQL and SQLite; the dicts above keep the objects.
        UnitTierScheme.objects.bulk_create(
            [UnitTierScheme(unit=c, scheme=c.demo_scheme) for c in self.communities], batch_size=BATCH
        )
        return units

    # -- users and assignments --------------------------------------------------------

    def build_people_in_charge(self):
        User = get_user_model()
        demo_hash = make_password(self.password)
        groups = {
            g.name: g
            for g in Group.objects.filter(
                name__in=[roles.ADMINISTRATOR, roles.COMMUNITY_STAFF, roles.GRID_WORKER, roles.LEADER]
            )
        }
        users, assignments, memberships = [], [], []
        start = self.today - datetime.timedelta(days=365)

        def person(username, *, staff=False):
            user = User(
                username=username,
                password=demo_hash,
                is_staff=staff,
                last_name=self.fake.last_name(),
                first_name=self.fake.first_name(),
            )
            users.append(user)
            return user

        def assign(user, unit, role):
            assignments.append(Assignment(user=user, unit=unit, role=role, starts_on=start))

        first_building = self.buildings[0]
        demo = {}
        for username, role, _ in DEMO_USERS:
            staff = role in STAFF_ROLES or role in (None, roles.LEADER)
            demo[username] = person(username, staff=staff)
        demo["admin"].is_superuser = True
        demo["admin"].is_staff = True
        assign(demo["staff"], self.communities[0], Role.COMMUNITY_STAFF)
        for username, role in [
            ("gridhead", Role.GRID_HEAD),
            ("worker", Role.FULL_TIME_WORKER),
            ("parttime", Role.PART_TIME_WORKER),
        ]:
            assign(demo[username], self.areas[0], role)
        assign(demo["building"], first_building, Role.BUILDING_HEAD)
        for floor in self.floors[first_building.code][:FLOORS_PER_FLOOR_HEAD]:
            assign(demo["floor"], floor, Role.FLOOR_HEAD)

        seq = 0

        def numbered(prefix, staff=False):
            nonlocal seq
            seq += 1
            return person(f"{prefix}{seq:05d}", staff=staff)

        for community in self.communities[1:]:
            for _ in range(2):
                assign(numbered("staff", staff=True), community, Role.COMMUNITY_STAFF)
        for area in self.areas[1:]:
            assign(numbered("head", staff=True), area, Role.GRID_HEAD)
            assign(numbered("ft"), area, Role.FULL_TIME_WORKER)
            assign(numbered("pt"), area, Role.PART_TIME_WORKER)
        for building in self.buildings:
            if building is not first_building:
                assign(numbered("bld"), building, Role.BUILDING_HEAD)
            floors = self.floors[building.code]
            for i in range(0, FLOORS, FLOORS_PER_FLOOR_HEAD):
                if building is first_building and i == 0:
                    continue
                head = numbered("flr")
                for floor in floors[i : i + FLOORS_PER_FLOOR_HEAD]:
                    assign(head, floor, Role.FLOOR_HEAD)
        User.objects.bulk_create(users, batch_size=BATCH)
        Assignment.objects.bulk_create(assignments, batch_size=BATCH)

        group_of = {Role.COMMUNITY_STAFF: roles.COMMUNITY_STAFF, Role.GRID_HEAD: roles.COMMUNITY_STAFF}
        for a in assignments:
            name = group_of.get(a.role, roles.GRID_WORKER)
            memberships.append((a.user, groups[name]))
        memberships.append((demo["leader"], groups[roles.LEADER]))
        Through = User.groups.through
        pairs = {(user.pk, group.pk) for user, group in memberships}
        Through.objects.bulk_create([Through(user_id=u, group_id=g) for u, g in pairs], batch_size=BATCH)
        self.demo_users = demo
        Profile.objects.create(user=demo["worker"], mobile=DEMO_WORKER_MOBILE)
        return len(users)

    # -- a week of visits -------------------------------------------------------------

    def build_recent_visits(self, days: int) -> int:
        """The last ``days`` days as the engine saw them: most follow-ups visited on
        time, some missed, so that Today and the wall look like a working week."""
        from monitoring.followups import generate_follow_ups
        from monitoring.models import FollowUp, FollowUpStatus, Visit, VisitMode

        visited = 0
        if days:
            # The engine has followed them for the week replayed, not longer.
            Household.objects.update(followed_since=_at(self.today - datetime.timedelta(days=days)))
        for back in range(days, 0, -1):
            day = self.today - datetime.timedelta(days=back)
            generate_follow_ups(day)
            open_ = FollowUp.objects.filter(status=FollowUpStatus.OPEN).values_list(
                "pk", "household_id", "assignee_id", "due_on", "period_start"
            )
            visits, closing = [], {}
            for pk, household_id, assignee_id, due_on, period_start in open_:
                # Nine visits in ten are made in time: a daily one on its day, a longer
                # period's on any of its days. On the first day replayed, a period that
                # began before it has had those days too (else the demo seeded on the
                # 3rd of a month would show most of last month missed).
                span = (day - period_start).days + 1 if back == days else 1
                chance = 0.9 * span / ((due_on - period_start).days + 1)
                if assignee_id is None or self.rng.random() > chance:
                    continue
                on = day - datetime.timedelta(days=self.rng.randrange(span))
                at = _at(on) + datetime.timedelta(
                    hours=self.rng.randint(1, 9), minutes=self.rng.randint(0, 59)
                )
                visit = Visit(
                    household_id=household_id,
                    visited_by_id=assignee_id,
                    visited_at=at,
                    mode=self.rng.choice([VisitMode.DOOR] * 4 + [VisitMode.PHONE]),
                    notes="",
                )
                visits.append(visit)
                closing[pk] = visit
            Visit.objects.bulk_create(visits, batch_size=BATCH)
            for pk, visit in closing.items():
                FollowUp.objects.filter(pk=pk).update(
                    status=FollowUpStatus.DONE, visit=visit, closed_at=visit.visited_at
                )
            visited += len(visits)
        # And today as the engine starts it: what ended yesterday is missed (on a Monday,
        # last week's visits), today's periods are open. With no history asked for (the
        # bench times the first generation itself), the engine has not started yet.
        if days:
            generate_follow_ups(self.today)
        return visited

    # -- work and income -------------------------------------------------------------

    def build_employment(self) -> int:
        """Workshops and welfare posts per community; a current status for every member
        in the labour force (about 94 % in work, the reports' 92–96 %); a job lost a few
        weeks ago here and there; last year's per-capita income; then the rules."""
        from employment.models import (
            EMPLOYED,
            IncomeRecord,
            IncomeSource,
            JobOffer,
            LabourRecord,
            LabourStatus,
            Training,
            Warning,
            WarningKind,
            WelfarePost,
            Workshop,
        )
        from employment.rules import evaluate_warnings

        rng, clerk = self.rng, self.demo_users["staff"]
        workshops, posts = {}, {}
        for community in self.communities:
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
        community_of = {b.pk: b.community.pk for b in self.buildings}
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
        ids = iter(self.rows.allocate_ids(LabourRecord, Member.objects.filter(is_labour_force=True).count()))
        records, earnings = [], {}
        now = timezone.now()
        for pk, household_id, building_id in members:
            since = self.today - datetime.timedelta(days=rng.randint(60, 1100))
            roll = rng.random()
            if roll < 0.055:
                status, income, extra = LabourStatus.JOB_SEEKING, None, ("", "", None, None, "")
            else:
                status, _weight, (low, high) = rng.choices(kinds, [k[1] for k in kinds])[0]
                workplace = None
                if status in (LabourStatus.WORKSHOP, LabourStatus.PUBLIC_WELFARE):
                    pool = (workshops if status == LabourStatus.WORKSHOP else posts)[
                        community_of[building_id]
                    ]
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
                ended = self.today - datetime.timedelta(days=rng.randint(35, 90))  # lost, nothing since
                since = min(since, ended - datetime.timedelta(days=30))
            records.append((next(ids), pk, str(status), *extra, income, since, ended, clerk.pk, now))
        self.rows.insert(
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
        year = self.today.year - 1
        incomes = []
        for household_id, n in people.items():
            # Net of costs, wages plus the subsidies and pensions every household draws: in
            # 东川 nobody is left under 8,000 once helped, so only a few households are.
            wages = earnings.get(household_id, 0) * rng.uniform(0.6, 0.85)
            per_capita = wages / n + rng.uniform(7000, 10500)
            incomes.append(
                (household_id, year, round(per_capita, 2), str(IncomeSource.ENTERED), clerk.pk, now)
            )
        self.rows.insert(
            IncomeRecord,
            ["household_id", "year", "per_capita", "source", "recorded_by_id", "recorded_at"],
            incomes,
        )
        evaluate_warnings(self.today)
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
                    starts_on=self.today - datetime.timedelta(days=rng.randint(30, 700)),
                    certificate=rng.random() < 0.7,
                )
                for (pk, _h, _b), (course, provider) in ((m, rng.choice(courses)) for m in members)
                if rng.random() < 0.04
            ]
        )
        jobless = Warning.objects.filter(kind=WarningKind.ZERO_EMPLOYMENT, cleared_at__isnull=True)
        JobOffer.objects.bulk_create(
            [
                JobOffer(
                    household_id=household_id,
                    employer=rng.choice(["服装帮扶车间", "物流园区", "县城建筑工地"]),
                    position=rng.choice(["缝纫工", "分拣员", "小工"]),
                    offered_on=self.today - datetime.timedelta(days=rng.randint(1, 20)),
                    offered_by=clerk,
                )
                for household_id in jobless.values_list("household_id", flat=True)
            ]
        )
        return len(records)

    # -- cases, volunteering and points ----------------------------------------------

    def build_services(self) -> int:
        """Cases for about 2 % of households (some long overdue, which the hourly job
        escalates), a volunteer team per community, the rule table and the 爱心超市's
        shelf, and a points ledger for about one household in six. Returns the cases."""
        from monitoring.workdays import add_working_days
        from services.deadlines import check_case_deadlines
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
        from services.services import issue_door_card, responsible_worker

        rng, clerk = self.rng, self.demo_users["staff"]
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
            c.pk: VolunteerTeam.objects.create(name=f"{c.name}红马甲志愿队", unit=c) for c in self.communities
        }
        community_of = {b.pk: b.community.pk for b in self.buildings}
        households = list(Household.objects.values_list("pk", "building_id", "tier__response_working_days"))
        heads = dict(Member.objects.filter(relation="head").values_list("household_id", "pk"))
        now = timezone.now()

        volunteers = [
            Volunteer(
                team=teams[community_of[b]],
                member_id=heads[h],
                joined_on=self.today - datetime.timedelta(days=300),
            )
            for h, b, _d in households
            if rng.random() < 0.03
        ]
        Volunteer.objects.bulk_create(volunteers)
        volunteering = {v.member_id: v for v in Volunteer.objects.all()}
        head_of = {h: heads[h] for h, _b, _d in households}

        entry_ids = iter(self.rows.allocate_ids(PointEntry, 8 * len(households) // 6 + 50))
        entries, services = [], []
        stock = {item.pk: item.stock for item in items}
        for household_id, _b, _d in households:
            member = head_of[household_id]
            if rng.random() > 1 / 6 and member not in volunteering:
                continue
            held = 0
            for back in sorted(rng.sample(range(1, 180), rng.randint(1, 5)), reverse=True):
                on = self.today - datetime.timedelta(days=back)
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
                        _at(on),
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
        self.rows.insert(
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
        self.rows.insert(
            ServiceRecord, ["volunteer_id", "rule_id", "hours", "on", "entry_id", "recorded_by_id"], services
        )

        categories = list(CaseCategory.values)
        case_ids = self.rows.allocate_ids(ServiceCase, len(households) // 50 + 1)
        cases, events = [], []
        picked = rng.sample(households, len(case_ids))
        workers = {
            h.pk: responsible_worker(h)
            for h in Household.objects.filter(pk__in=[p[0] for p in picked]).select_related("unit")
        }
        for case_id, (household_id, _b, days) in zip(case_ids, picked):
            back = rng.choice([0, 1, 2, 5, 9, 15, 25, 40])
            opened = self.today - datetime.timedelta(days=back)
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
                    _at(opened),
                    str(status),
                    "building",
                    getattr(workers[household_id], "pk", None),
                    deadline.due,
                    deadline.provisional,
                    opened,
                    days or 7,
                    None,
                    None,
                )
            )
            events.append((case_id, "opened", "", "open", "building", clerk.pk, _at(opened)))
            if status != CaseStatus.OPEN:
                events.append(
                    (
                        case_id,
                        "status",
                        "已受理",
                        "in_progress",
                        "",
                        clerk.pk,
                        _at(opened) + datetime.timedelta(hours=3),
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
                        _at(opened) + datetime.timedelta(days=2),
                    )
                )
            if status == CaseStatus.CLOSED:
                events.append(
                    (case_id, "status", "", "closed", "", clerk.pk, _at(opened) + datetime.timedelta(days=3))
                )
        self.rows.insert(
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
            ],
            cases,
        )
        self.rows.insert(CaseEvent, ["case_id", "kind", "text", "status", "level", "by_id", "at"], events)
        # The late ones went up a level, day by day, as the hourly job would have done.
        for back in range(30, -1, -1):
            check_case_deadlines(self.today - datetime.timedelta(days=back))
        # Door cards for the first building, ready to print.
        for household in Household.objects.filter(building=self.buildings[0])[:20]:
            issue_door_card(household=household, by=clerk)
        return len(cases)

    # -- the trend ---------------------------------------------------------------------

    def build_trend(self, every_days: int) -> int:
        """Daily tier counts replayed from the tier history since the last family moved
        in, one day in ``every_days``, and yesterday's, as the daily job would have left
        them: what the wall's trend chart draws."""
        from monitoring.snapshots import backfill_tier_snapshots, snapshot_day

        first = Household.objects.order_by("-relocated_on").values_list("relocated_on", flat=True).first()
        if first is None:
            return 0
        yesterday = self.today - datetime.timedelta(days=1)
        written = backfill_tier_snapshots(first, yesterday - datetime.timedelta(days=1), every_days)
        return written + snapshot_day(yesterday)

    # -- households and members -----------------------------------------------------

    def _tier_sequence(self, scheme_code, tiers, count):
        mix = FOUR_COLOUR_MIX if scheme_code == "four-colour" else THREE_COLOUR_MIX
        sequence = []
        for code, share in mix.items():
            sequence += [tiers[code]] * round(count * share)
        sequence += [tiers["green"]] * (count - len(sequence))
        self.rng.shuffle(sequence)
        return sequence

    def _tier_history(self, first, relocated_at):
        """(from, to, when, reason) for each tier change of one household: its first
        tier at relocation, then the way it went since."""
        history = [(None, first, relocated_at, "初始评定（演示数据）")]
        paths = PATHS.get(first.scheme.code, {}).get(first.code)
        if not paths:
            return history
        steps = self.rng.choices([p for _, p in paths], [w for w, _ in paths])[0]
        start = max(_at(IMPROVEMENT_FROM), relocated_at)
        latest = min(
            _at(IMPROVEMENT_FROM) + datetime.timedelta(days=365 * IMPROVEMENT_YEARS),
            _at(self.today - datetime.timedelta(days=30)),
        )
        days = sorted(self.rng.randint(1, max(2, (latest - start).days)) for _ in steps)
        tiers = {t.code: t for t in self.tier_list if t.scheme_id == first.scheme_id}
        before = first
        for code, day in zip(steps, days):
            after = tiers[code]
            better = after.severity > before.severity
            reason = "复评改善（演示数据）" if better else "复评风险上升（演示数据）"
            history.append((before, after, start + datetime.timedelta(days=day), reason))
            before = after
        return history

    def addresses(self):
        """Every (building, floor unit, entrance, floor, room), in walking order."""
        for building in self.buildings:
            for floor_no, floor in enumerate(self.floors[building.code], start=1):
                for entrance in range(1, ENTRANCES + 1):
                    for r in range(1, ROOMS_PER_FLOOR + 1):
                        yield building, floor, entrance, floor_no, f"{floor_no}{r:02d}"

    def build_households(self):
        tiers = {
            scheme.code: {t.code: t for t in scheme.tiers.all()}
            for scheme in TierScheme.objects.prefetch_related("tiers__scheme")
        }
        self.tier_list = [t for by_code in tiers.values() for t in by_code.values()]
        labels = {label.code: label for label in Label.objects.all()}
        groups = {group.code: group for group in SpecialGroup.objects.all()}
        by_community = {}
        for building, *rest in self.addresses():
            by_community.setdefault(building.community.code, []).append((building, *rest))
        slots = []
        for community in self.communities:
            places = by_community.get(community.code, [])
            scheme = community.demo_scheme.code
            slots.extend(zip(places, self._tier_sequence(scheme, tiers[scheme], len(places))))
        slots = slots[: self.plan.households]
        done = 0
        for start in range(0, len(slots), BATCH):
            batch = slots[start : start + BATCH]
            self._write_batch(batch, start, labels, groups)
            done += len(batch)
            if self.progress:
                self.progress(len(batch))
        return done

    def _write_batch(self, batch, offset, labels, groups):
        now = timezone.now()
        household_ids = self.rows.allocate_ids(Household, len(batch))
        households, changes, household_labels, families = [], [], [], []
        for hid, ((building, floor, entrance, floor_no, room), tier) in zip(household_ids, batch):
            county, region, townships = self.rng.choice(ORIGINS)
            relocated = datetime.date(2019, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 730))
            history = self._tier_history(tier, _at(relocated))
            tier, since = history[-1][1], history[-1][2]
            offset += 1
            households.append(
                (
                    hid,
                    f"{building.community.code}-{offset:06d}",
                    building.pk,
                    floor.pk,
                    entrance,
                    floor_no,
                    room,
                    county,
                    self.rng.choice(townships),
                    self.rng.choice(self.surnames) + "家" + self.rng.choice(VILLAGE_SUFFIXES),
                    relocated,
                    self._mobile(),
                    "",
                    str(HouseholdStatus.ACTIVE),
                    tier.pk,
                    since,
                    now,  # followed from now: the engine has not run for them yet
                    now,
                    now,
                )
            )
            changes += [
                (hid, before.pk if before else None, after.pk, reason, None, at)
                for before, after, at, reason in history
            ]
            family, member_groups, family_labels = self._family(region, tier, labels, groups)
            household_labels += [(hid, label.pk) for label in family_labels]
            families.append((hid, family, member_groups))
        self.rows.insert(Household, HOUSEHOLD_COLUMNS, households)
        self.rows.insert(
            TierChange,
            ["household_id", "from_tier_id", "to_tier_id", "reason", "changed_by_id", "changed_at"],
            changes,
        )
        self.rows.insert(Household.labels.through, ["household_id", "label_id"], household_labels)
        member_ids = iter(self.rows.allocate_ids(Member, sum(len(f) for _, f, _ in families)))
        members, member_groups_rows = [], []
        for hid, family, member_groups in families:
            for person, person_groups in zip(family, member_groups):
                mid = next(member_ids)
                members.append((mid, hid, *person, str(MemberStatus.ACTIVE), now))
                member_groups_rows += [(mid, group.pk) for group in person_groups]
        self.rows.insert(Member, MEMBER_COLUMNS, members)
        self.rows.insert(Member.special_groups.through, ["member_id", "specialgroup_id"], member_groups_rows)

    def _mobile(self):
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 999_999_999):09d}"

    def _person(self, region, born, male, relation, family_name=None) -> "Person":
        self.id_seq += 1
        id_number = make_resident_id(region, born, male, self.id_seq)
        while id_number in self.seen_ids:
            self.id_seq += 1
            id_number = make_resident_id(region, born, male, self.id_seq)
        self.seen_ids.add(id_number)
        given = self.rng.choice(self.male_names if male else self.female_names)
        surname = family_name or self.rng.choice(self.surnames)
        age = (self.today - born).days // 365
        return Person(
            # Plain strings: psycopg would COPY an Enum by its name, not its value.
            name=surname + given,
            relation=str(relation),
            sex=str(Sex.MALE if male else Sex.FEMALE),
            ethnicity=str(self._ethnicity()),
            birth_date=born,
            id_number=id_number,
            mobile=self._mobile() if 16 <= age <= 75 and self.rng.random() < 0.8 else "",
            is_labour_force=16 <= age < 60 and self.rng.random() < 0.9,
        )

    def _ethnicity(self):
        roll, total = self.rng.uniform(0, 100), 0
        for code, weight in ETHNIC_MIX:
            total += weight
            if roll < total:
                return code
        return Ethnicity.HAN

    def _birth(self, min_age, max_age):
        days = self.rng.randint(min_age * 365, max_age * 365 + 364)
        return self.today - datetime.timedelta(days=days)

    def _family(self, region, tier, labels, groups):
        """A family whose ages, labels and special groups hang together."""
        rng = self.rng
        urgent = tier.severity == 1
        size = rng.choices([1, 2, 3, 4, 5, 6, 7], [8, 14, 20, 28, 18, 8, 4])[0]
        head_male = rng.random() < 0.75
        surname = rng.choice(self.surnames)
        if size == 1:
            head = self._person(region, self._birth(62, 88), head_male, Relation.HEAD, surname)
            family = [head]
        else:
            head = self._person(region, self._birth(28, 70), head_male, Relation.HEAD, surname)
            head_age = (self.today - head.birth_date).days // 365
            family = [head]
            if rng.random() < 0.85:
                family.append(
                    self._person(
                        region,
                        self._birth(max(20, head_age - 6), head_age + 3),
                        not head_male,
                        Relation.SPOUSE,
                    )
                )
            while len(family) < size:
                if head_age > 45 and rng.random() < 0.2:
                    family.append(
                        self._person(
                            region,
                            self._birth(max(0, head_age - 45), head_age - 40),
                            rng.random() < 0.5,
                            Relation.GRANDCHILD,
                            surname,
                        )
                    )
                elif head_age < 55 and rng.random() < 0.15:
                    family.append(
                        self._person(
                            region,
                            self._birth(head_age + 22, min(95, head_age + 35)),
                            rng.random() < 0.5,
                            Relation.PARENT,
                            surname,
                        )
                    )
                else:
                    youngest, oldest = max(0, head_age - 40), max(0, head_age - 20)
                    family.append(
                        self._person(
                            region, self._birth(youngest, oldest), rng.random() < 0.5, Relation.CHILD, surname
                        )
                    )
        member_groups = [[] for _ in family]
        household_labels = []
        if size == 1:
            member_groups[0].append(groups["elderly-alone"])
            household_labels += [labels["elderly-alone"], labels["lives-alone"]]
        if urgent or rng.random() < 0.03:
            reason = rng.choice(
                [
                    "minimum-allowance",
                    "disability",
                    "serious-illness",
                    "mental-disorder",
                    "extreme-poverty",
                    "community-correction",
                ]
            )
            member_groups[rng.randrange(len(family))].append(groups[reason])
            label_for = {
                "disability": "physical-disability",
                "mental-disorder": "mental-disorder",
                "serious-illness": "serious-illness",
                "minimum-allowance": "minimum-allowance",
                "extreme-poverty": "extreme-poverty",
                "community-correction": "community-correction",
            }
            household_labels.append(labels[label_for[reason]])
        if not any(m.is_labour_force for m in family) and size > 1 and rng.random() < 0.3:
            household_labels.append(labels["zero-employment"])
        if any(
            m.relation in (Relation.CHILD, Relation.GRANDCHILD)
            and 6 <= (self.today - m.birth_date).days // 365 <= 15
            for m in family
        ):
            household_labels.append(labels["compulsory-education"])
        household_labels.append(
            labels[
                rng.choice(
                    ["migrant-work", "local-workshop", "gig-work", "public-welfare-post", "own-business"]
                )
            ]
        )
        household_labels.append(
            labels["key-out-of-poverty" if tier.severity <= 2 else "ordinary-out-of-poverty"]
        )
        return family, member_groups, list(dict.fromkeys(household_labels))


class Person(NamedTuple):
    """A member's columns, in MEMBER_COLUMNS order after the ids."""

    name: str
    relation: str
    sex: str
    ethnicity: str
    birth_date: datetime.date
    id_number: str
    mobile: str
    is_labour_force: bool


MEMBER_COLUMNS = ["id", "household_id", *Person._fields, "status", "created_at"]
HOUSEHOLD_COLUMNS = [
    "id",
    "number",
    "building_id",
    "unit_id",
    "entrance",
    "floor",
    "room",
    "origin_county",
    "origin_township",
    "origin_village",
    "relocated_on",
    "phone",
    "photo",
    "status",
    "tier_id",
    "tier_changed_at",
    "followed_since",
    "created_at",
    "updated_at",
]


def _split(seq, parts):
    seq = list(seq)
    size, extra = divmod(len(seq), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(seq[start:end])
        start = end
    return out


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
