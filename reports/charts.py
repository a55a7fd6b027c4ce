"""Charts drawn on the server, as a few shapes: the page shows them as inline SVG (no
script, nothing from another host: the CSP allows neither) and the PDF draws the same
shapes with ReportLab, so the printed chart is the one on the screen.

Coordinates are SVG's: points, origin at the top left, y growing downwards.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

DONE = "#2e7d32"
MISSED = "#c62828"
OPEN = "#b0bec5"
BAR = "#3f6fb5"
INK = "#333333"
GRID = "#dddddd"
FONT = 9


@dataclass
class Chart:
    title: str
    width: float
    height: float
    shapes: list[tuple] = field(default_factory=list)

    def rect(self, x, y, w, h, fill, tip=""):
        if w > 0 and h > 0:
            self.shapes.append(("rect", x, y, w, h, fill, tip))

    def text(self, x, y, text, anchor="start", size=FONT, fill=INK):
        self.shapes.append(("text", x, y, str(text), anchor, size, fill))

    def line(self, x1, y1, x2, y2, stroke=GRID):
        self.shapes.append(("line", x1, y1, x2, y2, stroke))

    def svg(self) -> str:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width:g} {self.height:g}" '
            f'width="100%" role="img" aria-label="{escape(self.title)}" class="report-chart">'
            f"<title>{escape(self.title)}</title>"
        ]
        anchors = {"start": "start", "middle": "middle", "end": "end"}
        for shape in self.shapes:
            kind = shape[0]
            if kind == "rect":
                _, x, y, w, h, fill, tip = shape
                tip_el = f"<title>{escape(tip)}</title>" if tip else ""
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">'
                    f"{tip_el}</rect>"
                )
            elif kind == "text":
                _, x, y, text, anchor, size, fill = shape
                parts.append(
                    f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
                    f'text-anchor="{anchors[anchor]}">{escape(text)}</text>'
                )
            else:
                _, x1, y1, x2, y2, stroke = shape
                parts.append(
                    f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                    f'stroke="{stroke}" stroke-width="0.5"/>'
                )
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def _legend(chart: Chart, series, y: float) -> None:
    x = 0.0
    for name, colour, _values in series:
        chart.rect(x, y - 7, 8, 8, colour)
        chart.text(x + 11, y, name)
        x += 16 + 6 * len(str(name)) * (2 if any(ord(ch) > 0x2E80 for ch in str(name)) else 1) / 1.6


def stacked_columns(title: str, labels: list[str], series, width: float = 480, height: float = 200) -> Chart:
    """One column per label, its series stacked to 100 (shares in percent)."""
    chart = Chart(title, width, height)
    left, top, bottom = 28.0, 8.0, 36.0
    plot_h = height - top - bottom
    for pct in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - pct / 100)
        chart.line(left, y, width, y)
        chart.text(left - 3, y + 3, f"{pct}%", anchor="end", size=7)
    n = max(len(labels), 1)
    step = (width - left) / n
    for i, label in enumerate(labels):
        x = left + i * step + step * 0.15
        y = top + plot_h
        for name, colour, values in series:
            value = values[i] or 0
            h = plot_h * value / 100
            y -= h
            chart.rect(x, y, step * 0.7, h, colour, f"{label} {name} {value:.1f}%")
        chart.text(left + i * step + step / 2, top + plot_h + 11, label, anchor="middle", size=7)
    _legend(chart, series, height - 6)
    return chart


def stacked_bars(title: str, labels: list[str], series, width: float = 480, row: float = 14) -> Chart:
    """One horizontal bar per label (a building), its series stacked end to end; the
    bars share one scale, so a long bar is a building with many follow-ups."""
    labels = labels or []
    label_w = 110.0
    height = 8 + row * max(len(labels), 1) + 24
    chart = Chart(title, width, height)
    totals = [sum(values[i] or 0 for _n, _c, values in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_w = width - label_w - 30
    for i, label in enumerate(labels):
        y = 8 + i * row
        chart.text(label_w - 4, y + row * 0.7, _clip(label, 16), anchor="end", size=7)
        x = label_w
        for name, colour, values in series:
            w = plot_w * (values[i] or 0) / top
            chart.rect(x, y + 2, w, row - 4, colour, f"{label} {name} {values[i]}")
            x += w
        chart.text(x + 3, y + row * 0.7, totals[i], size=7)
    _legend(chart, series, height - 6)
    return chart


def bars(title: str, items: list[tuple[str, int]], width: float = 480, row: float = 16) -> Chart:
    label_w = 130.0
    height = 8 + row * max(len(items), 1) + 4
    chart = Chart(title, width, height)
    top = max((n for _l, n in items), default=0) or 1
    plot_w = width - label_w - 40
    for i, (label, n) in enumerate(items):
        y = 8 + i * row
        chart.text(label_w - 4, y + row * 0.65, label, anchor="end", size=8)
        w = plot_w * n / top
        chart.rect(label_w, y + 2, w, row - 4, BAR, f"{label}: {n}")
        chart.text(label_w + w + 3, y + row * 0.65, n, size=8)
    return chart


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
