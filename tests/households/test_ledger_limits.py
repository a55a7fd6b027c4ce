"""A ledger costs the worker in proportion to its rows, and a file that is absurd for a
ledger (a zip bomb, a sheet declaring billions of cells) is refused before it is parsed.
The speed itself is a benchmark's (``make bench``: ``ledger_check``); here, the shape."""

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from households import tasks
from households.ledger import read
from households.models import Household, LedgerImport, LedgerImportStatus
from tests.grids.factories import GridUnitFactory, level
from tests.households.ledger_files import ledger_file, sample_ledger

pytestmark = pytest.mark.django_db
CHECK = str(Path(read.__code__.co_filename).resolve())


@pytest.fixture
def buildings(grid):
    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="5栋", code="B5")
    return ["4栋", "5栋"]


def check(client, content) -> LedgerImport:
    """Upload ``content`` as the page does, and run the worker's check on it."""
    content.name = "台账.xlsx"
    response = client.post(reverse("households:ledger_upload"), {"unit": "C1", "file": content})
    assert response.status_code == 302, response.content.decode()[:2000]
    item = LedgerImport.objects.latest("pk")
    tasks.check_ledger(item.pk)
    item.refresh_from_db()
    return item


def rewritten(content, sheet: str, change) -> io.BytesIO:
    """The workbook with one member's XML passed through ``change``."""
    source = zipfile.ZipFile(content)
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info.filename, change(data) if info.filename == sheet else data)
    target.seek(0)
    return target


def with_dimension(ref: str):
    """Declare a range in the sheet, where Excel puts it: after sheetPr, before the views."""
    return lambda xml: xml.replace(b"</sheetPr>", b'</sheetPr><dimension ref="' + ref.encode() + b'"/>', 1)


def lines_run_in_the_check(function) -> int:
    """How many lines of households/ledger/check.py ``function`` runs: the check's work,
    counted the same on any machine, however busy."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename == CHECK else None

    sys.settrace(calls)
    try:
        function()
    finally:
        sys.settrace(None)
    return count


def test_twice_the_bad_rows_cost_twice_the_work_not_four_times(people, buildings, grid):
    def work(count):
        households, members = sample_ledger(buildings, count, members=0, first_number=count * 10)
        for row in households:  # every check digit wrong: one problem a row
            row["身份证号"] = row["身份证号"][:17] + ("0" if row["身份证号"][17] != "0" else "1")
        content = ledger_file(households, members)
        plan = None

        def run():
            nonlocal plan
            plan = read(content, unit=grid.community, user=people.staff)

        lines = lines_run_in_the_check(run)
        assert len(plan.problems) == count
        return lines

    small, large = work(200), work(400)

    # Each problem used to be compared with every problem found before it.
    assert large / small < 2.2, (small, large)


def inflated_bytes(monkeypatch) -> list[int]:
    """Every byte any zip member gives out from now on, counted."""
    counted = [0]
    original = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = original(self, n)
        counted[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return counted


def test_a_zip_bomb_is_refused_before_it_is_unpacked_and_its_file_deleted(
    client, people, buildings, monkeypatch
):
    """A real bomb: a few megabytes that unpack to more than the limit, made of a ledger
    whose first sheet is padded with spaces (still well-formed XML)."""
    limit = settings.LEDGER_MAX_UNPACKED_BYTES
    source = zipfile.ZipFile(ledger_file(*sample_ledger(buildings, 1)))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, data)
                continue
            member = zipfile.ZipInfo(info.filename)
            member.compress_type, member._compresslevel = zipfile.ZIP_DEFLATED, 1
            with out.open(member, "w", force_zip64=True) as xml:
                opening = data.index(b"<sheetData>") + len(b"<sheetData>")
                xml.write(data[:opening])
                spaces = b" " * (1 << 20)
                for _ in range(limit // len(spaces) + 64):
                    xml.write(spaces)
                xml.write(data[opening:])
    bomb.seek(0)
    assert len(bomb.getvalue()) < limit // 100  # small on disk
    assert sum(i.file_size for i in zipfile.ZipFile(bomb).infolist()) > limit  # huge inflated
    bomb.seek(0)
    client.force_login(people.staff)
    counted = inflated_bytes(monkeypatch)

    item = check(client, bomb)

    assert item.status == LedgerImportStatus.INVALID
    message = item.errors[0]["message"]
    assert message.startswith("解压后这个文件将有 ") and f"{limit // 1024 // 1024:,} MB" in message
    assert counted[0] < 1024 * 1024  # the zip's directory was read, not the sheet
    assert not item.file and not Household.objects.filter(number__startswith="L").exists()
    page = client.get(reverse("households:ledger_import", args=[item.pk])).content.decode()
    assert "解压后这个文件将有" in page


def test_a_sheet_declaring_an_absurd_range_is_refused_before_its_rows_are_read(
    client, people, buildings, monkeypatch
):
    # 16,384 columns (XFD, Excel's last) by 1,000 rows: openpyxl would fill each row out.
    content = rewritten(
        ledger_file(*sample_ledger(buildings, 2)), "xl/worksheets/sheet1.xml", with_dimension("A1:XFD1000")
    )
    client.force_login(people.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the uploader's language, whatever the worker's

    item = check(client, content)

    assert item.status == LedgerImportStatus.INVALID
    assert item.language == "en"
    assert item.errors[0]["message"].startswith(
        "Sheet “户” spans 1,000 rows and 16,384 columns, more cells than a ledger may have (10,000,000)."
    )
    assert not item.file


def test_a_sheet_declaring_too_small_a_range_is_read_whole(people, buildings, grid):
    """A range that ends before the last row (an old tool's bug) must not drop rows."""
    content = rewritten(
        ledger_file(*sample_ledger(buildings, 4, members=0)),
        "xl/worksheets/sheet1.xml",
        with_dimension("A1:N2"),
    )

    plan = read(content, unit=grid.community, user=people.staff)

    assert not plan.problems, plan.problems
    assert [p.household.number for p in plan.households] == ["L0000001", "L0000002", "L0000003", "L0000004"]


def test_cells_are_counted_as_they_are_read_whatever_the_sheet_declares(client, people, buildings, settings):
    settings.LEDGER_MAX_CELLS = 14 * 6  # the header and five households; the file has ten
    client.force_login(people.staff)

    item = check(client, ledger_file(*sample_ledger(buildings, 10, members=0)))

    assert item.status == LedgerImportStatus.INVALID
    assert re.match(r"^文件的单元格多于台账允许的数量（84）", item.errors[0]["message"]), item.errors
    assert not item.file
