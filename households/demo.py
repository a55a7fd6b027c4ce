"""The demo's households: where each family lives, who is in it, its labels and special
groups, and the tier it came with and the way it went since (a step of ``seed_demo``;
``grids.demo`` says how the steps fit together).

The shape follows domain.md: about 3.7 people per household (东川: 26,344 people in 7,081
households); a tier mix as at the start in 鲁甸 (red 3.9 %, yellow 15.5 %, green 80.6 %) at
relocation, moving over four years to the mix 鲁甸 reached (red 0.4 %, yellow 2.5 %, green
97.1 %), with every change in the tier history so that the wall's trend chart tells that
story; one community on 东川's four-colour scheme, where the monitoring households start
red and seven in ten have their risk removed (orange).

Rows are built in memory a batch of households at a time and written with ``COPY`` (or
``bulk_create``), which is what lets 100,000 households load in well under two minutes.
"""

import datetime
from typing import NamedTuple

from django.utils import timezone

from common.validators import resident_id_check_char
from grids.demo import BATCH, ENTRANCES, ROOMS_PER_FLOOR, DemoContext, demo_step
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
from monitoring.models.tiers import TierChange, TierScheme

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
# A special group of an urgent household (or of a few others), and the label it brings.
GROUP_LABELS = {
    "minimum-allowance": "minimum-allowance",
    "disability": "physical-disability",
    "serious-illness": "serious-illness",
    "mental-disorder": "mental-disorder",
    "extreme-poverty": "extreme-poverty",
    "community-correction": "community-correction",
}


def make_resident_id(region: str, born: datetime.date, male: bool, seq: int) -> str:
    # Sequence codes are odd for men, even for women (GB 11643); ``seq`` keeps them unique.
    order = (seq * 2 + (1 if male else 0)) % 1000
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_char(first17)


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


def at_nine(day: datetime.date) -> datetime.datetime:
    """A demo event's moment on ``day``: nine in the morning, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


@demo_step(30)
def build_households(ctx: DemoContext) -> None:
    ctx.figures["households"] = HouseholdsDemo(ctx).build()


class HouseholdsDemo:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.rows = RowWriter()
        self.seen_ids: set[str] = set()
        self.id_seq = 0

    def build(self) -> int:
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
        for community in self.ctx.communities:
            places = by_community.get(community.code, [])
            scheme = self.ctx.tier_schemes[community.pk].code
            slots.extend(zip(places, self._tier_sequence(scheme, tiers[scheme], len(places))))
        slots = slots[: self.ctx.plan.households]
        done = 0
        for start in range(0, len(slots), BATCH):
            batch = slots[start : start + BATCH]
            self._write_batch(batch, start, labels, groups)
            done += len(batch)
            if self.ctx.progress:
                self.ctx.progress(len(batch))
        return done

    def addresses(self):
        """Every (building, floor unit, entrance, floor, room), in walking order."""
        for building in self.ctx.buildings:
            for floor_no, floor in enumerate(self.ctx.floors[building.code], start=1):
                for entrance in range(1, ENTRANCES + 1):
                    for r in range(1, ROOMS_PER_FLOOR + 1):
                        yield building, floor, entrance, floor_no, f"{floor_no}{r:02d}"

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
        start = max(at_nine(IMPROVEMENT_FROM), relocated_at)
        latest = min(
            at_nine(IMPROVEMENT_FROM) + datetime.timedelta(days=365 * IMPROVEMENT_YEARS),
            at_nine(self.today - datetime.timedelta(days=30)),
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

    def _write_batch(self, batch, offset, labels, groups):
        now = timezone.now()
        household_ids = self.rows.allocate_ids(Household, len(batch))
        households, changes, household_labels, families = [], [], [], []
        for hid, ((building, floor, entrance, floor_no, room), tier) in zip(household_ids, batch):
            county, region, townships = self.rng.choice(ORIGINS)
            relocated = datetime.date(2019, 1, 1) + datetime.timedelta(days=self.rng.randint(0, 730))
            history = self._tier_history(tier, at_nine(relocated))
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
                    self.rng.choice(self.ctx.surnames) + "家" + self.rng.choice(VILLAGE_SUFFIXES),
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

    def _person(self, region, born, male, relation, family_name=None) -> Person:
        self.id_seq += 1
        id_number = make_resident_id(region, born, male, self.id_seq)
        while id_number in self.seen_ids:
            self.id_seq += 1
            id_number = make_resident_id(region, born, male, self.id_seq)
        self.seen_ids.add(id_number)
        given = self.rng.choice(self.ctx.male_names if male else self.ctx.female_names)
        surname = family_name or self.rng.choice(self.ctx.surnames)
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
        """A family whose ages, labels and special groups hang together: (the people,
        each one's special groups, the household's labels)."""
        rng, person, birth = self.rng, self._person, self._birth
        urgent = tier.severity == 1
        size = rng.choices([1, 2, 3, 4, 5, 6, 7], [8, 14, 20, 28, 18, 8, 4])[0]
        head_male = rng.random() < 0.75
        surname = rng.choice(self.ctx.surnames)
        if size == 1:
            head = person(region, birth(62, 88), head_male, Relation.HEAD, surname)
            family = [head]
        else:
            head = person(region, birth(28, 70), head_male, Relation.HEAD, surname)
            head_age = (self.today - head.birth_date).days // 365
            family = [head]
            if rng.random() < 0.85:
                family.append(
                    person(region, birth(max(20, head_age - 6), head_age + 3), not head_male, Relation.SPOUSE)
                )
            while len(family) < size:
                if head_age > 45 and rng.random() < 0.2:
                    born, relation = birth(max(0, head_age - 45), head_age - 40), Relation.GRANDCHILD
                elif head_age < 55 and rng.random() < 0.15:
                    born, relation = birth(head_age + 22, min(95, head_age + 35)), Relation.PARENT
                else:
                    born, relation = birth(max(0, head_age - 40), max(0, head_age - 20)), Relation.CHILD
                family.append(person(region, born, rng.random() < 0.5, relation, surname))
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
            household_labels.append(labels[GROUP_LABELS[reason]])
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
