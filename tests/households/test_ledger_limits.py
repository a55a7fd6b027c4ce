"""A ledger costs the worker in proportion to its rows. The speed itself is a
benchmark's (``make bench``: ``ledger_check``); here, the shape."""

import io
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from households import tasks
from households.ledger import read
from households.models import LedgerImport
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
    response = client.post(reverse("ledger_upload"), {"unit": "C1", "file": content})
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
