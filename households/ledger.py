"""The household ledger (台账) in .xlsx: its template, its check and its import.

A ledger has two sheets: 户 (a row per household, its head included) and 人员 (a row per
other member). Every row is checked before anything is written, against the file itself
(a household number, address or ID number given twice) and against the database (a number
or address taken, a person already living elsewhere); the import then writes every row
or, if anything is wrong, none. The same model validation as the forms runs on each row
(``clean_fields``/``clean``); the checks that would cost a query per row (uniqueness,
buildings, tiers) are done here for the whole file in a few set queries.

Headers are Chinese whatever the UI language: the ledger is a file format that offices
exchange, and its columns are found by their header, in any order.
"""

import datetime
import logging
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history

from grids.models import GridUnit
from grids.scope import households_in_scope
from households.ethnicity import Ethnicity
from households.models import (
    Household,
    Label,
    Member,
    MemberStatus,
    Relation,
    Sex,
    SpecialGroup,
)
from households.spreadsheets import Sheet, cell_text, write_workbook
from households.validators import (
    normalize_mobile,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_is_male,
    validate_resident_id,
)
from monitoring.followups import reschedule
from monitoring.models import Tier, TierChange

logger = logging.getLogger(__name__)

HOUSEHOLD_SHEET = "户"
MEMBER_SHEET = "人员"
GUIDE_SHEET = "说明"
MAX_ROWS = 100_000
REASON = "台账导入"  # the reason of the first tier change, as the admin's form defaults it


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False


# (key, column): the key names what the column fills; the header is what the file shows.
HOUSEHOLD_COLUMNS = {
    "number": Column("户编号", required=True),
    "head_name": Column("户主姓名", required=True),
    "head_id_number": Column("身份证号", required=True),
    "head_ethnicity": Column("民族"),
    "head_labour": Column("户主劳动力"),
    "building": Column("楼栋", required=True),
    "entrance": Column("单元"),
    "floor": Column("楼层", required=True),
    "room": Column("房号", required=True),
    "origin": Column("迁出地"),
    "phone": Column("联系电话"),
    "relocated_on": Column("搬迁入住日期"),
    "tier": Column("风险等级"),
    "labels": Column("标签"),
}
MEMBER_COLUMNS = {
    "number": Column("户编号", required=True),
    "name": Column("姓名", required=True),
    "relation": Column("与户主关系", required=True),
    "id_number": Column("身份证号"),
    "sex": Column("性别"),
    "birth_date": Column("出生日期"),
    "ethnicity": Column("民族"),
    "mobile": Column("手机号"),
    "is_labour_force": Column("劳动力"),
    "special_groups": Column("特殊人群"),
}

# Which column a model field's error belongs to.
_HOUSEHOLD_FIELD_COLUMN = {
    "number": "number",
    "building": "building",
    "unit": "building",
    "entrance": "entrance",
    "floor": "floor",
    "room": "room",
    "origin_county": "origin",
    "origin_township": "origin",
    "origin_village": "origin",
    "phone": "phone",
    "relocated_on": "relocated_on",
    "tier": "tier",
}
_MEMBER_FIELD_COLUMN = {
    "name": "name",
    "relation": "relation",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "mobile": "mobile",
}
_HEAD_FIELD_COLUMN = {
    "name": "head_name",
    "id_number": "head_id_number",
    "ethnicity": "head_ethnicity",
    "birth_date": "head_id_number",
    "sex": "head_id_number",
}

_LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
# 迁出地 as offices write it: "会泽县 大井镇 中坪村", or run together "会泽县大井镇中坪村".
_ORIGIN = re.compile(r"^(?P<county>.*?(?:县|区|市))?(?P<township>.*?(?:镇|乡|街道))?(?P<village>.*)$")
_YES = {"是", "有", "√", "y", "yes", "true", "1"}
_NO = {"否", "无", "", "n", "no", "false", "0"}


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class PlannedHousehold:
    row: int
    household: Household
    head: Member
    labels: list = field(default_factory=list)
    members: list = field(default_factory=list)  # [(row, Member, [SpecialGroup])]


class LedgerError(Exception):
    """The file cannot be read as a ledger at all (not .xlsx, a sheet missing)."""


