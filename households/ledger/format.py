"""The ledger's sheets and columns, and the empty template that lists a unit's buildings."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from common.spreadsheets import Sheet, write_workbook
from grids.models import GridUnit
from households.models import (
    Label,
    Relation,
    SpecialGroup,
)
from monitoring.models.tiers import Tier, TierScheme

HOUSEHOLD_SHEET = "户"
MEMBER_SHEET = "人员"
GUIDE_SHEET = "说明"
MAX_ROWS = 100_000
# The first tier change's reason, in the uploader's language (台账导入).
REASON = gettext_noop("Ledger import")


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
HOUSEHOLD_FIELD_COLUMN = {
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
MEMBER_FIELD_COLUMN = {
    "name": "name",
    "relation": "relation",
    "sex": "sex",
    "ethnicity": "ethnicity",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "mobile": "mobile",
}
HEAD_FIELD_COLUMN = {
    "name": "head_name",
    "id_number": "head_id_number",
    "ethnicity": "head_ethnicity",
    "birth_date": "head_id_number",
    "sex": "head_id_number",
}

LIST_SEPARATORS = re.compile(r"[、,，;；/\s]+")
# 迁出地 as offices write it: "会泽县 大井镇 中坪村", or run together "会泽县大井镇中坪村".
ORIGIN = re.compile(r"^(?P<county>.*?(?:县|区|市))?(?P<township>.*?(?:镇|乡|街道))?(?P<village>.*)$")
# Read as dates where the file has a date cell; every other cell is read as text.
DATE_COLUMNS = {"relocated_on", "birth_date"}
ID_COLUMNS = {"head_id_number", "id_number"}
NUMERIC = "numeric"  # the key under which a row lists its ID cells held as numbers

YES = {"是", "有", "√", "y", "yes", "true", "1"}
NO = {"否", "无", "", "n", "no", "false", "0"}


def template(unit: GridUnit, target) -> None:
    """The empty ledger, with a guide sheet listing this unit's buildings, tiers and choices."""
    households = Sheet(HOUSEHOLD_SHEET, [_header(c) for c in HOUSEHOLD_COLUMNS.values()])
    members = Sheet(MEMBER_SHEET, [_header(c) for c in MEMBER_COLUMNS.values()])
    guide = Sheet(GUIDE_SHEET, [_("Column"), _("How to fill it in")])
    tiers = Tier.objects.filter(scheme=TierScheme.objects.in_force_for(unit))
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
