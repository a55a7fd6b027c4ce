"""The demo's ground floor: the steps of the demo settlement, the context they share, and
the grid with the people in charge of it.

``manage.py seed_demo`` imports every app's ``demo`` module, as the admin imports every
``admin.py`` (``autodiscover_modules``); each module registers its steps here with
``@demo_step(rank)``, and the command runs them in rank order in one transaction. A step
builds its own app's tables, reading what earlier steps made from the context and leaving
there what later ones need. The ranks follow what each step needs and the order the
random generator is drawn in, so that a seed gives the same settlement:

    10  grids        the grid: county > streets > communities > areas > buildings > floors
    15  monitoring   which tier scheme each community follows (households pick tiers by it)
    20  grids        users, role groups and assignments; the demo users
    30  households   households, members, labels, special groups and their tier history
    40  employment   workshops, posts, labour records, income, warnings, trainings, offers
    50  services     volunteers, points, cases with their escalation, door cards
    60  monitoring   the last days of follow-ups and visits, as the engine saw them
    70  monitoring   the daily tier counts of the wall's trend chart
    85  reviews      last month's review of the first community (its decisions, 月督促)

The shape of the grid follows domain.md: floor heads cover about 15 households each
(东川: 376 micro-grid heads), and buildings carry a wayfinding picture.
"""

import datetime
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from faker import Faker

from accounts.roles import SECURITY_ADMINISTRATOR
from audit.roles import AUDIT_ADMINISTRATOR
from grids import roles
from grids.models import Assignment, GridLevel, GridUnit, Profile, Role, WayfindingSymbol

ENTRANCES = 2
FLOORS = 11
ROOMS_PER_FLOOR = 2  # per entrance
HOUSEHOLDS_PER_BUILDING = ENTRANCES * FLOORS * ROOMS_PER_FLOOR
FLOORS_PER_FLOOR_HEAD = 4  # 4 floors x 4 households: about 15 households a worker
HOUSEHOLDS_PER_COMMUNITY = 1000
COMMUNITIES_PER_STREET = 8
AREAS_PER_COMMUNITY = 3
BATCH = 2000

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
    # The other two of the three separated powers (三权分立): admin configures.
    ("security", SECURITY_ADMINISTRATOR, "security administrator: accounts, roles, lockouts, tokens"),
    ("auditor", AUDIT_ADMINISTRATOR, "audit administrator: the audit log, nothing else"),
]
ADMINISTRATORS = (SECURITY_ADMINISTRATOR, AUDIT_ADMINISTRATOR)
STAFF_ROLES = {Role.COMMUNITY_STAFF, Role.GRID_HEAD}

# The demo grid worker also logs in with this number.
DEMO_WORKER_MOBILE = "13800138000"

COMMUNITY_NAMES = [
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


@dataclass(kw_only=True)
class DemoContext:
    """What the steps share: what was asked for, the random sources, and what the steps
    made that later ones build on (each attribute says whose it is)."""

    households: int
    password: str
    seed: int = 2026
    progress: Callable[[int], object] | None = None  # called with each batch of households written
    # The command's other options, for the step that reads one (monitoring: history_days,
    # trend_every_days).
    options: dict[str, Any] = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)

    # The grid step's. Buildings also carry .community and .area (unsaved attributes).
    units: list[GridUnit] = field(default_factory=list)
    streets: list[GridUnit] = field(default_factory=list)
    communities: list[GridUnit] = field(default_factory=list)
    areas: list[GridUnit] = field(default_factory=list)
    buildings: list[GridUnit] = field(default_factory=list)
    floors: dict[str, list[GridUnit]] = field(default_factory=dict)  # building code -> floors
    # Monitoring's: the TierScheme each community follows, by the community's pk.
    tier_schemes: dict[int, Any] = field(default_factory=dict)
    # The people step's: the demo users by username (DEMO_USERS).
    users: dict[str, Any] = field(default_factory=dict)
    # What each step made, in the order made, for the command's summary ("visits": 2052).
    figures: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        self.plan = Plan(self.households)
        # One generator and one Faker for every step, drawn in rank order: the same seed
        # gives the same settlement only if each step draws what it always did.
        self.rng = random.Random(self.seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)
        # Faker is slow per call; pools drawn from it once keep its name frequencies.
        self.surnames = [self.fake.last_name() for _ in range(2000)]
        self.male_names = [self.fake.first_name_male() for _ in range(2000)]
        self.female_names = [self.fake.first_name_female() for _ in range(2000)]


# -- the registry -------------------------------------------------------------------------


class DemoStep(NamedTuple):
    rank: int
    name: str
    build: Callable[[DemoContext], None]


_steps: dict[str, DemoStep] = {}


def demo_step(rank: int):
    """Register a function of a ``demo`` module as a step of the demo, run at ``rank``."""

    def register(build: Callable[[DemoContext], None]):
        name = f"{build.__module__}.{build.__qualname__}"
        for other in _steps.values():
            if other.rank == rank and other.name != name:
                # Two steps at one rank would run in import order: say which comes first.
                raise ImproperlyConfigured(f"Demo steps {other.name} and {name} share rank {rank}.")
        _steps[name] = DemoStep(rank, name, build)
        return build

    return register


def demo_steps() -> list[DemoStep]:
    """The registered steps in rank order (the command imports every app's ``demo`` first)."""
    return sorted(_steps.values())


# -- the grid -------------------------------------------------------------------------------


