"""Spreadsheets as community offices use them: .xlsx with a frozen header row, columns
wide enough to read, and nothing that a spreadsheet program would run.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel and WPS (CSV/formula injection): a resident's name typed as
``=HYPERLINK(...)`` would become a link in the hands of whoever opens the export. Such
text is written as text with an apostrophe in front, which is what Excel itself shows
for text typed that way, and :func:`cell_text` takes the apostrophe off again on import.
"""

import datetime
import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 48
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_WRAP = Alignment(wrap_text=True, vertical="top")


def neutralised(value):
    """``value`` as it may go into a cell: text that would start a formula, as text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def cell_text(value) -> str:
    """A cell read back as text: stripped, the neutralising apostrophe taken off."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a room or ID typed as a number: 501.0 is "501"
    text = str(value).strip()
    # A carriage return comes back from the file's XML as a line feed.
    if text.startswith("'") and text[1:2] in (*FORMULA_TRIGGERS, "\n"):
        return text[1:].strip()
    return text


def display_width(value) -> int:
    """Columns a value needs: Chinese characters take two."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


WIDTH_SAMPLE = 1000  # rows read ahead to size the columns


class Sheet:
    """One worksheet: its headers and its rows, appended or given as an iterable that is
    read while the workbook is written (a county's ledger need never be in memory whole).
    The columns are sized from the first thousand rows."""

    def __init__(self, title: str, headers: Sequence[str], rows: Iterable[Sequence] = ()):
        self.title = title
        self.headers = list(headers)
        self._buffered: list[Sequence] = []
        self._source = rows
        self.written = 0  # data rows, once written

    def append(self, row: Sequence) -> None:
        self._buffered.append(row)

    def extend(self, rows: Iterable[Sequence]) -> None:
        self._buffered.extend(rows)

    def read_from(self, rows: Iterable[Sequence]) -> None:
        """Rows to be read while the workbook is written, after any appended."""
        self._source = rows

    def _rows(self) -> Iterator[Sequence]:
        for row in itertools.chain(self._buffered, self._source):
            if len(row) != len(self.headers):
                raise ValueError(f"{self.title}: a row of {len(row)} cells under {len(self.headers)} headers")
            yield row

    def _widths(self, rows: Sequence[Sequence]) -> list[int]:
        widths = [display_width(h) + 2 for h in self.headers]
        for row in rows:
            for i, value in enumerate(row):
                widths[i] = max(widths[i], display_width(value) + 2)
        return [min(w, MAX_WIDTH) for w in widths]


def write_workbook(sheets: Sequence[Sheet], target) -> None:
    """Write the sheets to ``target`` (a path or a binary file) in openpyxl's streaming mode."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        ws.freeze_panes = "A2"
        rows = sheet._rows()
        ahead = list(itertools.islice(rows, WIDTH_SAMPLE))
        for index, width in enumerate(sheet._widths(ahead), start=1):
            ws.column_dimensions[_column_letter(index)].width = width
        header = []
        for title in sheet.headers:
            cell = WriteOnlyCell(ws, value=neutralised(title))  # an income line's name, say
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(vertical="center")
            header.append(cell)
        ws.append(header)
        for row in itertools.chain(ahead, rows):
            ws.append([_cell(ws, value) for value in row])
            sheet.written += 1
    workbook.save(target)


def _cell(ws, value):
    if isinstance(value, Decimal):
        value = float(value) if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the wall-clock time in Asia/Shanghai, as people read it.
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    # Neutralised, no text starts with "=", which is all that makes openpyxl write a
    # formula: plain values are written as text (and faster than a cell object each).
    value = neutralised(value)
    if isinstance(value, str) and len(value) > MAX_WIDTH // 2 and display_width(value) > MAX_WIDTH:
        cell = WriteOnlyCell(ws, value=value)
        cell.alignment = _WRAP  # wider than its column: on several lines, not cut off
        return cell
    return value


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