@dataclass
class Plan:
    """What the import would write, and what stops it."""

    households: list[PlannedHousehold] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0

    @property
    def member_count(self) -> int:
        return sum(1 + len(p.members) for p in self.households)

    def summary(self, sample: int = 20) -> dict:
        by_building = Counter(p.household.building.name for p in self.households)
        by_tier = Counter(p.household.tier.name for p in self.households)
        return {
            "households": len(self.households),
            "members": self.member_count,
            "buildings": sorted(by_building.items()),
            "tiers": sorted(by_tier.items()),
            "sample": [
                {
                    "row": p.row,
                    "number": p.household.number,
                    "head": p.head.name,
                    "address": p.household.address,
                    "unit": p.household.unit.name,
                    "tier": p.household.tier.name,
                    "members": 1 + len(p.members),
                }
                for p in self.households[:sample]
            ],
        }


def template(unit: GridUnit, target) -> None:
    """The empty ledger, with a guide sheet listing this unit's buildings, tiers and choices."""
    households = Sheet(HOUSEHOLD_SHEET, [_header(c) for c in HOUSEHOLD_COLUMNS.values()])
    members = Sheet(MEMBER_SHEET, [_header(c) for c in MEMBER_COLUMNS.values()])
    guide = Sheet(GUIDE_SHEET, [_("Column"), _("How to fill it in")])
    tiers = Tier.objects.filter(scheme=unit.tier_scheme_in_force())
    buildings = GridUnit.objects.filter(path__startswith=unit.path, level__is_building=True)
    listed = "、".join
    guide.extend(
        [
            ("*", _("Required. Columns may come in any order; a header not listed here is refused.")),
            (HOUSEHOLD_SHEET, _("One row per household, its head included (name, ID number, ethnicity).")),
            (MEMBER_SHEET, _("One row per other member, tied to the household by its number.")),
            (
                "身份证号",
                _(
                    "18-character ID number; sex and birth date are read from it. A child not yet "
                    "registered may have none, but then needs sex and birth date."
                ),
            ),
            (
                "楼栋",
                _("Name or code of the building: %(list)s")
                % {"list": listed(f"{b.name}（{b.code}）" for b in buildings)},
            ),
            (
                "楼层",
                _(
                    "A number. Where the building has floor units named like “3层”, "
                    "the household goes to its floor."
                ),
            ),
            ("迁出地", _("County, township and village, such as “会泽县 大井镇 中坪村”.")),
            (
                "风险等级",
                _("May be empty (the least urgent tier): %(list)s") % {"list": listed(t.name for t in tiers)},
            ),
            ("与户主关系", listed(str(label) for value, label in Relation.choices if value != Relation.HEAD)),
            ("劳动力", _("是 or 否")),
            (
                "标签",
                _("Several separated by 、: %(list)s")
                % {"list": listed(Label.objects.values_list("name", flat=True))},
            ),
            (
                "特殊人群",
                _("Several separated by 、: %(list)s")
                % {"list": listed(SpecialGroup.objects.values_list("name", flat=True))},
            ),
            (_("Dates"), _("2024-03-15, or a date cell.")),
            (
                _("Import"),
                _(
                    "Every row is checked first; if anything is wrong nothing is imported, and each "
                    "problem is listed with its sheet, row, column and reason."
                ),
            ),
        ]
    )
    write_workbook([households, members, guide], target)


def _header(column: Column) -> str:
    return column.header + ("*" if column.required else "")


def read(path, *, unit: GridUnit, user, progress=None) -> Plan:
    """Check a ledger file whole; nothing is written. ``progress(rows_checked, rows)``."""
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise LedgerError(_("This is not an .xlsx file that can be read.")) from error
    try:
        sheets = {name: workbook[name] for name in workbook.sheetnames}
        missing = [name for name in (HOUSEHOLD_SHEET,) if name not in sheets]
        if missing:
            raise LedgerError(_("The file has no sheet named “%(sheet)s”.") % {"sheet": missing[0]})
        household_rows = list(_rows(sheets[HOUSEHOLD_SHEET]))
        member_rows = list(_rows(sheets[MEMBER_SHEET])) if MEMBER_SHEET in sheets else []
    finally:
        workbook.close()
    return _Checker(unit=unit, user=user, progress=progress).check(household_rows, member_rows)


def _rows(worksheet):
    """(row number, [cell text]) for every row that is not blank, the header first."""
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) if not isinstance(v, datetime.date | datetime.datetime) else v for v in values]
        if any(c not in ("", None) for c in cells):
            yield number, cells


