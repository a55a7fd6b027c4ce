from monitoring.models import Notification


def unread_notifications(request):
    """The count in the header: one query, for logged-in users only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
