"""The report's figures as .xlsx: a sheet of headline figures, then one sheet per table,
in the layout the page and the PDF show (reports.layout)."""

import io

from django.utils.translation import gettext as _

from common.spreadsheets import Sheet, write_workbook
from reports import layout


def render(report) -> bytes:
    figures = report.figures
    sections = layout.sections(figures)
    summary = Sheet(_("Summary"), [_("section"), _("figure"), _("value")])
    summary.append([_("grid unit"), " / ".join(figures["unit"]["lineage"]), ""])
    summary.append([_("month"), layout.month_label(figures["month"]), ""])
    summary.append([_("version"), report.version, ""])
    for section in sections:
        for name, value in section.facts:
            summary.append([section.title, name, value])
    sheets = [summary]
    titles = {summary.title}
    for section in sections:
        for table in section.tables:
            title = _sheet_title(table.title, titles)
            titles.add(title)
            sheet = Sheet(title, table.headers)
            sheet.extend(table.rows)
            sheets.append(sheet)
    buffer = io.BytesIO()
    write_workbook(sheets, buffer)
    return buffer.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    """At most 31 characters, none of []:*?/\\, and unique in the workbook (Excel's rules)."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28].strip() or "sheet"
    candidate, n = clean, 2
    while candidate in taken:
        candidate, n = f"{clean[:26]} {n}", n + 1
    return candidate