class _Checker:
    def __init__(self, *, unit, user, progress):
        self.unit = unit
        self.user = user
        self.progress = progress or (lambda done, total: None)
        self.plan = Plan()
        self.now = timezone.now()

    def problem(self, sheet, row, column_key, message, columns=None):
        columns = columns or (HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS)
        header = columns[column_key].header if column_key in columns else column_key
        self.plan.problems.append(Problem(sheet, row, header, str(message)))

    # -- the whole file -------------------------------------------------------------

    def check(self, household_rows, member_rows) -> Plan:
        total = max(len(household_rows) - 1, 0) + max(len(member_rows) - 1, 0)
        self.plan.rows = total
        if total > MAX_ROWS:
            self.problem(
                HOUSEHOLD_SHEET, 1, "number", _("A ledger holds %(max)s rows at most.") % {"max": MAX_ROWS}
            )
            return self.plan
        household_index = self.header_index(HOUSEHOLD_SHEET, household_rows, HOUSEHOLD_COLUMNS)
        member_index = self.header_index(MEMBER_SHEET, member_rows, MEMBER_COLUMNS) if member_rows else {}
        if self.plan.problems:
            return self.plan
        self.load_references()
        done = 0
        by_number = {}
        self.refused = set()
        for row, cells in household_rows[1:]:
            values = self.values(cells, household_index)
            planned = self.household(row, values)
            if planned is None:
                self.refused.add(values.get("number", ""))
            else:
                if planned.household.number in by_number:
                    self.problem(
                        HOUSEHOLD_SHEET,
                        row,
                        "number",
                        _("This household number is also on row %(row)s.")
                        % {"row": by_number[planned.household.number].row},
                    )
                else:
                    by_number[planned.household.number] = planned
                    self.plan.households.append(planned)
            done += 1
            if done % 1000 == 0:
                self.progress(done, total)
        for row, cells in member_rows[1:]:
            self.member(row, self.values(cells, member_index), by_number)
            done += 1
            if done % 1000 == 0:
                self.progress(done, total)
        self.check_against_file_and_database()
        self.progress(total, total)
        self.plan.problems.sort(key=lambda p: (p.sheet != HOUSEHOLD_SHEET, p.row))
        return self.plan

    def header_index(self, sheet, rows, columns) -> dict[str, int]:
        if not rows:
            self.problem(sheet, 1, "number", _("The sheet is empty: it needs its header row."), columns)
            return {}
        row, headers = rows[0]
        by_header = {c.header: key for key, c in columns.items()}
        index = {}
        for position, header in enumerate(headers):
            text = str(header or "").strip().rstrip("*＊").strip()
            if not text:
                continue
            if text not in by_header:
                self.plan.problems.append(
                    Problem(sheet, row, text, _("Unknown column: nothing in it would be imported."))
                )
            elif by_header[text] in index:
                self.plan.problems.append(Problem(sheet, row, text, _("This column is there twice.")))
            else:
                index[by_header[text]] = position
        for key, column in columns.items():
            if column.required and key not in index:
                self.plan.problems.append(Problem(sheet, row, column.header, _("This column is missing.")))
        return index

    @staticmethod
    def values(cells, index):
        return {key: cells[i] if i < len(cells) else "" for key, i in index.items()}

    def load_references(self):
        buildings = GridUnit.objects.filter(
            path__startswith=self.unit.path, level__is_building=True
        ).select_related("level")
        self.buildings = defaultdict(list)
        for building in buildings:
            self.buildings[building.code].append(building)
            if building.name != building.code:
                self.buildings[building.name].append(building)
        # A building's floors, where the grid has them as units named "3层".
        self.floors = {}
        building_paths = {b.path: b for b in buildings}
        for unit in GridUnit.objects.filter(
            path__startswith=self.unit.path, depth__gt=self.unit.depth, name__regex=r"^[0-9]+层$"
        ):
            parent = building_paths.get(unit.path[: -GridUnit.steplen])
            if parent is not None:
                self.floors[(parent.pk, int(unit.name[:-1]))] = unit
        self.schemes = {}
        self.labels = _by_name_and_code(Label.objects.all())
        self.groups = _by_name_and_code(SpecialGroup.objects.all())
        self.relations = _choices(Relation)
        self.sexes = _choices(Sex) | {"男": Sex.MALE, "女": Sex.FEMALE}
        self.ethnicities = _choices(Ethnicity)
        for value, label in Ethnicity.choices:
            with translation.override("zh-hans"):
                self.ethnicities.setdefault(str(label) + "族", value)

    def tiers_for(self, building):
        scheme = self.schemes.get(building.pk)
        if scheme is None:
            scheme = self.schemes[building.pk] = building.tier_scheme_in_force()
            scheme.tier_list = list(Tier.objects.filter(scheme=scheme).order_by("severity"))
        return scheme

    # -- one row --------------------------------------------------------------------

    def household(self, row, values) -> PlannedHousehold | None:
        errors_before = len(self.plan.problems)
        sheet = HOUSEHOLD_SHEET

        def fail(key, message):
            self.problem(sheet, row, key, message)

        number = values.get("number", "")
        if not number:
            fail("number", _("This field is required."))
            return None
        building = None
        name = values.get("building", "")
        candidates = self.buildings.get(name, [])
        if not name:
            fail("building", _("This field is required."))
        elif not candidates:
            fail("building", _("No building of this name or code under %(unit)s.") % {"unit": self.unit.name})
        elif len(candidates) > 1:
            fail("building", _("Several buildings have this name here; write the building's code."))
        else:
            building = candidates[0]
        entrance = _integer(values.get("entrance", ""), default=1)
        floor = _integer(values.get("floor", ""))
        if entrance is None:
            fail("entrance", _("Write the entrance as a number, such as 2."))
        if floor is None:
            fail("floor", _("Write the floor as a number, such as 5."))
        if str(values.get("head_labour", "")).lower() not in _YES | _NO:
            fail("head_labour", _("Write 是 or 否."))
        relocated_on, ok = _date(values.get("relocated_on", ""))
        if not ok:
            fail("relocated_on", _("Write a date such as 2024-03-15."))
        origin = _ORIGIN.match(re.sub(r"\s+", "", values.get("origin", ""))).groupdict(default="")
        household = Household(
            number=number,
            building=building,
            unit=self.floors.get((building.pk, floor), building) if building else None,
            entrance=entrance or 1,
            floor=floor or 0,
            room=values.get("room", ""),
            origin_county=origin["county"],
            origin_township=origin["township"],
            origin_village=origin["village"],
            phone=normalize_mobile(values.get("phone", "")),
            relocated_on=relocated_on,
            tier_changed_at=self.now,
        )
        if building is not None:
            scheme = self.tiers_for(building)
            tier_text = values.get("tier", "")
            if not tier_text:
                household.tier = scheme.tier_list[-1]
            else:
                tier = next((t for t in scheme.tier_list if tier_text in (t.name, t.code)), None)
                if tier is None:
                    fail(
                        "tier",
                        _("Not a tier of %(scheme)s: %(tiers)s.")
                        % {"scheme": scheme.name, "tiers": "、".join(t.name for t in scheme.tier_list)},
                    )
                else:
                    household.tier = tier
        exclude = ["building", "unit", "tier", "labels", "photo"]
        self.model_errors(sheet, row, household, exclude, _HOUSEHOLD_FIELD_COLUMN, skip={"entrance", "floor"})
        labels = self.named(sheet, row, "labels", values.get("labels", ""), self.labels)
        head = self.person(
            sheet,
            row,
            name=values.get("head_name", ""),
            relation=Relation.HEAD,
            id_number=values.get("head_id_number", ""),
            sex="",
            birth_date="",
            ethnicity=values.get("head_ethnicity", ""),
            is_labour_force=str(values.get("head_labour", "")).lower() in _YES,
            columns=_HEAD_FIELD_COLUMN,
            require_id=True,
        )
        if len(self.plan.problems) > errors_before:
            return None
        return PlannedHousehold(row=row, household=household, head=head, labels=labels)

    def member(self, row, values, by_number):
        sheet = MEMBER_SHEET
        number = values.get("number", "")
        planned = by_number.get(number)
        relation = self.relations.get(values.get("relation", ""))
        if not number:
            self.problem(sheet, row, "number", _("This field is required."))
        elif planned is None and number not in self.refused:
            # (A household whose own row was refused: its members are not blamed for it.)
            self.problem(sheet, row, "number", _("No household with this number on the “户” sheet."))
        if relation is None and values.get("relation", ""):
            self.problem(
                sheet,
                row,
                "relation",
                _("Not a relation to the head: write one of %(choices)s.")
                % {
                    "choices": "、".join(
                        str(label) for value, label in Relation.choices if value != Relation.HEAD
                    )
                },
            )
        if relation == Relation.HEAD:
            self.problem(sheet, row, "relation", _("The head of the household is written on the “户” sheet."))
        flag = str(values.get("is_labour_force", "")).lower()
        if flag not in _YES | _NO:
            self.problem(sheet, row, "is_labour_force", _("Write 是 or 否."))
        member = self.person(
            sheet,
            row,
            name=values.get("name", ""),
            relation=relation or values.get("relation", ""),
            id_number=values.get("id_number", ""),
            sex=values.get("sex", ""),
            birth_date=values.get("birth_date", ""),
            ethnicity=values.get("ethnicity", ""),
            mobile=values.get("mobile", ""),
            is_labour_force=flag in _YES,
            columns=_MEMBER_FIELD_COLUMN,
        )
        groups = self.named(sheet, row, "special_groups", values.get("special_groups", ""), self.groups)
        if planned is not None and member is not None:
            planned.members.append((row, member, groups))

    def person(self, sheet, row, *, columns, require_id=False, **values) -> Member | None:
        errors_before = len(self.plan.problems)
        columns_by_key = HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS

        def fail(field_name, message):
            self.problem(sheet, row, columns[field_name], message, columns_by_key)

        id_number = normalize_resident_id(values["id_number"])
        sex = self.sexes.get(values["sex"], values["sex"])
        birth_date, ok = _date(values["birth_date"])
        if not ok:
            fail("birth_date", _("Write a date such as 2024-03-15."))
        if id_number:
            try:
                validate_resident_id(id_number)
            except ValidationError as error:
                fail("id_number", error.messages[0])
            else:
                # What the number says, where the row leaves it out; Member.clean() checks
                # that what the row does say agrees.
                birth_date = birth_date or resident_id_birth_date(id_number)
                sex = sex or (Sex.MALE if resident_id_is_male(id_number) else Sex.FEMALE)
        elif require_id:
            fail("id_number", _("This field is required."))
        else:
            if not sex:
                fail("sex", _("This field is required."))
            if not birth_date and ok:
                fail("birth_date", _("This field is required."))
        ethnicity_text = values["ethnicity"]
        ethnicity = self.ethnicities.get(ethnicity_text, ethnicity_text) if ethnicity_text else Ethnicity.HAN
        member = Member(
            name=values["name"],
            relation=values["relation"],
            sex=sex,
            ethnicity=ethnicity,
            birth_date=birth_date,
            id_number=id_number,
            mobile=normalize_mobile(values.get("mobile", "")),
            is_labour_force=values.get("is_labour_force", False),
            status=MemberStatus.ACTIVE,
        )
        self.model_errors(
            sheet, row, member, ["household", "id_number", "special_groups"], columns, columns_by_key
        )
        if len(self.plan.problems) > errors_before:
            return None
        return member

    def model_errors(self, sheet, row, instance, exclude, field_columns, columns=None, skip=()):
        """The model's own validation of one row, each error under the column it came from."""
        errors = {}
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.message_dict
        if not errors:
            try:
                instance.clean() if isinstance(instance, Member) else None
            except ValidationError as error:
                errors = error.message_dict
        already = {(p.sheet, p.row, p.column) for p in self.plan.problems}
        for field_name, messages in errors.items():
            if field_name in skip:
                continue
            column_key = field_columns.get(field_name, field_name)
            columns = columns or (HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS)
            header = columns[column_key].header if column_key in columns else column_key
            if (sheet, row, header) not in already:
                self.plan.problems.append(Problem(sheet, row, header, messages[0]))

    def named(self, sheet, row, key, text, known):
        found = []
        for name in filter(None, _LIST_SEPARATORS.split(text)):
            if name in known:
                found.append(known[name])
            else:
                self.problem(sheet, row, key, _("Unknown: “%(name)s”.") % {"name": name})
        return found

    # -- across rows and against the database ---------------------------------------

    def check_against_file_and_database(self):
        planned = self.plan.households
        numbers = [p.household.number for p in planned]
        taken_numbers = set(_chunked_values(Household.objects, "number", numbers, values=("number",)))
        addresses = {}
        for p in planned:
            h = p.household
            if h.number in taken_numbers:
                self.problem(
                    HOUSEHOLD_SHEET, p.row, "number", _("A household with this number exists already.")
                )
            key = (h.building.pk, h.entrance, h.room)
            if key in addresses:
                self.problem(
                    HOUSEHOLD_SHEET,
                    p.row,
                    "room",
                    _("The household on row %(row)s lives at this address too.") % {"row": addresses[key]},
                )
            else:
                addresses[key] = p.row
        occupied = set()
        building_ids = {k[0] for k in addresses}
        for building_id, entrance, room in Household.objects.filter(
            building__in=building_ids, status="active"
        ).values_list("building", "entrance", "room"):
            occupied.add((building_id, entrance, room))
        for p in planned:
            h = p.household
            if (h.building.pk, h.entrance, h.room) in occupied:
                self.problem(
                    HOUSEHOLD_SHEET, p.row, "room", _("Another active household lives at this address.")
                )
        # A person once: in the file, and not active in another household already.
        people = []
        for p in planned:
            people.append((HOUSEHOLD_SHEET, p.row, "head_id_number", p.head))
            people.extend((MEMBER_SHEET, row, "id_number", m) for row, m, _groups in p.members)
        seen = {}
        for sheet, row, key, person in people:
            if not person.id_number:
                continue
            if person.id_number in seen:
                first_sheet, first_row = seen[person.id_number]
                self.problem(
                    sheet,
                    row,
                    key,
                    _("The same ID number is on sheet “%(sheet)s”, row %(row)s.")
                    % {"sheet": first_sheet, "row": first_row},
                )
            else:
                seen[person.id_number] = (sheet, row)
        elsewhere = dict(
            _chunked_values(
                Member.objects.filter(status=MemberStatus.ACTIVE),
                "id_number",
                list(seen),
                values=("id_number", "household_id"),
            )
        )
        visible = set(
            households_in_scope(
                self.user, Household.objects.filter(pk__in=set(elsewhere.values()))
            ).values_list("pk", "number")
        )
        visible_numbers = dict(visible)
        for sheet, row, key, person in people:
            household_id = elsewhere.get(person.id_number)
            if household_id is None:
                continue
            if household_id in visible_numbers:
                message = _(
                    "This person is already an active member of household %(number)s; "
                    "record them as moved out there first."
                ) % {"number": visible_numbers[household_id]}
            else:
                message = _(
                    "This person is already an active member of another household (outside your "
                    "grid); ask the community to record them as moved out there first."
                )
            self.problem(sheet, row, key, message)
        # One head per household, and the head on the 户 sheet: checked by the row rules.


