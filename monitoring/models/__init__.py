from monitoring.models.calendar import CalendarDay, CalendarYear
from monitoring.models.followups import FollowUp, FollowUpStatus, Need, Visit, VisitMode
from monitoring.models.notifications import Notification, NotificationKind
from monitoring.models.proposals import ProposalStatus, TierProposal
from monitoring.models.snapshots import TierSnapshot, WallCount
from monitoring.models.tiers import Cadence, Tier, TierChange, TierScheme, UnitTierScheme

__all__ = [
    "Cadence",
    "CalendarDay",
    "CalendarYear",
    "FollowUp",
    "FollowUpStatus",
    "Need",
    "Notification",
    "NotificationKind",
    "ProposalStatus",
    "Tier",
    "TierChange",
    "TierProposal",
    "TierScheme",
    "TierSnapshot",
    "UnitTierScheme",
    "Visit",
    "VisitMode",
    "WallCount",
]
