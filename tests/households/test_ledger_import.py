"""Importing the household ledger from .xlsx: every row checked first, all or nothing.

The worker's two steps (check, import) run here in the test's process, as the worker would
run them after the page has queued them."""

import datetime
import os

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from households import tasks
from households.ledger import imports
from households.models import Household, LedgerImport, LedgerImportStatus, Member
from monitoring.models import FollowUp, TierChange
from tests.audit.commits import queued_tasks
from tests.grids.factories import GridUnitFactory, level
from tests.households.factories import HouseholdFactory, MemberFactory
from tests.households.ledger_files import ledger_file, sample_ledger

pytestmark = pytest.mark.django_db


@pytest.fixture
def buildings(grid):
    """Two empty buildings of 500 homes each in the east area, with floor units in one."""
    four = GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="4栋", code="B4")
    GridUnitFactory(parent=four, level=level("楼层"), name="3层", code="B4F3")
    GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="5栋", code="B5")
    return ["4栋", "5栋"]


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


def upload(client, django_capture_on_commit_callbacks, households, members, unit="C1", **file_options):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("households:ledger_upload"),
            {"unit": unit, "file": ledger_file(households, members, **file_options)},
        )
    assert response.status_code == 302, response.content.decode()
    assert len(queued_tasks(queued)) == 1  # the check goes to the worker once the upload is saved
    item = LedgerImport.objects.latest("pk")
    assert response.url == reverse("households:ledger_import", args=[item.pk])
    tasks.check_ledger(item.pk)
    item.refresh_from_db()
    return item


def confirm(client, django_capture_on_commit_callbacks, item):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("households:ledger_confirm", args=[item.pk]))
    assert response.status_code == 302
    assert len(queued_tasks(queued)) == 1
    tasks.import_ledger(item.pk)
    item.refresh_from_db()
    return item


def test_one_bad_row_in_a_thousand_refuses_the_file_and_the_corrected_file_imports_whole(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1000, members=2)
    good_id = households[499]["身份证号"]
    households[499]["身份证号"] = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    before = (Household.objects.count(), Member.objects.count(), TierChange.objects.count())

    refused = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert refused.status == LedgerImportStatus.INVALID
    assert refused.errors == [
        {"sheet": "户", "row": 501, "column": "身份证号", "message": "身份证号码的校验码不正确，可能输错了。"}
    ]
    assert (Household.objects.count(), Member.objects.count(), TierChange.objects.count()) == before
    assert not refused.file  # the file, with its ID numbers, is gone
    page = staff_client.get(reverse("households:ledger_import", args=[refused.pk])).content.decode()
    assert "501" in page and "校验码" in page and "一行也没有导入：文件有 1 个问题" in page
    assert households[499]["身份证号"] not in page

    households[499]["身份证号"] = good_id
    checked = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert checked.status == LedgerImportStatus.READY
    assert checked.summary["households"] == 1000 and checked.summary["members"] == 3000
    assert Household.objects.count() == before[0]  # a preview writes nothing
    preview = staff_client.get(reverse("households:ledger_import", args=[checked.pk])).content.decode()
    assert "L0000001" in preview and "导入 1000 户" in preview

    done = confirm(staff_client, django_capture_on_commit_callbacks, checked)

    assert done.status == LedgerImportStatus.DONE, done.errors
    imported = Household.objects.filter(number__startswith="L")
    assert imported.count() == 1000
    assert Member.objects.filter(household__in=imported).count() == 3000
    assert TierChange.objects.filter(household__in=imported, from_tier=None).count() == 1000
    assert FollowUp.objects.filter(household__in=imported).count() == 1000
    assert Household.history.filter(number__startswith="L").count() == 1000
    assert not done.file
    first = imported.get(number="L0000001")
    assert (first.building.code, first.entrance, first.floor, first.room) == ("B4", 1, 1, "101")
    assert (first.origin_county, first.origin_township, first.origin_village) == (
        "会泽县",
        "大井镇",
        "中坪村",
    )
    assert first.tier.code == "green" and first.tier_changed_at is not None
    assert first.tier_changes.get().reason == "台账导入"
    head = first.members.get(relation="head")
    assert head.id_number == households[0]["身份证号"] and head.sex == "male"
    assert first.members.get(relation="spouse").is_labour_force
    on_third_floor = imported.get(building__code="B4", entrance=1, floor=3, room="301")
    assert on_third_floor.unit.code == "B4F3"  # the floor unit, where the grid has one


