"""Ledger exports: a unit's households, visits, cases or employment figures for a period,
as .xlsx that a spreadsheet program opens safely, in scope only, and logged."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from employment.models import LabourStatus
from households.exports import XLSX
from households.models import ExportLog, HouseholdStatus, Label, Relation, SpecialGroup, mask_id_number
from monitoring.services import change_tier
from services.cases import change_status, open_case
from services.models import CaseStatus
from tests.employment.factories import LabourRecordFactory
from tests.households.factories import HouseholdFactory, MemberFactory, default_tier
from tests.monitoring.factories import VisitFactory, at

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 3, 20)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def march_the_twentieth():
    with time_machine.travel(at(TODAY, 10), tick=False):
        yield


def export(client, unit, kind="households", **dates):
    return client.post(reverse("households:export"), {"unit": unit, "kind": kind, **(dates or MARCH)})


def workbook(response):
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def table(ws) -> list[dict]:
    """The data rows of a sheet as dicts by header."""
    header, *rows = ws.values
    return [dict(zip(header, row, strict=True)) for row in rows]


def zh(msgid: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid) if context else gettext(msgid)


def test_the_households_sheet_a_row_per_member_frozen_header_widths_chinese_headers(people, grid, client):
    member = MemberFactory(
        household=people.household,
        name="王大红",
        relation=Relation.SPOUSE,
        sex="female",
        is_labour_force=True,
    )
    member.special_groups.add(SpecialGroup.objects.get(code="disability"))
    people.household.labels.add(Label.objects.get(code="elderly-alone"))
    client.force_login(people.staff)

    response = export(client, "C1")

    assert (
        response["Content-Disposition"] == 'attachment; filename="households-C1-2026-03-01-2026-03-31.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    book = workbook(response)
    ws = book.worksheets[0]
    assert ws.freeze_panes == "A2"
    assert all(ws.column_dimensions[letter].width > 4 for letter in "ABCDEFGHIJKLMNOPQRSTUVW")
    header = [cell.value for cell in ws[1]]
    # The request is in Chinese (the default): headers come from the catalogue.
    assert header[0] == zh("household number") != "household number"
    assert zh("resident ID number") in header and zh("name", "person") in header
    rows = table(ws)
    assert [r[zh("household number")] for r in rows] == [people.household.number] * 2 + [
        people.outside.number
    ]
    spouse = next(r for r in rows if r[zh("name", "person")] == "王大红")
    assert spouse[zh("relation to head")] == zh("Spouse")
    assert spouse[zh("special groups")] == "残疾人"
    assert spouse[zh("labels")] == Label.objects.get(code="elderly-alone").name
    assert spouse[zh("in the labour force")] == zh("Yes")
    assert spouse[zh("tier")] == "黄"
    # Community staff may see ID numbers: in full.
    assert spouse[zh("resident ID number")] == member.id_number
    log = ExportLog.objects.get()
    assert (log.kind, log.unit, log.rows, log.full_id_numbers, log.exported_by) == (
        "households",
        grid.community,
        3,
        True,
        people.staff,
    )
    assert (log.period_start, log.period_end) == (D(2026, 3, 1), D(2026, 3, 31))


def test_a_formula_typed_as_a_name_comes_out_as_text(people, client):
    MemberFactory(household=people.household, name='=HYPERLINK("http://x","y")', relation=Relation.CHILD)
    client.force_login(people.worker)

    ws = workbook(export(client, "B1")).worksheets[0]

    name_column = [cell.value for cell in ws[1]].index(zh("name", "person"))
    cells = [row[name_column] for row in ws.iter_rows(min_row=2)]
    formula = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert formula.data_type == "s"
    assert formula.value == '\'=HYPERLINK("http://x","y")'


def test_a_grid_worker_gets_their_households_only_with_masked_id_numbers(people, grid, client):
    theirs = MemberFactory(household=people.household, relation=Relation.CHILD)
    client.force_login(people.worker)

    book = workbook(export(client, "B1"))

    rows = table(book.worksheets[0])
    assert {r[zh("household number")] for r in rows} == {people.household.number}
    assert {r[zh("resident ID number")] for r in rows} == {
        mask_id_number(m.id_number) for m in people.household.members.all()
    }
    assert theirs.id_number not in {r[zh("resident ID number")] for r in rows}
    assert ExportLog.objects.get().full_id_numbers is False


@pytest.mark.parametrize("kind", ["households", "visits", "cases", "employment"])
def test_a_household_outside_the_scope_is_never_in_the_file(people, grid, client, kind):
    """The worker's building holds one household; building 3 is another worker's."""
    VisitFactory(household=people.outside, visited_at=at(D(2026, 3, 10)), notes="隔壁楼")
    VisitFactory(household=people.household, visited_at=at(D(2026, 3, 10)))
    open_case(
        household=people.outside, category="help", description="隔壁楼", urgency="normal", by=people.staff
    )
    LabourRecordFactory(member=people.outside.members.get(), status=LabourStatus.GIG)
    client.force_login(people.worker)

    book = workbook(export(client, "B1", kind))

    text = " ".join(str(v) for ws in book.worksheets for row in ws.values for v in row)
    assert people.outside.number not in text
    assert "张大山" not in text and "隔壁楼" not in text
    if kind == "employment":
        assert table(book.worksheets[0])[-1][zh("labour force")] == 0


def test_households_that_moved_out_before_the_period_are_left_out(people, grid, client):
    HouseholdFactory(
        unit=grid.building_1,
        number="HH-LEFT-FEB",
        status=HouseholdStatus.MOVED_OUT,
        moved_out_on=D(2026, 2, 27),
    )
    HouseholdFactory(
        unit=grid.building_1,
        number="HH-LEFT-MAR",
        status=HouseholdStatus.MOVED_OUT,
        moved_out_on=D(2026, 3, 2),
    )
    client.force_login(people.worker)

    rows = table(workbook(export(client, "B1")).worksheets[0])

    numbers = [r[zh("household number")] for r in rows]
    assert "HH-LEFT-FEB" not in numbers
    # Nobody active in it any more: one row, the member's columns empty.
    assert numbers.count("HH-LEFT-MAR") == 1
    left = next(r for r in rows if r[zh("household number")] == "HH-LEFT-MAR")
    assert left[zh("name", "person")] is None
    assert left[zh("moved out on")] == datetime.datetime(2026, 3, 2)


def test_the_tier_changes_of_the_period_on_a_second_sheet(people, client):
    with time_machine.travel(at(D(2026, 2, 27)), tick=False):
        change_tier(household=people.household, tier=default_tier("red"), reason="二月", by=people.staff)
    with time_machine.travel(at(D(2026, 3, 1), 0), tick=False):  # 00:00 in Shanghai, still Feb in UTC
        change_tier(household=people.household, tier=default_tier("green"), reason="三月初", by=people.staff)
    client.force_login(people.worker)

    book = workbook(export(client, "B1"))

    assert len(book.worksheets) == 2
    changes = book.worksheets[1]
    assert changes.freeze_panes == "A2"
    rows = table(changes)
    assert [
        (
            r[zh("household number")],
            r[zh("from tier")],
            r[zh("to tier")],
            r[zh("reason")],
            r[zh("changed by")],
        )
        for r in rows
    ] == [(people.household.number, "红", "绿", "三月初", "李小明")]
    assert rows[0][zh("changed at")] == datetime.datetime(2026, 3, 1, 0, 0)  # local time
    assert ExportLog.objects.get().rows == 1 + 1  # the member's row and the change


def test_visits_of_the_days_in_shanghai_time(people, client):
    h = people.household
    VisitFactory(household=h, visited_at=at(D(2026, 2, 28), 23), notes="too early")
    VisitFactory(household=h, visited_at=at(D(2026, 3, 1), 0), notes="first", needs=["medical", "schooling"])
    VisitFactory(household=h, visited_at=at(D(2026, 3, 10), 23), notes="last", mode="phone")
    VisitFactory(household=h, visited_at=at(D(2026, 3, 11), 0), notes="too late")
    client.force_login(people.worker)

    rows = table(workbook(export(client, "B1", "visits", start="2026-03-01", end="2026-03-10")).worksheets[0])

    assert [r[zh("what was found")] for r in rows] == ["first", "last"]
    assert rows[0][zh("visited at")] == datetime.datetime(2026, 3, 1, 0, 0)
    assert rows[0][zh("needs")] == f"{zh('Medical care')}、{zh('Schooling')}"
    assert rows[1][zh("mode")] == zh("Phone")
    assert rows[0][zh("address")] == h.address
    assert ExportLog.objects.get().rows == 2


def test_cases_opened_in_the_period_or_still_open(people, grid, client):
    h = people.household
    with time_machine.travel(at(D(2026, 1, 5)), tick=False):
        old_open = open_case(
            household=h, category="dibao", description="一月，仍未办", urgency="normal", by=people.staff
        )
        old_closed = open_case(
            household=h, category="help", description="一月，已关闭", urgency="normal", by=people.staff
        )
        change_status(case=old_closed, status=CaseStatus.RESOLVED, note="办好了", by=people.staff)
        change_status(case=old_closed, status=CaseStatus.CLOSED, note="", by=people.staff)
    with time_machine.travel(at(D(2026, 3, 2)), tick=False):
        new = open_case(
            household=h, category="safety", description="三月", urgency="urgent", by=people.worker
        )
        change_status(case=new, status=CaseStatus.RESOLVED, note="修好了", by=people.worker)
        change_status(case=new, status=CaseStatus.CLOSED, note="", by=people.staff)
    client.force_login(people.staff)

    rows = table(workbook(export(client, "C1", "cases")).worksheets[0])

    assert [r[zh("case")] for r in rows] == [old_open.pk, new.pk]
    assert old_closed.pk not in [r[zh("case")] for r in rows]
    first, second = rows
    assert first[zh("overdue")] == zh("Yes") and first[zh("closed at")] is None
    assert second[zh("overdue")] == zh("No")
    assert second[zh("closed at")] == datetime.datetime(2026, 3, 2, 10, 0)
    assert second[zh("opened by")] == "李小明"
    assert second[zh("status")] == zh("Closed")


def test_employment_figures_for_the_unit_and_each_unit_below(people, grid, client):
    LabourRecordFactory(
        member=MemberFactory(household=people.household, relation=Relation.CHILD, is_labour_force=True),
        status=LabourStatus.MIGRANT,
    )
    MemberFactory(household=people.outside, relation=Relation.CHILD, is_labour_force=True)
    client.force_login(people.staff)

    rows = table(workbook(export(client, "C1", "employment")).worksheets[0])

    assert [(r[zh("code")], r[zh("Households")], r[zh("labour force")], r[zh("employed")]) for r in rows] == [
        ("A1", 1, 1, 1),
        ("A2", 1, 1, 0),
        ("C1", 2, 2, 1),
    ]
    assert rows[-1][zh("grid unit")] == zh("Total")
    assert rows[-1][zh("employment rate (%)")] == 50.0
    with translation.override("zh-hans"):
        assert rows[-1][str(LabourStatus.MIGRANT.label)] == 1


def _settle(grid, staff, n: int, first_room: int):
    """n households, each with three members, labels, special groups, a tier change, a
    visit and a case: whatever a row could fetch one by one."""
    elderly, disability = Label.objects.get(code="elderly-alone"), SpecialGroup.objects.get(code="disability")
    for i in range(n):
        h = HouseholdFactory(unit=grid.floor_1_2, room=f"{first_room + i}", tier=default_tier("yellow"))
        h.labels.add(elderly)
        for relation in (Relation.HEAD, Relation.SPOUSE, Relation.CHILD):
            MemberFactory(household=h, relation=relation).special_groups.add(disability)
        change_tier(household=h, tier=default_tier("red"), reason="测试", by=staff)
        VisitFactory(household=h, visited_at=at(D(2026, 3, 5)))
        open_case(household=h, category="help", description="x", urgency="normal", by=staff)


@pytest.mark.parametrize("kind", ["households", "visits", "cases", "employment"])
def test_queries_do_not_grow_with_the_households(people, grid, client, django_assert_max_num_queries, kind):
    _settle(grid, people.staff, 1, first_room=600)
    client.force_login(people.staff)
    with CaptureQueriesContext(connection) as one:
        workbook(export(client, "C1", kind))
    _settle(grid, people.staff, 12, first_room=700)

    with django_assert_max_num_queries(len(one)):
        response = export(client, "C1", kind)

    workbook(response)
    if kind != "employment":  # a row per unit there
        assert ExportLog.objects.order_by("-pk").first().rows > 12


def test_the_page_offers_the_users_units_with_their_top_unit_first_and_this_month(people, grid, client):
    client.force_login(people.worker)
    export(client, "B1")
    client.force_login(people.staff)
    export(client, "A2", "visits")

    page = client.get(reverse("households:export"))

    form = page.context["form"]
    codes = [code for code, _label in form.fields["unit"].choices]
    assert codes == ["C1", "A1", "B1", "B2", "A2", "B3"]  # down to the buildings, in tree order
    assert form["unit"].value() == "C1"
    assert (form["start"].value(), form["end"].value()) == (D(2026, 3, 1), TODAY)
    assert [(e.kind, e.unit.code) for e in page.context["recent"]] == [("visits", "A2")]  # their own only
    assert 'href="/exports/"' in page.content.decode()


def test_a_floor_is_accepted_though_not_listed(people, grid, client):
    client.force_login(people.worker)

    response = export(client, "B1F1")

    assert {r[zh("household number")] for r in table(workbook(response).worksheets[0])} == {
        people.household.number
    }


def test_in_english_the_headers_are_english(people, client):
    client.force_login(people.worker)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("households:export")})

    ws = workbook(export(client, "B1")).worksheets[0]

    assert (ws.title, ws["A1"].value) == ("households", "household number")
