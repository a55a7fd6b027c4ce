"""A report's figures laid out once, as sections of tables and charts, in the reader's
language: the page, the PDF and the spreadsheet all show this one layout, so the three
never disagree about what a column means."""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from employment.models import LabourStatus
from reports import charts
from reports.charts import Chart
from services.models import CaseCategory


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    key: str = ""  # a stable name for the spreadsheet's sheet and the page's anchors
    numeric_from: int = 1  # columns from here on are figures (right-aligned)


@dataclass
class Section:
    title: str
    key: str
    facts: list[tuple[str, object]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def month_label(month: str) -> str:
    """ "2026-10" as people write it: 2026年10月 in Chinese, October 2026 in English."""
    return date_format(datetime.date.fromisoformat(f"{month}-01"), "YEAR_MONTH_FORMAT")


def short_month(month: str) -> str:
    day = datetime.date.fromisoformat(f"{month}-01")
    return _("%(month)s/%(year)s") % {"year": f"{day.year % 100:02d}", "month": day.month}


def title(figures: dict) -> str:
    return _("Monthly report · %(unit)s · %(month)s") % {
        "unit": figures["unit"]["name"],
        "month": month_label(figures["month"]),
    }


def band_label(band: dict) -> str:
    if band.get("unknown"):
        return _("no income recorded")
    if band["from"] is None:
        return _("under %(to)s yuan") % {"to": f"{band['to']:,}"}
    if band["to"] is None:
        return _("%(from)s yuan or more") % {"from": f"{band['from']:,}"}
    return _("%(from)s to %(to)s yuan") % {"from": f"{band['from']:,}", "to": f"{band['to']:,}"}


CHART_ROWS = 40

VISIT_HEADERS = [
    pgettext_lazy("follow-ups", "due"),
    pgettext_lazy("follow-ups", "done"),
    gettext_lazy("missed"),
    gettext_lazy("still open"),
]


def sections(figures: dict) -> list[Section]:
    t, v, c, e, p = (figures[k] for k in ("tiers", "visits", "cases", "employment", "points"))
    out = []

    # Tiers
    tiers = Section(_("Risk tiers"), "tiers")
    tiers.facts = [
        (_("Households at the end of the month"), t["households"]),
        (_("Households moved to a calmer tier"), t["improved"]),
        (_("Households moved to a more urgent tier"), t["worsened"]),
    ]
    tiers.tables.append(
        Table(
            _("Households by tier at the end of the month"),
            [
                _("tier"),
                _("households"),
                _("share"),
                _("came from a more urgent tier"),
                _("came from a calmer tier"),
                _("left for a calmer tier"),
                _("left for a more urgent tier"),
            ],
            [
                [
                    row["name"],
                    row["households"],
                    percent(row["share"]),
                    row["in_from_worse"],
                    row["in_from_better"],
                    row["out_to_better"],
                    row["out_to_worse"],
                ]
                for row in t["tiers"]
            ],
            key="tiers",
        )
    )
    tiers.charts.append(
        charts.stacked_columns(
            _("Tier shares, last 12 months"),
            [short_month(m["month"]) for m in t["trend"]],
            [
                (row["name"], row["colour"], [m["shares"].get(str(row["id"])) or 0 for m in t["trend"]])
                for row in t["tiers"]
            ],
        )
    )
    trend_headers = [_("month"), _("households")] + [row["name"] for row in t["tiers"]]
    tiers.tables.append(
        Table(
            _("Tier shares by month"),
            trend_headers,
            [
                [month_label(m["month"]), m["households"]]
                + [percent(m["shares"].get(str(row["id"]))) for row in t["tiers"]]
                for m in t["trend"]
            ],
            key="trend",
        )
    )
    if t["moves"]:
        tiers.tables.append(
            Table(
                _("Tier changes in the month"),
                [_("from"), _("to"), _("households"), _("changes")],
                [[m["from_name"], m["to_name"], m["households"], m["changes"]] for m in t["moves"]],
                key="moves",
                numeric_from=2,
            )
        )
    out.append(tiers)

    # Visits
    visits = Section(_("Visits"), "visits")
    total = v["total"]
    visits.facts = [
        (_("Follow-ups due in the month"), total["due"]),
        (_("done"), total["done"]),
        (_("missed"), total["missed"]),
        (_("Share done"), percent(total["done_share"])),
        (_("Visits recorded"), total["visits"]),
    ]
    # A community's buildings fit a chart; a county's thousand do not: its streets do.
    few = len(v["buildings"]) <= CHART_ROWS
    charted = v["buildings"] if few else v.get("units_below", [])[:CHART_ROWS]
    if charted:  # a month with no follow-up due has nothing to draw
        visits.charts.append(
            charts.stacked_bars(
                _("Follow-ups due, by building") if few else _("Follow-ups due, by unit below"),
                [b["name"] for b in charted],
                [
                    (_("done"), charts.DONE, [b["done"] for b in charted]),
                    (_("missed"), charts.MISSED, [b["missed"] for b in charted]),
                    (_("still open"), charts.OPEN, [b["open"] for b in charted]),
                ],
            )
        )
    visits.tables.append(
        Table(
            _("By worker"),
            [_("worker"), *map(str, VISIT_HEADERS), _("visits recorded")],
            [
                [w["name"] or "—", w["due"], w["done"], w["missed"], w["open"], w["visits"]]
                for w in v["workers"]
            ],
            key="workers",
        )
    )
    visits.tables.append(
        Table(
            _("By building"),
            [_("building"), *map(str, VISIT_HEADERS)],
            [[b["name"], b["due"], b["done"], b["missed"], b["open"]] for b in v["buildings"]],
            key="buildings",
        )
    )
    out.append(visits)

    # Cases
    cases = Section(_("Cases"), "cases")
    cases.facts = [
        (_("Opened in the month"), c["opened"]),
        (_("Closed in the month"), c["closed"]),
        (_("closed by the deadline"), c["on_time"]),
        (_("closed after the deadline"), c["late"]),
        (_("Share closed by the deadline"), percent(c["on_time_share"])),
        (_("Mean days to close"), "—" if c["mean_days"] is None else c["mean_days"]),
        (_("Median days to close"), "—" if c["median_days"] is None else c["median_days"]),
        (_("Escalated in the month"), c["escalated"]),
        (_("Open at the end of the month"), c["open_at_end"]),
        (_("of them past their deadline"), c["late_at_end"]),
    ]
    if c["by_category"]:
        cases.tables.append(
            Table(
                _("Cases opened, by category"),
                [_("category"), _("cases")],
                [[_category(code), n] for code, n in c["by_category"].items()],
                key="categories",
            )
        )
    out.append(cases)

    # Employment and income
    work = Section(_("Employment and income"), "employment")
    work.facts = [
        (_("Labour force"), e["labour_force"]),
        (_("Employed"), e["employed"]),
        (_("Employment rate"), percent(e["rate"])),
        (_("Zero-employment households"), e["zero_employment"]),
    ]
    work.tables.append(
        Table(
            _("Employed, by kind"),
            [_("kind of work"), _("people")],
            [[str(LabourStatus(kind).label), n] for kind, n in e["by_kind"].items()],
            key="kinds",
        )
    )
    bands = [(band_label(b), b["households"]) for b in e["income_bands"]]
    work.charts.append(charts.bars(_("Households by per-capita income"), bands))
    work.tables.append(
        Table(_("Households by per-capita income"), [_("income band"), _("households")], bands, key="income")
    )
    out.append(work)

    points = Section(_("Volunteer points"), "points")
    points.facts = [
        (_("Points earned"), p["earned"]),
        (_("Points redeemed"), p["redeemed"]),
        (_("Points reversed"), p["reversed"]),
        (_("Households that earned points"), p["households_earning"]),
        (_("Households that redeemed points"), p["households_redeeming"]),
    ]
    out.append(points)
    return out


def _category(code: str) -> str:
    try:
        return str(CaseCategory(code).label)
    except ValueError:
        return code


def summary_table(section: Section) -> Table:
    """A section's facts as a two-column table (the spreadsheet's first sheet)."""
    return Table(
        section.title, [_("figure"), _("value")], [[k, v] for k, v in section.facts], key=section.key
    )