@pytest.mark.parametrize(
    "change, sheet, row, column, message",
    [
        ({"h1": {"楼栋": "9栋"}}, "户", 3, "楼栋", "铜源社区下没有这个名称或编码的楼栋。"),
        (
            {"h1": {"户编号": "L0000001"}, "m1": {"户编号": "L0000001"}},
            "户",
            3,
            "户编号",
            "这个户编号在第 2 行也有。",
        ),
        ({"h1": {"单元": "1", "房号": "101"}}, "户", 3, "房号", "第 2 行的户也住在这个地址。"),
        ({"h0": {"联系电话": "12345"}}, "户", 2, "联系电话", None),
        ({"h0": {"搬迁入住日期": "2024-13-45"}}, "户", 2, "搬迁入住日期", None),
        ({"h0": {"风险等级": "紫"}}, "户", 2, "风险等级", None),
        ({"h0": {"户主姓名": ""}}, "户", 2, "户主姓名", None),
        ({"h0": {"标签": "不存在的标签"}}, "户", 2, "标签", None),
        ({"m0": {"户编号": "NOPE"}}, "人员", 2, "户编号", None),
        ({"m0": {"与户主关系": "户主"}}, "人员", 2, "与户主关系", None),
        (
            {"m0": {"与户主关系": "邻居"}},
            "人员",
            2,
            "与户主关系",
            "不是与户主的关系，请填写：配偶、子女、儿媳或女婿、孙子女、父母、祖父母、兄弟姐妹、其他亲属。",
        ),
        ({"m0": {"劳动力": "也许"}}, "人员", 2, "劳动力", None),
        ({"m0": {"性别": "男"}}, "人员", 2, "性别", "性别与身份证号码不一致。"),
        ({"m1": {"身份证号": "SAME"}}, "人员", 3, "身份证号", "同一身份证号也在“人员”表第 2 行。"),
    ],
)
def test_each_kind_of_problem_is_named_by_sheet_row_and_column(
    staff_client, buildings, django_capture_on_commit_callbacks, change, sheet, row, column, message
):
    households, members = sample_ledger(buildings, 2, members=1)
    for key, values in change.items():
        target = (households if key[0] == "h" else members)[int(key[1])]
        target.update(values)
    if members[1]["身份证号"] == "SAME":
        members[1]["身份证号"] = members[0]["身份证号"]

    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert item.status == LedgerImportStatus.INVALID
    assert [(p["sheet"], p["row"], p["column"]) for p in item.errors] == [(sheet, row, column)], item.errors
    if message:
        assert item.errors[0]["message"] == message
    assert not Household.objects.filter(number__startswith="L").exists()


def test_a_person_without_an_id_number_needs_sex_and_birth_date(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1, members=1)
    members[0].update({"身份证号": "", "与户主关系": "子女"})

    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert [(p["row"], p["column"], p["message"]) for p in item.errors] == [
        (2, "性别", "这个字段是必填项。"),
        (2, "出生日期", "这个字段是必填项。"),
    ]


def test_what_the_database_holds_already_is_refused(
    staff_client, people, buildings, grid, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 4, members=1)
    HouseholdFactory(number=households[0]["户编号"], unit=grid.building_2, room="999")
    occupied = HouseholdFactory(unit=Household.objects.get(pk=people.household.pk).unit)
    households[1].update({"楼栋": "1栋", "单元": occupied.entrance, "房号": occupied.room})
    households[2]["身份证号"] = people.household.members.get().id_number  # in the staff's scope
    members[3]["身份证号"] = people.outside.members.get().id_number  # also theirs: the community

    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert [(p["sheet"], p["row"], p["column"]) for p in item.errors] == [
        ("户", 2, "户编号"),
        ("户", 3, "房号"),
        ("户", 4, "身份证号"),
        ("人员", 5, "身份证号"),
    ]
    assert people.household.number in item.errors[2]["message"]


def test_a_person_living_outside_the_uploaders_grid_is_not_named(
    client, people, grid, assign, django_capture_on_commit_callbacks
):
    from grids.models import Role
    from tests.grids.factories import community_staff

    east = community_staff(username="east")
    assign(east, grid.area_east, role=Role.COMMUNITY_STAFF, starts_on=datetime.date(2020, 1, 1))
    client.force_login(east)
    households, members = sample_ledger(["2栋"], 1, members=0)
    households[0]["身份证号"] = people.outside.members.get().id_number  # lives in the west area

    item = upload(client, django_capture_on_commit_callbacks, households, members, unit="A1")

    assert item.errors[0]["column"] == "身份证号"
    assert people.outside.number not in item.errors[0]["message"]
    assert "不在您负责的网格内" in item.errors[0]["message"]


