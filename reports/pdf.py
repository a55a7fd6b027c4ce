"""The report as a PDF to print and file: A4, the unit and month in every page's header,
"page n of m" in the footer, Chinese set in the font every PDF of ours embeds
(common/pdf.py: ReportLab rather than WeasyPrint, and why)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from common.pdf import FONT, register_font
from reports import layout
from reports.charts import Chart

MARGIN = 18 * mm


STYLES = {
    "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=4),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=9, leading=13, textColor=colors.grey),
    "h2": ParagraphStyle(
        "h2", fontName=FONT, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4, keepWithNext=True
    ),
    "h3": ParagraphStyle("h3", fontName=FONT, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=11),
    "number": ParagraphStyle("number", fontName=FONT, fontSize=8.5, leading=11, alignment=2),
}


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _drawing(chart: Chart, width: float) -> Drawing:
    """The chart's shapes, scaled to ``width`` and flipped to PDF's upward y."""
    scale = width / chart.width
    d = Drawing(width, chart.height * scale)
    height = chart.height
    for shape in chart.shapes:
        if shape[0] == "rect":
            _, x, y, w, h, fill, _tip = shape
            d.add(
                Rect(
                    x * scale,
                    (height - y - h) * scale,
                    w * scale,
                    h * scale,
                    fillColor=colors.HexColor(fill),
                    strokeColor=None,
                )
            )
        elif shape[0] == "text":
            _, x, y, text, anchor, size, fill = shape
            d.add(
                String(
                    x * scale,
                    (height - y) * scale,
                    text,
                    fontName=FONT,
                    fontSize=size * scale,
                    fillColor=colors.HexColor(fill),
                    textAnchor=anchor,
                )
            )
        else:
            _, x1, y1, x2, y2, stroke = shape
            d.add(
                Line(
                    x1 * scale,
                    (height - y1) * scale,
                    x2 * scale,
                    (height - y2) * scale,
                    strokeColor=colors.HexColor(stroke),
                    strokeWidth=0.5,
                )
            )
    return d


def _table(table: layout.Table, width: float) -> Table:
    cell = STYLES["cell"]
    number = STYLES["number"]
    data = [
        [Paragraph(_esc(h), cell if i < table.numeric_from else number) for i, h in enumerate(table.headers)]
    ]
    data += [
        [Paragraph(_esc(v), cell) if i < table.numeric_from else str(v) for i, v in enumerate(row)]
        for row in table.rows
    ]
    n = len(table.headers)
    first = width * (0.34 if n > 2 else 0.6)
    widths = [first] + [(width - first) / (n - 1)] * (n - 1) if n > 1 else [width]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde4ee")),
                ("ALIGN", (table.numeric_from, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


def _facts(facts, width: float) -> Table:
    """A section's headline figures, two to a row."""
    cell = STYLES["cell"]
    cells = [[Paragraph(_esc(k), cell), str(v)] for k, v in facts]
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""])
        rows.append(pair)
    quarter = width / 4
    t = Table(rows, colWidths=[quarter * 1.45, quarter * 0.55, quarter * 1.45, quarter * 0.55])
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#eeeeee")),
            ]
        )
    )
    return t


def _numbered_canvas(header: str, generated: str):
    """A canvas that holds its pages until the end, to write "page n of m" on each."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 — ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.setFont(FONT, 8.5)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawString(MARGIN, height - 12 * mm, header)
            self.drawRightString(width - MARGIN, height - 12 * mm, generated)
            self.setStrokeColor(colors.HexColor("#999999"))
            self.setLineWidth(0.4)
            self.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
            page = _("Page %(page)s of %(pages)s") % {"page": self._pageNumber, "pages": total}
            self.drawCentredString(width / 2, 10 * mm, page)

    return NumberedCanvas


def render(report) -> bytes:
    """The PDF of a stored report (one version), in the active language."""
    register_font()
    figures = report.figures
    unit = figures["unit"]
    header = " · ".join([" / ".join(unit["lineage"]), layout.month_label(figures["month"])])
    generated = _("Version %(version)s, computed %(at)s") % {
        "version": report.version,
        "at": timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M"),
    }
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=layout.title(figures),
        author=unit["name"],
        subject=layout.title(figures),
    )
    width = A4[0] - 2 * MARGIN - 12  # the frame's own padding, 6 points a side
    story = [
        Paragraph(_esc(layout.title(figures)), STYLES["title"]),
        Paragraph(_esc(" / ".join(unit["lineage"])) + " · " + _esc(generated), STYLES["subtitle"]),
    ]
    for section in layout.sections(figures):
        story.append(Paragraph(_esc(section.title), STYLES["h2"]))
        if section.facts:
            story.append(_facts(section.facts, width))
            story.append(Spacer(1, 4))
        for chart in section.charts:
            story.append(
                KeepTogether(
                    [
                        Paragraph(_esc(chart.title), STYLES["h3"]),
                        _drawing(chart, min(width, chart.width * 1.1)),
                    ]
                )
            )
        for table in section.tables:
            if not table.rows:
                continue
            # A long table runs on over pages (its header repeated); a heading is never
            # left alone at the foot of a page: room for it and a few rows, or a new page.
            story.append(CondPageBreak(30 * mm))
            story.append(Paragraph(_esc(table.title), STYLES["h3"]))
            story.append(_table(table, width))
    doc.build(story, canvasmaker=_numbered_canvas(header, generated))
    return buffer.getvalue()
