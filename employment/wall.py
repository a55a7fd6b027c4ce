"""Employment's mark on the wall's tiles: a household with an employment or income warning
not yet cleared."""

from django.utils.translation import gettext_lazy as _

from employment.models import EmploymentWarning
from monitoring.marks import WallMark, register_mark

register_mark(
    WallMark(
        key="warning",
        label=_("Employment or income warning"),
        bit=8,
        households=lambda day: EmploymentWarning.objects.filter(cleared_at__isnull=True).values(
            "household_id"
        ),
        figure="warnings",
        figure_label=_("Households with an employment or income warning"),
        symbol="¥",
        legend=_("employment or income warning"),
    )
)