def _chunked_values(queryset, field_name, wanted, *, values, size=5000):
    """``values`` of the rows whose ``field_name`` is in ``wanted``, a few thousand at a time."""
    wanted = list(wanted)
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        rows = queryset.filter(**{f"{field_name}__in": chunk}).values_list(*values)
        for row in rows:
            yield row[0] if len(row) == 1 else row


def _by_name_and_code(queryset):
    known = {}
    for item in queryset:
        known[item.code] = item
        known[item.name] = item
    return known


def _choices(choices) -> dict:
    """A choice by its value, its English label or its Chinese one."""
    known = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                known[str(label)] = value
                known[str(label).lower()] = value
    for value, _label in choices.choices:
        known[value] = value
    return known


def _integer(text, default=None):
    if text in ("", None):
        return default
    try:
        number = int(str(text))
    except ValueError:
        return None
    return number if 0 < number < 1000 else None


def _date(value) -> tuple[datetime.date | None, bool]:
    if value in ("", None):
        return None, True
    if isinstance(value, datetime.datetime):
        return value.date(), True
    if isinstance(value, datetime.date):
        return value, True
    text = str(value).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.rstrip("日")
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-"))), True
    except ValueError:
        return None, False


@transaction.atomic
def write(plan: Plan, *, by) -> dict:
    """Write a checked plan whole: households, their first tier, members, follow-ups."""
    if plan.problems:
        raise ValueError("a plan with problems is never written")
    households = [p.household for p in plan.households]
    for household in households:
        if household.unit is None:
            household.unit = household.building
    bulk_create_with_history(
        households, Household, batch_size=2000, default_user=by, default_change_reason=REASON
    )
    if not all(h.pk for h in households):  # a database that cannot return ids
        ids = dict(
            _chunked_values(
                Household.objects, "number", [h.number for h in households], values=("number", "id")
            )
        )
        for h in households:
            h.pk = h.id = ids[h.number]
    TierChange.objects.bulk_create(
        [
            TierChange(
                household=h,
                from_tier=None,
                to_tier=h.tier,
                reason=REASON,
                changed_by=by,
                changed_at=h.tier_changed_at,
            )
            for h in households
        ],
        batch_size=2000,
    )
    Household.labels.through.objects.bulk_create(
        [
            Household.labels.through(household_id=p.household.pk, label_id=label.pk)
            for p in plan.households
            for label in p.labels
        ],
        batch_size=5000,
    )
    members, groups = [], []
    for p in plan.households:
        p.head.household = p.household
        members.append(p.head)
        for _row, member, member_groups in p.members:
            member.household = p.household
            members.append(member)
            groups.append((member, member_groups))
    bulk_create_with_history(members, Member, batch_size=2000, default_user=by, default_change_reason=REASON)
    if groups and not all(m.pk for m, _g in groups):
        raise RuntimeError("member ids were not returned")
    Member.special_groups.through.objects.bulk_create(
        [Member.special_groups.through(member_id=m.pk, specialgroup_id=g.pk) for m, gs in groups for g in gs],
        batch_size=5000,
    )
    reschedule(households=households, reason="")
    return {"households": len(households), "members": len(members)}


