import datetime

from messaging import sending
from messaging.models import Message, Preference


def write(user, *, kind="digest", channel=None, urgent=None, key=None, subject="今日提要", body="待走访 3"):
    """A message for ``user`` (on ``channel`` when given: their choice for the kind)."""
    if channel:
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"channel": channel})
    return sending.send(
        recipient=user,
        kind=kind,
        subject=subject,
        body=body,
        key=key or f"test:{Message.objects.count()}",
        link="/messages/digest/1/",
        urgent=urgent,
        queue=False,
    )


def later(seconds: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=seconds)
