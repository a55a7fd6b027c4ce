from monitoring.models.calendar import CalendarDay, CalendarYear
from monitoring.models.followups import FollowUp, FollowUpStatus, Visit, VisitMode
from monitoring.models.notifications import Notification, NotificationKind
from monitoring.models.snapshots import TierSnapshot
from monitoring.models.tiers import Cadence, Tier, TierChange, TierScheme

__all__ = [
    "Cadence",
    "CalendarDay",
    "CalendarYear",
    "FollowUp",
    "FollowUpStatus",
    "Notification",
    "NotificationKind",
    "Tier",
    "TierChange",
    "TierScheme",
    "TierSnapshot",
    "Visit",
    "VisitMode",
]