# -- an upload, checked and imported by the worker ---------------------------------

MAX_LISTED_PROBLEMS = 2000  # a file wrong on every row is not listed whole


def check_upload(upload) -> None:
    """Check an uploaded ledger and record what came of it: ready, or refused with its
    problems. A refused file is deleted at once; a ready one waits for the confirmation."""
    from households.models import LedgerImport

    def progress(done, total):
        LedgerImport.objects.filter(pk=upload.pk).update(rows_checked=done, rows_total=total)

    with translation.override(upload.language):
        plan = _plan(upload, progress)
        _record(upload, plan, ready=True)


def import_upload(upload) -> None:
    """Import a checked ledger: checked again in the transaction that writes it (the
    database may have changed since the preview), then written whole or not at all."""
    from households.models import LedgerImportStatus

    with translation.override(upload.language):
        try:
            with transaction.atomic():
                plan = _plan(upload, progress=None)
                if plan.problems:
                    _record(upload, plan, ready=False)
                    return
                counts = write(plan, by=upload.created_by)
        except IntegrityError:
            # Another import or clerk took a number, an address or a person in the
            # meantime. The database's message names the value (an ID number): not logged.
            logger.warning("ledger import %s: a uniqueness constraint stopped it", upload.pk)
            upload.status = LedgerImportStatus.FAILED
            upload.errors = [
                Problem(
                    "",
                    0,
                    "",
                    _("Someone saved a conflicting household or person meanwhile; upload it again."),
                ).as_dict()
            ]
        else:
            upload.status = LedgerImportStatus.DONE
            upload.summary = {**upload.summary, **counts}
        _finish(upload)


def _plan(upload, progress) -> Plan:
    try:
        with upload.file.open("rb") as handle:
            return read(handle, unit=upload.unit, user=upload.created_by, progress=progress)
    except LedgerError as error:
        return Plan(problems=[Problem("", 0, "", str(error))])


def _record(upload, plan: Plan, *, ready: bool) -> None:
    from households.models import LedgerImportStatus

    upload.rows_total = upload.rows_checked = plan.rows
    if plan.problems:
        upload.status = LedgerImportStatus.INVALID
        upload.errors = [p.as_dict() for p in plan.problems[:MAX_LISTED_PROBLEMS]]
        upload.summary = {"problems": len(plan.problems)}
        _finish(upload)
    elif ready:
        upload.status = LedgerImportStatus.READY
        upload.summary = plan.summary()
        upload.save()


def _finish(upload) -> None:
    # The file holds ID numbers: it goes as soon as it is of no more use.
    if upload.file:
        upload.file.delete(save=False)
    upload.finished_at = timezone.now()
    upload.save()
