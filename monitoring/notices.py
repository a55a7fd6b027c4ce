"""What a notification says, written by the app that owns its kind.

A notification names its kind and, as django.contrib.admin's ``LogEntry`` does, what it is
about by content type and id, so monitoring stores notices about things it does not know
(a case is services'). Each app registers its kinds here from its own ``notices.py``,
which ``MonitoringConfig.ready()`` imports for every installed app (as the admin does with
``admin.py``): a label, and a function that writes the e-mail and the inbox's line.

    from monitoring import notices

    notices.register("case_overdue", _("Case past its deadline"), render=overdue_text)

``render(notification)`` returns a ``Notice`` (or None when the notification lacks what
it needs: a plain line is written instead); the e-mail's subject defaults to the kind's
label and the household's number.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging import registry as messages


@dataclass(frozen=True)
class Notice:
    body: str  # the e-mail's text
    detail: str = ""  # the short line under the notice in the inbox
    subject: str | None = None  # the e-mail's subject, when the default will not do
    url: str = ""  # what the inbox opens: the thing it is about; the household's card if empty


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    render: Callable[..., "Notice | None"]


_kinds: dict[str, Kind] = {}


def register(
    code: str, label, *, render: Callable[..., "Notice | None"], urgent: bool = False, listed: bool = True
) -> None:
    """Add a kind of notification. A code is registered once: two apps claiming the same
    one would write each other's notices.

    The kind is also one of the messages a user routes to a channel of their choice
    (``messaging.registry``); ``urgent`` ones are sent at once, even in quiet hours."""
    if str(code) in _kinds and _kinds[str(code)].render is not render:
        raise ValueError(f"The notification kind {code!r} is registered already.")
    _kinds[str(code)] = Kind(str(code), label, render)
    messages.register_kind(str(code), label, urgent=urgent, listed=listed)


def kind_choices() -> list[tuple[str, str]]:
    """The choices of ``Notification.kind``: every registered kind. A callable, so that
    monitoring's migrations do not list the kinds of the apps above it."""
    return [(kind.code, kind.label) for kind in _kinds.values()]


def render(notification) -> Notice:
    """The notice's text, with its subject filled in."""
    kind = _kinds.get(notification.kind)
    household = notification.household.number if notification.household_id else ""
    # None: the app that wrote it is no longer installed, or it lacks what its kind needs.
    notice = kind.render(notification) if kind else None
    if notice is None:
        notice = Notice(body=_("A notification about household %(household)s.") % {"household": household})
    if notice.subject is None:
        label = kind.label if kind else notification.kind
        subject = _("%(kind)s: household %(household)s") % {"kind": label, "household": household}
        notice = dataclasses.replace(notice, subject=subject)
    if not notice.url:
        url = (
            reverse("households:card", args=[notification.household_id])
            if notification.household_id
            else reverse("monitoring:inbox")
        )
        notice = dataclasses.replace(notice, url=url)
    return notice


# -- monitoring's own kinds ----------------------------------------------------------------


def _missed(notification) -> Notice | None:
    if notification.follow_up is None:
        return None
    due = notification.follow_up.due_on
    return Notice(
        body=_("The follow-up due on %(due)s for household %(household)s was not done.")
        % {"due": due, "household": notification.household.number},
        detail=_("due %(due)s") % {"due": due.isoformat()},
    )


def _decided(notification) -> Notice | None:
    proposal = notification.proposal
    if proposal is None:
        return None
    text = _("The proposal to move household %(household)s to %(tier)s was decided: %(status)s. %(reason)s")
    detail = str(proposal.to_tier)
    if proposal.decision_reason:
        detail += f": {proposal.decision_reason}"
    return Notice(
        body=text
        % {
            "household": notification.household.number,
            "tier": proposal.to_tier,
            "status": proposal.get_status_display(),
            "reason": proposal.decision_reason,
        },
        detail=detail,
    )


def _digest(notification) -> Notice | None:
    digest = notification.about
    if digest is None:
        return None
    detail = "，".join(f"{s['label']} {s['count']}" for s in digest.sections)
    return Notice(
        body=detail,
        detail=detail,
        subject=str(NotificationKind.DIGEST.label),
        url=reverse("messaging:digest", args=[digest.pk]),
    )


class NotificationKind(models.TextChoices):
    """Monitoring's own kinds; other apps' are in their ``notices.py``.

    Missed follow-ups are no longer told one notification each (a county's run wrote
    100,000): each person's misses are in their morning digest, one line a day in the inbox
    (``DIGEST``); the two kinds stay for the notifications written before."""

    DIGEST = "digest", gettext_lazy("Morning digest")
    MISSED = "missed", gettext_lazy("Missed follow-up")
    ESCALATED = "escalated", gettext_lazy("Missed again: escalated")
    PROPOSAL_APPROVED = "proposal_approved", gettext_lazy("Tier proposal approved")
    PROPOSAL_REJECTED = "proposal_rejected", gettext_lazy("Tier proposal rejected")


register(NotificationKind.DIGEST, NotificationKind.DIGEST.label, render=_digest)
# No longer written (the digest tells of misses): not offered on the settings page.
register(NotificationKind.MISSED, NotificationKind.MISSED.label, render=_missed, listed=False)
register(NotificationKind.ESCALATED, NotificationKind.ESCALATED.label, render=_missed, listed=False)
register(NotificationKind.PROPOSAL_APPROVED, NotificationKind.PROPOSAL_APPROVED.label, render=_decided)
register(NotificationKind.PROPOSAL_REJECTED, NotificationKind.PROPOSAL_REJECTED.label, render=_decided)
