"""Reading a ledger and checking it whole: every row by the models' own validation, and
what would cost a query per row (uniqueness, buildings, tiers) once for the file."""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from common.spreadsheets import cell_text
from common.validators import (
    normalize_mobile,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_is_male,
    validate_resident_id,
)
from grids.models import GridUnit
from households.ethnicity import Ethnicity
from households.ledger.format import (
    DATE_COLUMNS,
    HEAD_FIELD_COLUMN,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_FIELD_COLUMN,
    HOUSEHOLD_SHEET,
    ID_COLUMNS,
    LIST_SEPARATORS,
    MAX_ROWS,
    MEMBER_COLUMNS,
    MEMBER_FIELD_COLUMN,
    MEMBER_SHEET,
    NO,
    NUMERIC,
    ORIGIN,
    YES,
)
from households.ledger.workbook import CellBudget, LedgerError, open_workbook
from households.models import (
    Household,
    Label,
    Member,
    MemberStatus,
    Relation,
    Sex,
    SpecialGroup,
    id_number_digests,
)
from households.services import active_elsewhere_message
from monitoring.models.tiers import Tier, TierScheme


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


def read(path, *, unit: GridUnit, user, progress=None) -> Plan:
    """Check a ledger file whole; nothing is written. ``progress(rows_checked, rows)``."""
    workbook = open_workbook(path)
    try:
        sheets = {name: workbook[name] for name in workbook.sheetnames}
        missing = [name for name in (HOUSEHOLD_SHEET,) if name not in sheets]
        if missing:
            raise LedgerError(_("The file has no sheet named “%(sheet)s”.") % {"sheet": missing[0]})
        # One row past the most a ledger may hold is enough to refuse it: the rest of a
        # longer file is not read.
        budget, allowed = CellBudget(), MAX_ROWS + 1
        household_rows = list(islice(_rows(sheets[HOUSEHOLD_SHEET], budget), 1 + allowed))
        allowed -= max(len(household_rows) - 1, 0)
        member_rows = []
        if MEMBER_SHEET in sheets and allowed > 0:
            member_rows = list(islice(_rows(sheets[MEMBER_SHEET], budget), 1 + allowed))
    finally:
        workbook.close()
    return _Checker(unit=unit, user=user, progress=progress).check(household_rows, member_rows)


def _rows(worksheet, budget: CellBudget):
    """(row number, [cell value]) for every row that is not blank, the header first. Values
    stay as the file has them (text, number, date); ``_Checker.values`` reads them."""
    for number, values in budget.rows(worksheet):
        if any(cell_text(v) for v in values):
            yield number, list(values)


