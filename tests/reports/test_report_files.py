"""The report as staff print and file it: the page with its charts, the PDF (A4, Chinese
embedded, the unit and month on every page, page numbers) and the .xlsx."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.services import generate_report
from tests.grids.factories import community_staff
from tests.reports.factories import OCTOBER, october_settlement

pytestmark = [pytest.mark.django_db, pytest.mark.dates, pytest.mark.usefixtures("late_november")]


@pytest.fixture
def report(grid):
    october_settlement(grid)
    return generate_report(unit=grid.community, month=OCTOBER)


@pytest.fixture
def staff(grid, assign):
    user = community_staff(username="staff", last_name="郑", first_name="瑞")
    assign(user, grid.community, starts_on=datetime.date(2020, 1, 1))
    return user


@pytest.fixture
def client(client):
    # The words in English (their Chinese is added with the catalogue); the data, the
    # names of units, tiers and workers, stay Chinese, and so test the font.
    client.cookies["django_language"] = "en"
    return client


def test_the_page_shows_the_figures_and_charts_drawn_on_the_server(client, staff, report):
    client.force_login(staff)

    response = client.get("/reports/C1/2026-10/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "铜源社区" in page
    assert page.count("<svg") == 3  # tier trend, follow-ups by building, income bands
    assert not re.search(
        r"<script(?![^>]*\b(src=|type=\"application/json\"))", page
    )  # the CSP forbids inline scripts
    assert 'data-table="workers"' in page and "王芳" in page
    assert "13912345678" not in page


def test_the_pdf_is_a4_with_the_unit_month_and_page_numbers_on_every_page(client, staff, report):
    client.force_login(staff)

    response = client.get("/reports/C1/2026-10/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    pages = [p.extract_text() for p in pdf.pages]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "幸福县 / 第一街道 / 铜源社区" in text  # the header
        assert "October 2026" in text
        assert f"Page {number} of {len(pages)}" in text
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    whole = "\n".join(pages)
    assert "王芳" in whole and "东片区 1栋" in whole  # Chinese text is text, not pictures
    assert "13912345678" not in whole


def test_the_pdf_embeds_its_chinese_font(client, staff, report):
    client.force_login(staff)

    pdf = PdfReader(io.BytesIO(client.get("/reports/C1/2026-10/report.pdf").content))

    fonts = pdf.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object().get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                embedded.append(any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
    assert embedded and all(embedded)


def test_the_spreadsheet_holds_the_same_figures(client, staff, report):
    client.force_login(staff)

    response = client.get("/reports/C1/2026-10/report.xlsx")

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert summary[1] == ("grid unit", "幸福县 / 第一街道 / 铜源社区", None)
    values = {row[1]: row[2] for row in summary[1:]}
    assert values["Households at the end of the month"] == 4
    assert values["Employment rate"] == "50.0%"
    assert values["Points earned"] == 13
    tiers = list(
        book[next(n for n in book.sheetnames if n.startswith("Households by tier"))].iter_rows(
            values_only=True
        )
    )
    assert tiers[1:] == [
        ("红", 1, "25.0%", 0, 1, 0, 0),
        ("黄", 1, "25.0%", 0, 0, 1, 1),
        ("绿", 2, "50.0%", 1, 0, 0, 0),
    ]
    workers = {row[0]: row[1:] for row in book["By worker"].iter_rows(values_only=True)}
    assert workers["王芳"] == (3, 2, 1, 0, 2)


def test_an_old_version_stays_readable_after_the_month_is_computed_again(client, staff, report, grid):
    from households.models import Household

    client.force_login(staff)
    Household.objects.filter(pk=Household.objects.get(status="moved_out").pk).update(status="active")

    response = client.post("/reports/C1/2026-10/generate/")

    assert response.status_code == 302
    latest = client.get("/reports/C1/2026-10/")
    assert 'data-version="2"' in latest.content.decode()
    first = client.get("/reports/C1/2026-10/?version=1")
    assert 'data-version="1"' in first.content.decode()
    report.refresh_from_db()
    assert report.figures["tiers"]["households"] == 4  # as it was printed
    assert client.get("/reports/C1/2026-10/report.pdf?version=1").status_code == 200


def test_a_kept_pdf_is_kept_per_language(client, staff, report):
    client.force_login(staff)
    english = client.get("/reports/C1/2026-10/report.pdf").content
    client.cookies["django_language"] = "zh-hans"

    chinese = client.get("/reports/C1/2026-10/report.pdf").content

    assert client.get("/reports/C1/2026-10/report.pdf").content == chinese  # the kept copy
    text = lambda data: "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)  # noqa: E731
    assert "风险等级" in text(chinese) and "风险等级" not in text(english)
