"""The morning digest: one message a day per person with something to do, instead of one
per row: today's visits due, yesterday's misses, the cases due (each section contributed
by the app that owns it, ``messaging.registry``).

Run by the morning job (MESSAGES_DIGEST_AT, 07:00 by default). Safe to run twice: a day's
digest is written once per user (``one_digest_a_day``) and its message once per key.
"""

import datetime

import django.dispatch
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messaging import registry, sending
from messaging.models import Digest, DigestRun, Message

# Sent once per run with the digests just written, so that the app that owns the inbox
# (monitoring) puts one line a day in it without messaging knowing of it.
digests_written = django.dispatch.Signal()

LINES_PER_SECTION = 10


def run_for(today: datetime.date) -> DigestRun:
    """The day's run: the stretch since the run before (a day, for the first one)."""
    now = timezone.now()
    before = DigestRun.objects.filter(day__lt=today).order_by("-day").first()
    since = before.until if before else now - datetime.timedelta(hours=24)
    run, _created = DigestRun.objects.get_or_create(day=today, defaults={"since": since, "until": now})
    return run


def collect(run: DigestRun) -> dict[int, list[dict]]:
    """Every user's sections, in order: ``{user_id: [{code, label, count, lines}]}``."""
    by_user: dict[int, list[dict]] = {}
    for section in registry.sections():
        for user_id, part in section.collect(run).items():
            if part.count:
                by_user.setdefault(user_id, []).append(
                    {
                        "code": section.code,
                        "label": str(section.label),
                        "count": part.count,
                        "lines": part.lines[:LINES_PER_SECTION],
                        "link": part.link,
                    }
                )
    return by_user


def subject_of(digest: Digest) -> str:
    counts = "，".join(f"{s['label']} {s['count']}" for s in digest.sections)
    return _("Today %(day)s: %(counts)s") % {"day": digest.day.strftime("%m-%d"), "counts": counts}


def body_of(digest: Digest) -> str:
    lines = []
    for s in digest.sections:
        lines.append(f"{s['label']}: {s['count']}")
        lines += [f"  · {line}" for line in s["lines"][:5]]
        if s["count"] > min(len(s["lines"]), 5):
            lines.append("  · …")
    return "\n".join(lines)


def send_digests(today: datetime.date | None = None, *, deliver: bool = True) -> int:
    """Write today's digests and their messages, and send those that may go now.
    Returns how many messages were written (at most one per person)."""
    today = today or timezone.localdate()
    by_user = collect(run_for(today))
    if not by_user:
        return 0
    Digest.objects.bulk_create(
        [Digest(user_id=user_id, day=today, sections=sections) for user_id, sections in by_user.items()],
        ignore_conflicts=True,
        batch_size=1000,
    )
    digests = list(Digest.objects.filter(day=today, user_id__in=list(by_user)).select_related("user"))
    digests_written.send(sender=Digest, digests=digests)
    routes = sending.Routes.for_users([d.user_id for d in digests])
    now = timezone.now()
    with _site_language():
        messages = [
            sending.build(
                recipient=digest.user,
                kind=registry.DIGEST,
                subject=subject_of(digest),
                body=body_of(digest),
                key=f"digest:{today.isoformat()}:{digest.user_id}",
                link=reverse("messaging:digest", args=[digest.pk]),
                routes=routes,
                now=now,
            )
            for digest in digests
        ]
    Message.objects.bulk_create(messages, ignore_conflicts=True, batch_size=1000)
    if deliver:
        # The pending ones (the partial index of due messages): those quiet hours do not hold.
        due = Message.objects.filter(kind=registry.DIGEST, status="pending", next_attempt_at__lte=now)
        sending.deliver_many(due.values_list("pk", flat=True))
    return len(messages)


def _site_language():
    from django.conf import settings

    return translation.override(settings.LANGUAGE_CODE)
