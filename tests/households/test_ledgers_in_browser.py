"""Community staff take a ledger in and out on a phone, in a real browser at 360x740:
the template, a refused file with its problems, the corrected file's preview, the import,
and an export. The worker's tasks run eagerly in the server thread, the way the worker
would run them once the upload is saved. Screenshots go to test-results/ledgers/."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from config.celery import app
from households.models import ExportLog, Household
from tests.browser import PHONE, accessibility_violations, chromium, needs_chromium
from tests.grids.factories import GridUnitFactory, level
from tests.households.ledger_files import ledger_file, sample_ledger

SHOTS = Path("test-results/ledgers")

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    with chromium(monkeypatch) as browser:
        context = browser.new_context(accept_downloads=True, **PHONE)
        yield context.new_page()


def test_a_ledger_refused_then_imported_then_exported(
    live_server, people, grid, phone, tmp_path, monkeypatch
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    people.staff.set_password("hhl-test-2026")
    people.staff.save()
    households, members = sample_ledger(["4栋"], 30, members=2)
    good_id = households[4]["身份证号"]
    households[4]["身份证号"] = good_id[:-1] + ("1" if good_id[-1] != "1" else "2")
    (tmp_path / "台账.xlsx").write_bytes(ledger_file(households, members).getvalue())
    households[4]["身份证号"] = good_id
    (tmp_path / "台账-改正.xlsx").write_bytes(ledger_file(households, members).getvalue())

    phone.goto(live_server.url + reverse("login"))
    phone.fill("#id_username", "staff")
    phone.fill("#id_password", "hhl-test-2026")
    phone.click("button[type=submit]")
    phone.wait_for_url(live_server.url + "/")
    phone.click("text=导入台账")
    phone.screenshot(path=SHOTS / "1-upload.png", full_page=True)
    assert accessibility_violations(phone) == []
    with phone.expect_download() as template:
        phone.click("text=下载模板")
    assert workbook_of(template.value).sheetnames == ["户", "人员", "说明"]

    phone.set_input_files("#id_file", str(tmp_path / "台账.xlsx"))
    phone.click("text=检查文件")
    problems = phone.locator("#problems tbody tr")
    assert problems.count() == 1
    assert problems.first.inner_text().split("\t")[:3] == ["户", "6", "身份证号"]
    assert good_id[:6] not in phone.content()  # not even part of the number
    phone.screenshot(path=SHOTS / "2-refused.png", full_page=True)
    assert accessibility_violations(phone) == []
    assert not Household.objects.filter(number__startswith="L").exists()

    phone.click("text=上传改正后的文件")
    phone.set_input_files("#id_file", str(tmp_path / "台账-改正.xlsx"))
    phone.click("text=检查文件")
    phone.wait_for_selector("text=导入 30 户")
    phone.screenshot(path=SHOTS / "3-preview.png", full_page=True)
    assert accessibility_violations(phone) == []
    phone.click("text=导入 30 户")
    phone.wait_for_selector("text=已导入 30 户、90 人")
    phone.screenshot(path=SHOTS / "4-imported.png", full_page=True)
    assert Household.objects.filter(number__startswith="L").count() == 30
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.click("footer >> text=导出")
    assert accessibility_violations(phone) == []
    phone.select_option("#id_unit", "A1")
    phone.check("input[value=households]")
    with phone.expect_download() as export:
        phone.click("text=下载 .xlsx")
    workbook = workbook_of(export.value)
    rows = list(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 91  # 90 imported people and the worker's household's one member
    assert ExportLog.objects.get().rows >= 91
    phone.screenshot(path=SHOTS / "5-export.png", full_page=True)

    # A unit too large for a request: the worker prepares it (here at once, eagerly).
    monkeypatch.setattr("households.export_forms.MAX_HOUSEHOLDS", 10)
    phone.goto(live_server.url + reverse("households:export"))
    phone.select_option("#id_unit", "A1")
    phone.check("input[value=households]")
    phone.click("text=下载 .xlsx")
    phone.wait_for_selector("text=文件已准备好")
    phone.screenshot(path=SHOTS / "6-prepared.png", full_page=True)
    assert accessibility_violations(phone) == []
    with phone.expect_download() as prepared:
        phone.click("text=下载 .xlsx")
    assert len(list(workbook_of(prepared.value).worksheets[0].iter_rows(min_row=2))) == 91


def workbook_of(download):
    # Saved without its name's extension, which openpyxl goes by: read the bytes.
    return load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
