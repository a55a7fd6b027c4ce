import functools

from monitoring.models import Notification, ProposalStatus, TierProposal


def unread_notifications(request):
    """The counts in the header, for logged-in users only: unread notices (one query), and
    for those who decide tier proposals, how many wait in their scope (the 审核 button said
    nothing, and proposals waited days for staff who did not know)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = {"unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
    if user.has_perm("monitoring.decide_tierproposal"):
        # Counted when a template shows it (ours do; the admin's do not), once.
        counts["proposals_waiting"] = functools.cache(
            lambda: TierProposal.objects.visible_to(user).filter(status=ProposalStatus.PENDING).count()
        )
    return counts
