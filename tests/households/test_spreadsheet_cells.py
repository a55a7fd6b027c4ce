"""What the .xlsx writer puts in a cell: text that a spreadsheet would run as a formula is
written as text, headers included; numbers and dates stay what they are."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common.spreadsheets import FORMULA_TRIGGERS, Sheet, cell_text, write_workbook


def written(headers, rows):
    sheet = Sheet("表", headers)
    sheet.extend(rows)
    target = io.BytesIO()
    write_workbook([sheet], target)
    target.seek(0)
    return load_workbook(target)["表"]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_that_would_start_a_formula_is_written_as_text(trigger):
    text = f'{trigger}HYPERLINK("http://x","y")'

    sheet = written([f"{trigger}SUM(1)", "备注"], [[text, "正常"]])

    header, cell = sheet["A1"], sheet["A2"]
    read_back = text.replace("\r", "\n")  # XML reads a carriage return as a line feed
    assert header.data_type == cell.data_type == "s"
    assert header.value.startswith("'") and cell.value == f"'{read_back}"
    assert cell_text(cell.value) == read_back.strip()  # what the import reads back


def test_numbers_dates_and_plain_text_are_left_as_they_are():
    day = datetime.date(2026, 11, 25)

    sheet = written(["数", "金额", "日期", "文字"], [[-5, Decimal("1234.50"), day, "张三"]])

    number, money, date, text = (c.value for c in sheet[2])
    assert number == -5 and money == 1234.5 and date.date() == day and text == "张三"


def test_text_wider_than_its_column_wraps_instead_of_being_cut():
    long = "独居老人、" * 20

    sheet = written(["标签"], [[long]])

    assert sheet["A2"].alignment.wrap_text
    assert sheet.column_dimensions["A"].width <= 48
