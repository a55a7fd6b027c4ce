"""The household ledger (台账) in .xlsx: its template, its check and its import.

A ledger has two sheets: 户 (a row per household, its head included) and 人员 (a row per
other member). Every row is checked before anything is written, against the file itself
(a household number, address or ID number given twice) and against the database (a number
or address taken, a person already living elsewhere); the import then writes every row
or, if anything is wrong, none. The same model validation as the forms runs on each row
(``clean_fields``/``clean``); the checks that would cost a query per row (uniqueness,
buildings, tiers) are done here for the whole file in a few set queries.

Headers are Chinese whatever the UI language: the ledger is a file format that offices
exchange, and its columns are found by their header, in any order.
"""

from households.ledger.check import LedgerError, Plan, Problem, read
from households.ledger.format import (
    GUIDE_SHEET,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_SHEET,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    template,
)
from households.ledger.imports import (
    check_upload,
    expire_previews,
    fail_stalled_imports,
    import_upload,
    write,
)

__all__ = [
    "GUIDE_SHEET",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_SHEET",
    "MEMBER_COLUMNS",
    "MEMBER_SHEET",
    "LedgerError",
    "Plan",
    "Problem",
    "check_upload",
    "expire_previews",
    "fail_stalled_imports",
    "import_upload",
    "read",
    "template",
    "write",
]