@demo_step(10)
def build_grid(ctx: DemoContext) -> None:
    """Every unit, with materialised paths computed here rather than node by node."""
    plan = ctx.plan
    levels = {level.name: level for level in GridLevel.objects.all()}

    def unit(parent_path, depth, step, level, name, code, **extra):
        return GridUnit(
            path=GridUnit._get_path(parent_path, depth, step),
            depth=depth,
            numchild=0,
            level=levels[level],
            name=name,
            code=code,
            **extra,
        )

    county = unit(None, 1, 1, "县", "幸福县", "XF")
    units = [county]
    symbols = list(WayfindingSymbol.values)
    buildings_left = plan.buildings
    communities_left = plan.communities
    community_no = 0
    for s in range(plan.streets):
        street = unit(county.path, 2, s + 1, "街道", f"第{s + 1}街道", f"XF-S{s + 1:02d}")
        units.append(street)
        ctx.streets.append(street)
        in_street = min(COMMUNITIES_PER_STREET, communities_left)
        for c in range(in_street):
            community_no += 1
            name = COMMUNITY_NAMES[(community_no - 1) % len(COMMUNITY_NAMES)]
            if community_no > len(COMMUNITY_NAMES):
                name = f"{name[:-2]}{community_no}社区"
            community = unit(street.path, 3, c + 1, "社区", name, f"{street.code}-C{c + 1:02d}")
            units.append(community)
            ctx.communities.append(community)
            in_community = math.ceil(buildings_left / communities_left)
            buildings_left -= in_community
            communities_left -= 1
            per_area = [len(r) for r in _split(range(in_community), AREAS_PER_COMMUNITY)]
            building_no = 0
            for a, count in enumerate(n for n in per_area if n):
                area = unit(
                    community.path,
                    4,
                    a + 1,
                    "片区",
                    f"{'东南西北中'[a % 5]}片区",
                    f"{community.code}-A{a + 1}",
                )
                units.append(area)
                ctx.areas.append(area)
                for b in range(count):
                    building_no += 1
                    symbol = symbols[(building_no - 1) % len(symbols)]
                    building = unit(
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
                    ctx.buildings.append(building)
                    floors = [
                        unit(building.path, 6, f + 1, "楼层", f"{f + 1}层", f"{building.code}-F{f + 1:02d}")
                        for f in range(FLOORS)
                    ]
                    building.numchild = FLOORS
                    ctx.floors[building.code] = floors
                    units.extend(floors)
                area.numchild = count
            community.numchild = len([n for n in per_area if n])
        street.numchild = in_street
    county.numchild = len(ctx.streets)
    # bulk_create sets the ids on PostgreSQL and SQLite: later steps use these objects.
    GridUnit.objects.bulk_create(units, batch_size=BATCH)
    ctx.units = units
    ctx.figures["grid units"] = len(units)


# -- users and assignments ------------------------------------------------------------------


@demo_step(20)
def build_people_in_charge(ctx: DemoContext) -> None:
    User = get_user_model()
    demo_hash = make_password(ctx.password)
    groups = {
        g.name: g
        for g in Group.objects.filter(
            name__in=[
                roles.ADMINISTRATOR,
                roles.COMMUNITY_STAFF,
                roles.GRID_WORKER,
                roles.LEADER,
                *ADMINISTRATORS,
            ]
        )
    }
    users, assignments, memberships = [], [], []
    start = ctx.today - datetime.timedelta(days=365)

    def person(username, *, staff=False):
        user = User(
            username=username,
            password=demo_hash,
            is_staff=staff,
            last_name=ctx.fake.last_name(),
            first_name=ctx.fake.first_name(),
        )
        users.append(user)
        return user

    def assign(user, unit, role):
        assignments.append(Assignment(user=user, unit=unit, role=role, starts_on=start))

    first_building = ctx.buildings[0]
    demo = {}
    for username, role, _ in DEMO_USERS:
        staff = role in STAFF_ROLES or role in (None, roles.LEADER, *ADMINISTRATORS)
        demo[username] = person(username, staff=staff)
    demo["admin"].is_superuser = True
    demo["admin"].is_staff = True
    assign(demo["staff"], ctx.communities[0], Role.COMMUNITY_STAFF)
    for username, role in [
        ("gridhead", Role.GRID_HEAD),
        ("worker", Role.FULL_TIME_WORKER),
        ("parttime", Role.PART_TIME_WORKER),
    ]:
        assign(demo[username], ctx.areas[0], role)
    assign(demo["building"], first_building, Role.BUILDING_HEAD)
    for floor in ctx.floors[first_building.code][:FLOORS_PER_FLOOR_HEAD]:
        assign(demo["floor"], floor, Role.FLOOR_HEAD)

    seq = 0

    def numbered(prefix, staff=False):
        nonlocal seq
        seq += 1
        return person(f"{prefix}{seq:05d}", staff=staff)

    for community in ctx.communities[1:]:
        for _ in range(2):
            assign(numbered("staff", staff=True), community, Role.COMMUNITY_STAFF)
    for area in ctx.areas[1:]:
        assign(numbered("head", staff=True), area, Role.GRID_HEAD)
        assign(numbered("ft"), area, Role.FULL_TIME_WORKER)
        assign(numbered("pt"), area, Role.PART_TIME_WORKER)
    for building in ctx.buildings:
        if building is not first_building:
            assign(numbered("bld"), building, Role.BUILDING_HEAD)
        floors = ctx.floors[building.code]
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
    memberships.extend(
        (demo[username], groups[role]) for username, role, _ in DEMO_USERS if role in ADMINISTRATORS
    )
    Through = User.groups.through
    pairs = {(user.pk, group.pk) for user, group in memberships}
    Through.objects.bulk_create([Through(user_id=u, group_id=g) for u, g in pairs], batch_size=BATCH)
    ctx.users = demo
    Profile.objects.create(user=demo["worker"], mobile=DEMO_WORKER_MOBILE)
    ctx.figures["users"] = len(users)


def _split(seq, parts):
    seq = list(seq)
    size, extra = divmod(len(seq), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(seq[start:end])
        start = end
    return out