def test_headers_are_found_by_name_and_an_unknown_or_missing_one_is_refused(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1, members=0)

    item = upload(
        staff_client,
        django_capture_on_commit_callbacks,
        households,
        members,
        extra_headers=["备注"],
        drop=["房号"],
    )

    assert {(p["row"], p["column"], p["message"]) for p in item.errors if p["sheet"] == "户"} == {
        (1, "备注", "不认识的列：其中的内容不会被导入。"),
        (1, "房号", "缺少这一列。"),
    }


def test_a_file_that_is_not_a_workbook_is_refused_plainly(
    staff_client, people, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("台账.xlsx", b"name,id\n", content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=False):
        staff_client.post(reverse("households:ledger_upload"), {"unit": "C1", "file": fake})
    item = LedgerImport.objects.get()
    tasks.check_ledger(item.pk)
    item.refresh_from_db()

    assert item.status == LedgerImportStatus.INVALID
    assert item.errors[0]["message"] == "这不是可以读取的 .xlsx 文件。"


def test_text_neutralised_against_formulas_comes_back_without_its_apostrophe(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1, members=0)
    households[0]["户主姓名"] = "'=张三"

    item = confirm(
        staff_client,
        django_capture_on_commit_callbacks,
        upload(staff_client, django_capture_on_commit_callbacks, households, members),
    )

    assert item.status == LedgerImportStatus.DONE
    assert Member.objects.get(household__number="L0000001").name == "=张三"


def test_a_conflict_saved_between_preview_and_import_stops_it_whole(
    staff_client, buildings, grid, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 3, members=1)
    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)
    assert item.status == LedgerImportStatus.READY
    MemberFactory(
        household=HouseholdFactory(unit=grid.building_2, room="777"), id_number=members[2]["身份证号"]
    )

    item = confirm(staff_client, django_capture_on_commit_callbacks, item)

    assert item.status == LedgerImportStatus.INVALID
    assert [(p["sheet"], p["row"]) for p in item.errors] == [("人员", 4)]
    assert not Household.objects.filter(number__startswith="L").exists()


def test_confirming_twice_imports_once(staff_client, buildings, django_capture_on_commit_callbacks):
    households, members = sample_ledger(buildings, 2, members=1)
    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)
    confirm(staff_client, django_capture_on_commit_callbacks, item)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        staff_client.post(reverse("households:ledger_confirm", args=[item.pk]))

    assert queued_tasks(queued) == []
    assert Household.objects.filter(number__startswith="L").count() == 2


def test_the_template_lists_the_units_buildings(staff_client, buildings):
    response = staff_client.get(reverse("households:ledger_template"), {"unit": "A1"})

    assert response.status_code == 200
    workbook = load_workbook(filename=_bytes(response))
    assert workbook.sheetnames == ["户", "人员", "说明"]
    headers = [c.value for c in workbook["户"][1]]
    assert headers[:3] == ["户编号*", "户主姓名*", "身份证号*"]
    assert workbook["户"].freeze_panes == "A2"
    guide = {row[0]: row[1] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)}
    assert "4栋（B4）" in guide["楼栋"] and "3栋" not in guide["楼栋"]  # 3栋 is in the west area


def test_who_may_import_and_what(client, people, grid, django_capture_on_commit_callbacks):
    client.force_login(people.worker)  # a grid worker reads households, does not add them
    assert client.get(reverse("households:ledger_upload")).status_code == 403
    assert client.get(reverse("households:ledger_template"), {"unit": "C1"}).status_code == 403

    client.force_login(people.staff)
    assert client.get(reverse("households:ledger_template"), {"unit": "XF"}).status_code == 404  # the county
    response = client.post(
        reverse("households:ledger_upload"), {"unit": "XF", "file": ledger_file(*sample_ledger(["1栋"], 1))}
    )
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not LedgerImport.objects.exists()


def test_an_import_is_its_uploaders(client, people, buildings, django_capture_on_commit_callbacks):
    from tests.grids.factories import community_staff

    client.force_login(people.staff)
    item = upload(client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 1))
    client.force_login(community_staff(username="colleague"))

    assert client.get(reverse("households:ledger_import", args=[item.pk])).status_code == 404
    assert client.post(reverse("households:ledger_confirm", args=[item.pk])).status_code == 404


