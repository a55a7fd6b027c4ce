"""Services' mark on the wall's tiles: a household with an open urgent case."""

from django.utils.translation import gettext_lazy as _

from monitoring.marks import WallMark, register_mark
from services.models import ACTIVE_STATUSES, ServiceCase, Urgency

register_mark(
    WallMark(
        key="case",
        label=_("Open urgent case"),
        bit=2,
        households=lambda day: ServiceCase.objects.filter(
            urgency=Urgency.URGENT, status__in=ACTIVE_STATUSES
        ).values("household_id"),
        figure="urgent_cases",
        figure_label=_("Open urgent cases"),
        symbol="▲",
        legend=_("urgent case"),
    )
)
