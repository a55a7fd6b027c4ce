"""Opening an uploaded ledger without trusting it.

An .xlsx is a zip of XML files. A few megabytes of zip can unpack to gigabytes (a zip
bomb), and a sheet can declare a range of seventeen billion cells, which openpyxl's
read-only mode would fill in row by row. So what the workbook declares is read first,
without inflating it: every member's unpacked size from the zip's directory, and every
sheet's ``<dimension>`` from the first kilobytes of its XML. A workbook past the limits
(``LEDGER_MAX_UNPACKED_BYTES``, ``LEDGER_MAX_CELLS``) is refused before it is parsed.

Declarations can lie, so they are not trusted for the reading either: the rows are read
as they are in the file, not padded to the declared range, and their cells are counted
against the same limit as they come. (Python's zipfile never inflates a member past its
declared size, so the sizes bound what is parsed.)
"""

import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

# Excel's last row: a row numbered beyond it was not written by a spreadsheet program.
EXCEL_MAX_ROWS = 1_048_576
# A sheet's <dimension> comes before its rows (the schema's order), in its first bytes.
HEAD_BYTES = 64 * 1024
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")
MB = 1024 * 1024


class LedgerError(Exception):
    """The file cannot be read as a ledger at all (not .xlsx, a sheet missing, too large)."""


def open_workbook(source):
    """The workbook, in openpyxl's read-only mode, once its declared size is within the limits."""
    try:
        # Opening reads the zip's directory and nothing else.
        reader = ExcelReader(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise LedgerError(_("This is not an .xlsx file that can be read.")) from error
    try:
        _refuse_large_members(reader.archive)
        # The package's manifest and the workbook's list of sheets: a few kilobytes.
        reader.read_manifest()
        reader.read_workbook()
        _refuse_large_sheets(reader)
        reader.read()
    except LedgerError:
        reader.archive.close()
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        reader.archive.close()
        raise LedgerError(_("This is not an .xlsx file that can be read.")) from error
    return reader.wb


class CellBudget:
    """The cells read so far, across the sheets, against ``LEDGER_MAX_CELLS``."""

    def __init__(self):
        self.limit = settings.LEDGER_MAX_CELLS
        self.spent = 0

    def rows(self, worksheet):
        """(row number, [value]) for every row of the sheet as the file has it: not padded
        to the range the sheet declares, which may be absurd, nor cut off at it, which may
        be too small."""
        worksheet.reset_dimensions()
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if number > EXCEL_MAX_ROWS:
                raise LedgerError(
                    _("Sheet “%(sheet)s” goes on past row %(rows)s, which no spreadsheet program writes.")
                    % {"sheet": worksheet.title, "rows": f"{EXCEL_MAX_ROWS:,}"}
                )
            self.spent += len(values)
            if self.spent > self.limit:
                raise LedgerError(_too_many_cells(worksheet.title, self.limit))
            yield number, values


def _refuse_large_members(archive: zipfile.ZipFile) -> None:
    unpacked = sum(member.file_size for member in archive.infolist())
    limit = settings.LEDGER_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise LedgerError(
            _(
                "Unpacked, this file would take %(size)s MB, more than a ledger may (%(limit)s MB). "
                "Upload the ledger's own sheets only, or split it into several files."
            )
            % {"size": f"{unpacked // MB:,}", "limit": f"{limit // MB:,}"}
        )


def _refuse_large_sheets(reader: ExcelReader) -> None:
    limit = settings.LEDGER_MAX_CELLS
    total = 0
    for sheet, relation in reader.parser.find_sheets():
        if relation.target not in reader.valid_files:
            continue
        rows, columns = _declared_size(reader.archive, relation.target)
        if rows * columns > limit:
            raise LedgerError(
                _(
                    "Sheet “%(sheet)s” spans %(rows)s rows and %(columns)s columns, more cells than "
                    "a ledger may have (%(limit)s). Delete the empty rows and columns after the "
                    "ledger's last ones, save the file and upload it again."
                )
                % {
                    "sheet": sheet.name,
                    "rows": f"{rows:,}",
                    "columns": f"{columns:,}",
                    "limit": f"{limit:,}",
                }
            )
        total += rows * columns
        if total > limit:
            raise LedgerError(_too_many_cells(sheet.name, limit))


def _declared_size(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(rows, columns) of the range a sheet declares, (0, 0) where it declares none."""
    with archive.open(part) as xml:
        head = xml.read(HEAD_BYTES)  # inflates this much, however large the sheet
    found = DIMENSION.search(head)
    if not found:
        return 0, 0
    try:
        min_col, min_row, max_col, max_row = range_boundaries(found.group(1).decode("ascii"))
    except (ValueError, TypeError, UnicodeDecodeError):
        return 0, 0  # openpyxl will say what it makes of it
    if None in (min_col, min_row, max_col, max_row):
        return 0, 0
    return max_row - min_row + 1, max_col - min_col + 1


def _too_many_cells(sheet: str, limit: int) -> str:
    return _(
        "The file has more cells than a ledger may have (%(limit)s), sheet “%(sheet)s” among "
        "them. Upload the ledger's own sheets only, or split it into several files."
    ) % {"sheet": sheet, "limit": f"{limit:,}"}