def test_the_page_refreshes_itself_while_the_worker_checks(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        staff_client.post(
            reverse("households:ledger_upload"),
            {"unit": "C1", "file": ledger_file(*sample_ledger(buildings, 1))},
        )
    item = LedgerImport.objects.get()

    page = staff_client.get(reverse("households:ledger_import", args=[item.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'role="progressbar"' in page


def _bytes(response):
    import io

    return io.BytesIO(b"".join(response.streaming_content))


def test_administrators_read_every_import_in_the_admin_and_staff_their_own(
    client, people, buildings, django_capture_on_commit_callbacks
):
    from tests.grids.factories import administrator

    client.force_login(people.staff)
    households, members = sample_ledger(buildings, 1, members=0)
    households[0]["楼栋"] = "9栋"
    upload(client, django_capture_on_commit_callbacks, households, members)
    url = reverse("admin:households_ledgerimport_changelist")

    own = client.get(url)
    client.force_login(administrator(username="chief"))
    everyone = client.get(url)
    client.force_login(community_staff_elsewhere())
    other = client.get(url)

    assert own.status_code == everyone.status_code == other.status_code == 200
    assert "1 个问题" in own.content.decode() and "1 个问题" in everyone.content.decode()
    assert "台账.xlsx" not in other.content.decode()
    assert "add/" not in everyone.content.decode().split("changelist")[0]


def community_staff_elsewhere():
    from tests.grids.factories import community_staff

    return community_staff(username="elsewhere")


def test_the_page_follows_the_import_through_its_stages(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    from households.ledger.imports import Progress

    item = upload(staff_client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 3))
    LedgerImport.objects.filter(pk=item.pk).update(status=LedgerImportStatus.IMPORTING)
    page = reverse("households:ledger_import", args=[item.pk])

    Progress(item.pk)("rechecking", 3, 12)
    rechecking = staff_client.get(page).content.decode()
    Progress(item.pk)("writing", 2, 4)
    writing = staff_client.get(page).content.decode()

    assert "再检查一遍：第 3 行，共 12 行" in rechecking and 'aria-valuenow="12"' in rechecking
    assert "第 2 步，共 4 步" in writing and 'aria-valuenow="75"' in writing
    assert '<meta http-equiv="refresh" content="2">' in writing


def test_the_import_reports_each_step_it_has_written(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    from households.ledger.imports import Progress

    item = upload(staff_client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 3))

    confirm(staff_client, django_capture_on_commit_callbacks, item)

    assert Progress(item.pk).get() == ("writing", 4, 4)


def test_an_unforeseen_failure_ends_the_import_plainly_and_logs_no_personal_data(
    staff_client, buildings, django_capture_on_commit_callbacks, monkeypatch, caplog
):

    households, members = sample_ledger(buildings, 3)
    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    def broken(plan, **kwargs):
        first = plan.households[0].household
        first.unit = first.building
        first.save()  # half-way through, as far as the database is concerned
        raise RuntimeError(f"value too long: {households[0]['身份证号']}")

    monkeypatch.setattr(imports, "write", broken)
    item = confirm(staff_client, django_capture_on_commit_callbacks, item)

    assert item.status == LedgerImportStatus.FAILED and not item.file
    assert item.errors[0]["message"] == "导入失败，没有保存任何数据。请重新上传文件。"
    assert not Household.objects.filter(number=households[0]["户编号"]).exists()
    assert "RuntimeError" in caplog.text and households[0]["身份证号"] not in caplog.text


def test_cells_are_read_as_their_column_wants_whatever_their_type(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1, members=0)
    households[0].update(
        {
            "迁出地": datetime.datetime(2024, 3, 15),  # a date where text belongs: kept as text
            "搬迁入住日期": datetime.datetime(2019, 6, 1),
            "单元": 2.0,
            "房号": 501,
            "户主劳动力": "是",
        }
    )

    item = confirm(
        staff_client,
        django_capture_on_commit_callbacks,
        upload(staff_client, django_capture_on_commit_callbacks, households, members),
    )

    assert item.status == LedgerImportStatus.DONE, item.errors
    household = Household.objects.get(number="L0000001")
    assert (household.entrance, household.room, household.relocated_on) == (
        2,
        "501",
        datetime.date(2019, 6, 1),
    )
    assert household.origin_village == "2024-03-15"
    assert household.members.get().is_labour_force


def test_an_id_number_held_as_a_number_is_told_so(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 1, members=1)
    members[0]["身份证号"] = int(members[0]["身份证号"][:15])  # what Excel keeps of it

    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert [(p["sheet"], p["row"], p["column"]) for p in item.errors] == [("人员", 2, "身份证号")]
    assert "15" in item.errors[0]["message"] and "文本" in item.errors[0]["message"]


def test_a_number_repeated_after_a_refused_row_is_reported_at_once(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    households, members = sample_ledger(buildings, 2, members=0)
    households[0]["楼栋"] = "9栋"
    households[1]["户编号"] = households[0]["户编号"]

    item = upload(staff_client, django_capture_on_commit_callbacks, households, members)

    assert [(p["row"], p["column"]) for p in item.errors] == [(2, "楼栋"), (3, "户编号")]


def test_a_task_delivered_again_after_the_import_writes_nothing_again(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    item = upload(staff_client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 3, members=1))
    confirm(staff_client, django_capture_on_commit_callbacks, item)

    tasks.import_ledger(item.pk)  # a worker lost after the commit: the task comes again
    with transaction.atomic():
        imports.import_upload(LedgerImport.objects.get(pk=item.pk))  # even past the task's own test

    item.refresh_from_db()
    assert item.status == LedgerImportStatus.DONE and item.errors == []
    assert Household.objects.filter(number__startswith="L").count() == 3


def test_a_preview_nobody_confirms_expires_after_a_day_with_its_file(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    from django_celery_beat.models import PeriodicTask

    fresh = upload(staff_client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 1))
    stale = upload(
        staff_client, django_capture_on_commit_callbacks, *sample_ledger(buildings, 1, first_number=50)
    )
    LedgerImport.objects.filter(pk=stale.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    path = stale.file.path

    with django_capture_on_commit_callbacks(execute=True):
        expired = tasks.expire_files()

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert expired == 1
    assert stale.status == LedgerImportStatus.EXPIRED and not stale.file
    assert not os.path.exists(path)
    assert fresh.status == LedgerImportStatus.READY and fresh.file
    assert staff_client.post(reverse("households:ledger_confirm", args=[stale.pk])).status_code == 302
    stale.refresh_from_db()
    assert stale.status == LedgerImportStatus.EXPIRED  # too late to confirm
    assert PeriodicTask.objects.filter(task="households.expire_files", enabled=True).exists()


def test_labels_and_special_groups_are_in_each_imports_first_history_record(
    staff_client, buildings, django_capture_on_commit_callbacks
):
    from django.apps import apps

    from households.models import Label, SpecialGroup

    label, group = Label.objects.order_by("pk").first(), SpecialGroup.objects.order_by("pk").first()
    households, members = sample_ledger(buildings, 2, members=1)
    households[0]["标签"] = label.name
    members[0]["特殊人群"] = group.name

    confirm(
        staff_client,
        django_capture_on_commit_callbacks,
        upload(staff_client, django_capture_on_commit_callbacks, households, members),
    )

    household = Household.objects.get(number="L0000001")
    member = household.members.exclude(relation="head").get()
    first_record = household.history.get(history_type="+")
    labels_then = apps.get_model("households", "HistoricalHousehold_labels").objects.filter(
        history=first_record
    )
    groups_then = apps.get_model("households", "HistoricalMember_special_groups").objects.filter(
        history=member.history.get(history_type="+")
    )
    assert (
        [c.label_id for c in labels_then] == [label.pk] == list(household.labels.values_list("pk", flat=True))
    )
    assert [c.specialgroup_id for c in groups_then] == [group.pk]


def test_the_check_costs_the_same_queries_for_one_floor_or_twenty_five(people, grid):
    """The tier scheme of every floor is found among the schemes loaded once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from households.ledger import read

    five = GridUnitFactory(parent=grid.area_east, level=level("楼栋"), name="6栋", code="B6")
    for floor in range(1, 26):
        GridUnitFactory(
            parent=GridUnitFactory._meta.model.objects.get(pk=five.pk),
            level=level("楼层"),
            name=f"{floor}层",
            code=f"B6F{floor}",
        )

    def queries(count):
        households, members = sample_ledger(["6栋"], count, members=1, first_number=count * 1000)
        with CaptureQueriesContext(connection) as captured:
            plan = read(ledger_file(households, members), unit=grid.community, user=people.staff)
        assert not plan.problems, plan.problems[:3]
        assert len({p.household.unit_id for p in plan.households}) == min(count, 25)
        return len(captured)

    queries(1)  # the uploader's permissions, read once and then remembered
    assert queries(100) == queries(1)