class _Checker:
    def __init__(self, *, unit, user, progress):
        self.unit = unit
        self.user = user
        self.progress = progress or (lambda done, total: None)
        self.plan = Plan()
        # The cells (sheet, row, header) already blamed, so that the model's validation
        # adds nothing under a column a rule has reported: a set, not a scan of every
        # problem so far, which made a file bad on every row quadratic.
        self.reported = set()

    def problem(self, sheet, row, column_key, message, columns=None):
        columns = columns or (HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS)
        header = columns[column_key].header if column_key in columns else column_key
        self.add(Problem(sheet, row, header, str(message)))

    def add(self, problem: Problem) -> None:
        self.plan.problems.append(problem)
        self.reported.add((problem.sheet, problem.row, problem.column))

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
        first_row = {}  # every number's first row, whether that row was refused or not
        self.refused = set()
        for row, cells in household_rows[1:]:
            values = self.values(cells, household_index)
            number = values.get("number", "")
            if number and number in first_row:
                self.problem(
                    HOUSEHOLD_SHEET,
                    row,
                    "number",
                    _("This household number is also on row %(row)s.") % {"row": first_row[number]},
                )
                continue
            first_row.setdefault(number, row)
            planned = self.household(row, values)
            if planned is None:
                self.refused.add(number)
            else:
                by_number[number] = planned
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
                self.add(Problem(sheet, row, text, _("Unknown column: nothing in it would be imported.")))
            elif by_header[text] in index:
                self.add(Problem(sheet, row, text, _("This column is there twice.")))
            else:
                index[by_header[text]] = position
        for key, column in columns.items():
            if column.required and key not in index:
                self.add(Problem(sheet, row, column.header, _("This column is missing.")))
        return index

    @staticmethod
    def values(cells, index):
        """A row's cells by column key: text, except a date cell in a date column. An ID
        number that Excel holds as a number has lost its last digits (it keeps 15): such
        keys are listed under ``NUMERIC``, for a message that says so."""
        values = {NUMERIC: set()}
        for key, i in index.items():
            raw = cells[i] if i < len(cells) else None
            if key in DATE_COLUMNS and isinstance(raw, datetime.date):
                values[key] = raw
                continue
            if key in ID_COLUMNS and isinstance(raw, int | float) and not isinstance(raw, bool):
                values[NUMERIC].add(key)
            values[key] = raw.date().isoformat() if isinstance(raw, datetime.datetime) else cell_text(raw)
        return values

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
        # Every scheme set on a unit above the import's unit or inside it, with its tiers.
        owners = TierScheme.objects.filter(
            Q(set_on__unit__path__in=self.unit.ancestor_paths())
            | Q(set_on__unit__path__startswith=self.unit.path)
        )
        self.scheme_owners = dict(owners.values_list("set_on__unit__path", "pk"))
        self.default_scheme = TierScheme.objects.get_default()
        schemes = TierScheme.objects.filter(pk__in={*self.scheme_owners.values(), self.default_scheme.pk})
        tiers = defaultdict(list)
        for tier in Tier.objects.filter(scheme__in=schemes).order_by("severity"):
            tiers[tier.scheme_id].append(tier)
        self.schemes = {scheme.pk: scheme for scheme in schemes}
        for scheme in self.schemes.values():
            scheme.tier_list = tiers[scheme.pk]
        self.default_scheme = self.schemes[self.default_scheme.pk]
        self.labels = _by_name_and_code(Label.objects.all())
        self.groups = _by_name_and_code(SpecialGroup.objects.all())
        self.relations = _choices(Relation)
        self.sexes = _choices(Sex) | {"男": Sex.MALE, "女": Sex.FEMALE}
        self.ethnicities = _choices(Ethnicity)
        for value, label in Ethnicity.choices:
            with translation.override("zh-hans"):
                self.ethnicities.setdefault(str(label) + "族", value)

    def tiers_for(self, unit):
        """The scheme in force where the household will be, its floor's, as the model asks
        (``TierScheme.objects.in_force_for``): the nearest unit above that sets one, looked
        up among the schemes loaded once, not with a query per floor."""
        owner = next(
            (self.scheme_owners[p] for p in reversed(unit.ancestor_paths()) if p in self.scheme_owners), None
        )
        return self.schemes[owner] if owner else self.default_scheme

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
        if str(values.get("head_labour", "")).lower() not in YES | NO:
            fail("head_labour", _("Write 是 or 否."))
        relocated_on, ok = _date(values.get("relocated_on", ""))
        if not ok:
            fail("relocated_on", _("Write a date such as 2024-03-15."))
        origin = ORIGIN.match(re.sub(r"\s+", "", values.get("origin", ""))).groupdict(default="")
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
        )
        if building is not None:
            scheme = self.tiers_for(household.unit)
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
        self.model_errors(sheet, row, household, exclude, HOUSEHOLD_FIELD_COLUMN, skip={"entrance", "floor"})
        labels = self.named(sheet, row, "labels", values.get("labels", ""), self.labels)
        head = self.person(
            sheet,
            row,
            name=values.get("head_name", ""),
            relation=Relation.HEAD,
            id_number=values.get("head_id_number", ""),
            numeric="head_id_number" in values[NUMERIC],
            sex="",
            birth_date="",
            ethnicity=values.get("head_ethnicity", ""),
            is_labour_force=str(values.get("head_labour", "")).lower() in YES,
            columns=HEAD_FIELD_COLUMN,
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
        if flag not in YES | NO:
            self.problem(sheet, row, "is_labour_force", _("Write 是 or 否."))
        member = self.person(
            sheet,
            row,
            name=values.get("name", ""),
            relation=relation or values.get("relation", ""),
            id_number=values.get("id_number", ""),
            numeric="id_number" in values[NUMERIC],
            sex=values.get("sex", ""),
            birth_date=values.get("birth_date", ""),
            ethnicity=values.get("ethnicity", ""),
            mobile=values.get("mobile", ""),
            is_labour_force=flag in YES,
            columns=MEMBER_FIELD_COLUMN,
        )
        groups = self.named(sheet, row, "special_groups", values.get("special_groups", ""), self.groups)
        if planned is not None and member is not None:
            planned.members.append((row, member, groups))

    def person(self, sheet, row, *, columns, require_id=False, **values) -> Member | None:
        errors_before = len(self.plan.problems)
        columns_by_key = HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS

        def fail(field_name, message):
            self.problem(sheet, row, columns[field_name], message, columns_by_key)

        id_number = "" if values.get("numeric") else normalize_resident_id(values["id_number"])
        sex = self.sexes.get(values["sex"], values["sex"])
        birth_date, ok = _date(values["birth_date"])
        if not ok:
            fail("birth_date", _("Write a date such as 2024-03-15."))
        if values.get("numeric"):
            fail(
                "id_number",
                _(
                    "The ID number is stored as a number, and Excel keeps only 15 digits of one: "
                    "format the column as text and type the numbers again."
                ),
            )
            return None  # nothing else about this person can be told without the number
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
        found = []  # (several fields may name one column: each is listed, as the model says)
        for field_name, messages in errors.items():
            if field_name in skip:
                continue
            column_key = field_columns.get(field_name, field_name)
            columns = columns or (HOUSEHOLD_COLUMNS if sheet == HOUSEHOLD_SHEET else MEMBER_COLUMNS)
            header = columns[column_key].header if column_key in columns else column_key
            if (sheet, row, header) not in self.reported:
                found.append(Problem(sheet, row, header, messages[0]))
        for problem in found:
            self.add(problem)

    def named(self, sheet, row, key, text, known):
        found = []
        for name in filter(None, LIST_SEPARATORS.split(text)):
            if name in known:
                found.append(known[name])
            else:
                self.problem(sheet, row, key, _("Unknown: “%(name)s”.") % {"name": name})
        return found

    # -- across rows and against the database ---------------------------------------

    def check_against_file_and_database(self):
        planned = self.plan.households
        numbers = [p.household.number for p in planned]
        taken_numbers = set(chunked_values(Household.objects, "number", numbers, values=("number",)))
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
        # Numbers are stored encrypted: compare their digests (under every index key).
        number_of = {digest: number for number in seen for digest in id_number_digests(number)}
        elsewhere = {
            number_of[digest]: household_id
            for digest, household_id in chunked_values(
                Member.objects.filter(status=MemberStatus.ACTIVE),
                "id_number_digest",
                list(number_of),
                values=("id_number_digest", "household_id"),
            )
        }
        visible = set(
            Household.objects.filter(pk__in=set(elsewhere.values()))
            .visible_to(self.user)
            .values_list("pk", "number")
        )
        visible_numbers = dict(visible)
        for sheet, row, key, person in people:
            household_id = elsewhere.get(person.id_number)
            if household_id is None:
                continue
            self.problem(sheet, row, key, active_elsewhere_message(visible_numbers.get(household_id)))
        # One head per household, and the head on the 户 sheet: checked by the row rules.


def chunked_values(queryset, field_name, wanted, *, values, size=5000):
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
