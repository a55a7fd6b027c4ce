"""Ledger workbooks for the import's tests and benchmark, written as an office would."""

import datetime
import io
import itertools

from openpyxl import Workbook

from households.demo import make_resident_id
from households.ledger import HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, MEMBER_COLUMNS, MEMBER_SHEET

_people = itertools.count(1)
_SURNAMES = "张王李赵刘陈杨黄周吴"
_GIVEN = "明华丽强芳军敏静勇艳"


# 威宁 (Guizhou): a county the demo settlement's families do not come from, so that a
# ledger's people never collide with the demo's.
REGION = "520526"


def person_id(male: bool) -> str:
    seq = next(_people)
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=seq // 400)
    return make_resident_id(REGION, born, male, seq)


def sample_ledger(buildings: list[str], count: int, *, first_number: int = 1, members: int = 2):
    """``count`` households spread over ``buildings`` (5 entrances x 25 floors x 4 rooms
    each), every head with ``members`` more people: (household rows, member rows)."""
    households, people = [], []
    per_building = 5 * 25 * 4
    for i in range(count):
        building = buildings[i // per_building]
        slot = i % per_building
        entrance, floor, room = slot // 100 + 1, (slot % 100) // 4 + 1, slot % 4 + 1
        number = f"L{first_number + i:07d}"
        name = _SURNAMES[i % 10] + _GIVEN[(i // 10) % 10] + _GIVEN[(i // 100) % 10]
        households.append(
            {
                "户编号": number,
                "户主姓名": name,
                "身份证号": person_id(male=True),
                "楼栋": building,
                "单元": entrance,
                "楼层": floor,
                "房号": f"{floor}{room:02d}",
                "迁出地": "会泽县 大井镇 中坪村",
                "联系电话": f"139{i:08d}",
            }
        )
        for k in range(members):
            people.append(
                {
                    "户编号": number,
                    "姓名": _SURNAMES[i % 10] + _GIVEN[k % 10],
                    "与户主关系": "配偶" if k == 0 else "子女",
                    "身份证号": person_id(male=k != 0),
                    "劳动力": "是" if k == 0 else "否",
                }
            )
    return households, people


def ledger_file(households: list[dict], members: list[dict], *, extra_headers=(), drop=()) -> io.BytesIO:
    """A workbook with the ledger's headers and these rows (dicts keyed by header)."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in [
        (HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, households),
        (MEMBER_SHEET, MEMBER_COLUMNS, members),
    ]:
        sheet = workbook.create_sheet(title)
        headers = [c.header for c in columns.values() if c.header not in drop] + list(extra_headers)
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h, "") for h in headers])
    content = io.BytesIO()
    workbook.save(content)
    content.seek(0)
    content.name = "台账.xlsx"
    return content
