"""The notifications about cases, and what they say (registered with monitoring.notices)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring import notices


class CaseNotificationKind(models.TextChoices):
    CASE_OVERDUE = "case_overdue", gettext_lazy("Case past its deadline")
    CASE_ESCALATED = "case_escalated", gettext_lazy("Case escalated to your level")
    HELP_REQUEST = "help_request", gettext_lazy("Help requested from a door card")
    CASE_DUE_SOON = "case_due_soon", gettext_lazy("Case due today")


def _due(case) -> str:
    return _("due %(due)s") % {"due": case.due_on.isoformat()}


def _case_url(case) -> str:
    # The inbox opens the case a notice is about, not its household's card.
    return reverse("services:case", args=[case.pk])


def _overdue(notification) -> notices.Notice | None:
    if (case := notification.about) is None:
        return None  # cases are kept; were one deleted, monitoring writes a plain line
    return notices.Notice(
        body=_("The case for household %(household)s was due on %(due)s and is still open.")
        % {"household": notification.household.number, "due": case.due_on},
        detail=f"{case.get_category_display()} · {_due(case)}",
        url=_case_url(case),
    )


def _escalated(notification) -> notices.Notice | None:
    if (case := notification.about) is None:
        return None
    return notices.Notice(
        body=_(
            "The case for household %(household)s (%(category)s) went past its deadline and is now "
            "handled at the %(level)s level: respond by %(due)s."
        )
        % {
            "household": notification.household.number,
            "category": case.get_category_display(),
            "level": case.get_level_display(),
            "due": case.due_on,
        },
        detail=f"{case.get_category_display()} · {case.get_level_display()} · {_due(case)}",
        url=_case_url(case),
    )


def _due_soon(notification) -> notices.Notice | None:
    if (case := notification.about) is None:
        return None
    return notices.Notice(
        body=_("The case for household %(household)s (%(category)s) must be answered today, %(due)s.")
        % {
            "household": notification.household.number,
            "category": case.get_category_display(),
            "due": case.due_on,
        },
        detail=f"{case.get_category_display()} · {_due(case)}",
        url=_case_url(case),
    )


def _help_request(notification) -> notices.Notice | None:
    if (case := notification.about) is None:
        return None
    # What the family wrote, and the number to call back, stay on the case's page behind
    # the worker's login: an e-mail leaves the system, and a door card's page is open
    # to anyone who types into it.
    return notices.Notice(
        body=_(
            "Household %(household)s asked for help from its door card (%(category)s). "
            "Respond by %(due)s; what they wrote and the number to call back are on the case's page."
        )
        % {
            "household": notification.household.number,
            "category": case.get_category_display(),
            "due": case.due_on,
        },
        detail=f"{case.get_category_display()} · {_due(case)}",
        url=_case_url(case),
    )


notices.register(CaseNotificationKind.CASE_OVERDUE, CaseNotificationKind.CASE_OVERDUE.label, render=_overdue)
notices.register(
    CaseNotificationKind.CASE_ESCALATED, CaseNotificationKind.CASE_ESCALATED.label, render=_escalated
)
notices.register(
    CaseNotificationKind.HELP_REQUEST, CaseNotificationKind.HELP_REQUEST.label, render=_help_request
)
# About to be late: sent at once, whatever the hour (the check raises it only outside
# quiet hours, on the case's last day).
notices.register(
    CaseNotificationKind.CASE_DUE_SOON,
    CaseNotificationKind.CASE_DUE_SOON.label,
    render=_due_soon,
    urgent=True,
)
