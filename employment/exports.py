"""The employment figures of a ledger export: the figures page as a sheet, one row per
unit below the chosen one and a total. Figures are as of today, whatever the period."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.spreadsheets import Sheet
from employment.figures import unit_figures
from employment.models import EMPLOYED, LabourStatus
from households.exports import SheetRequest, register_sheet, sheet
from households.models import ExportKind


@register_sheet(ExportKind.EMPLOYMENT, order=10)
def figures_export_sheet(request: SheetRequest) -> Sheet:
    return figures_sheet(request.user, request.unit)


def figures_sheet(user, unit) -> Sheet:
    total, rows, lines = unit_figures(user, unit)
    result = sheet(
        _("Employment"),
        [
            _("grid unit"),
            _("code"),
            _("Households"),
            _("labour force"),
            _("employed"),
            _("employment rate (%)"),
            _("zero-employment households"),
            *(gettext("under %(line)s") % {"line": line.name} for line in lines),
            *(LabourStatus(kind).label for kind in EMPLOYED),
        ],
    )
    for figures in rows:
        result.append(_row(figures.unit.name, figures.unit.code, figures))
    result.append(_row(gettext("Total"), unit.code if unit else "", total))
    return result


def _row(name: str, code: str, figures) -> list:
    return [
        name,
        code,
        figures.households,
        figures.labour_force,
        figures.employed,
        figures.rate,
        figures.zero_employment,
        *figures.under_counts,
        *(n for _label, n in figures.kinds),
    ]
