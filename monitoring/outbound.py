"""Notifications leave the app: each on the channel its recipient chose for its kind
(``messaging``), in the words of the app that owns the kind (``monitoring.notices``).

The inbox keeps every notification; what goes out is a ``messaging.Message`` written
under the notification's key, so a run twice sends nothing twice. The hourly job hands
on what is waiting; urgent ones (a red household's help request, a case about to be
late) are handed on at once by the code that writes them (``send_now``).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from messaging import sending
from messaging.models import Channel, Message, Status
from monitoring.models import Notification, NotificationKind

BATCH = 500


def _build(notification: Notification, *, key: str, urgent=None, routes=None):
    notice = notification.notice()
    return sending.build(
        recipient=notification.recipient,
        kind=notification.kind,
        subject=notice.subject,
        body=notice.body,
        key=key,
        link=notice.url,
        urgent=urgent,
        routes=routes,
    )


def dispatch_notifications() -> int:
    """Hand on the notifications not yet handed on, and send those that may go now.
    Returns how many left the app (in-app only ones are not counted)."""
    sent = 0
    while True:
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at__isnull=True)
                .exclude(kind=NotificationKind.DIGEST)
                .select_related("recipient", "household", "follow_up", "proposal__to_tier")
                .order_by("pk")[:BATCH]
            )
            if not pending:
                return sent
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
            _prefetch_about(pending)
            routes = sending.Routes.for_users([n.recipient_id for n in pending])
            built = [_build(n, key=f"notification:{n.pk}", routes=routes) for n in pending]
            Message.objects.bulk_create(built, ignore_conflicts=True)
        due = Message.objects.filter(
            key__in=[m.key for m in built], status=Status.PENDING, next_attempt_at__lte=timezone.now()
        ).values_list("pk", "channel")
        for message_id, channel in due:
            outcome = sending.deliver(message_id)  # in-app: logged as kept in the inbox
            sent += bool(outcome and outcome.sent and channel != Channel.INAPP)


def _prefetch_about(notifications) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(notifications, "about")


def send_now(notification: Notification, *, urgent: bool = True) -> None:
    """Hand one notification on at once (when this transaction commits), whatever the hour
    when ``urgent``; the hourly job will not hand it on again. A notification told again
    (a family that asks again) is a new message."""
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    key = f"notification:{notification.pk}:{timezone.now().timestamp():.6f}"
    notice = notification.notice()
    sending.send(
        recipient=notification.recipient,
        kind=notification.kind,
        subject=notice.subject,
        body=notice.body,
        key=key,
        link=notice.url,
        urgent=urgent,
    )


def digests_in_inbox(sender, *, digests, **kwargs) -> None:
    """One line a day in each person's inbox for their morning digest, opening it."""
    content_type = ContentType.objects.get_for_model(digests[0]) if digests else None
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=digest.user_id,
                kind=NotificationKind.DIGEST,
                content_type=content_type,
                object_id=digest.pk,
                emailed_at=timezone.now(),  # the digest's own message carries it
            )
            for digest in digests
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
