"""The demo's part of the reports: last month's report of the first community (where the
demo's community staff work), so that the Reports page has one to open and print. The
other units' are left to the job of the first of the month, or to a click: a county's
hundred communities would add minutes to the seed."""

from grids.demo import DemoContext, demo_step
from reports.models import previous_month
from reports.services import generate_report


@demo_step(80)
def build_reports(ctx: DemoContext) -> None:
    if not ctx.communities:
        return
    generate_report(unit=ctx.communities[0], month=previous_month(ctx.today))
    ctx.figures["monthly reports"] = 1
