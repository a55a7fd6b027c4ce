"""Door cards: the QR code on a household's door opens a page where the family asks for
help without logging in; a request opens a case for the responsible worker."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Household
from monitoring import outbound
from monitoring.models import Notification
from services import webhook_events
from services.cases import add_note, open_case
from services.models import (
    ACTIVE_STATUSES,
    CaseCategory,
    DoorCard,
    ServiceCase,
    Urgency,
)
from services.notices import CaseNotificationKind

_SIGNER_SALT = "services.door-card"
# A card (or a household, asked for by another system) opens at most this many cases an
# hour; past it a request joins the family's open one (see ask_for_help).
HELP_LIMIT_PER_CARD = 5
HELP_WINDOW_SECONDS = 3600


def count(key: str) -> int:
    """One more in this hour's count under ``key`` (shared by every worker process)."""
    cache.add(key, 0, HELP_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, HELP_WINDOW_SECONDS)
        return 1


def opens_a_case(household_key: str) -> bool:
    """Whether one more request for this card or household opens a case this hour."""
    return count(f"help:card:{household_key}") <= HELP_LIMIT_PER_CARD


@transaction.atomic
def issue_door_card(*, household: Household, by) -> DoorCard:
    """A new card for the door; the old one, if any, stops working."""
    Household.objects.select_for_update().filter(pk=household.pk).first()
    DoorCard.objects.filter(household=household, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return DoorCard.objects.create(household=household, key=secrets.token_urlsafe(16), created_by=by)


def door_card_token(card: DoorCard) -> str:
    return signing.Signer(salt=_SIGNER_SALT).sign(card.key)


def card_for_token(token: str) -> DoorCard | None:
    """The live card a token was signed for; None for a forged, altered or revoked one."""
    try:
        key = signing.Signer(salt=_SIGNER_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        DoorCard.objects.filter(key=key, revoked_at__isnull=True)
        .select_related("household__tier", "household__unit", "household__building")
        .first()
    )


def token_from_code(code: str) -> str:
    """The token in what a scanner or a person typed from a door card: its QR code's whole
    address (…/help/<token>/?kind=…) or the token alone."""
    from urllib.parse import unquote, urlsplit

    code = code.strip()
    path = urlsplit(code).path if "/" in code else code
    if "/help/" in path:
        path = path.split("/help/", 1)[1]
    return unquote(path.strip("/").split("/", 1)[0])


HELP_KINDS = {
    "daily": (CaseCategory.HELP, gettext_lazy("Daily life")),
    "health": (CaseCategory.AID_SICK, gettext_lazy("Illness or health")),
    "money": (CaseCategory.TEMPORARY_RELIEF, gettext_lazy("Money trouble")),
    "dispute": (CaseCategory.DISPUTE, gettext_lazy("A dispute")),
    "other": (CaseCategory.OTHER, gettext_lazy("Something else")),
}
HELP_KIND_CHOICES = [(kind, label) for kind, (_category, label) in HELP_KINDS.items()]


@transaction.atomic
def ask_for_help(
    *,
    card: DoorCard | None = None,
    household: Household | None = None,
    kind: str,
    phone: str = "",
    text: str = "",
    new_case: bool = True,
    relayed_by=None,
) -> ServiceCase:
    """A family's request from its door card (or, relayed by a trusted system, for its
    household): a help-request case for its grid worker, who is told at once.

    With ``new_case`` False (past the card's hourly limit) the request joins the family's
    open door-card case as a note instead, and that case's notice turns unread again:
    the family is still heard, without a flood of cases or notices for the worker.

    ``relayed_by``, the trusted system's account, is named in the request's text: the
    worker who calls back knows where the family asked.
    """
    household = card.household if card is not None else household
    category, label = HELP_KINDS[kind]
    # In the site's language, not the sender's: the worker reads it, whoever relayed it.
    with translation.override(settings.LANGUAGE_CODE):
        description = str(label)
        if phone:
            description += f" · {_('call back')}: {phone}"
        if text.strip():
            description += f" · {text.strip()}"
        if relayed_by is not None:
            system = relayed_by.get_full_name() or relayed_by.get_username()
            description += " · " + _("relayed by %(system)s") % {"system": system}
    if not new_case:
        # The household's row makes requests past the limit wait for each other, so that
        # two at once join one case rather than opening two.
        Household.objects.select_for_update().filter(pk=household.pk).first()
        case = (
            ServiceCase.objects.filter(household=household.pk, opened_by__isnull=True)
            .filter(status__in=ACTIVE_STATUSES)
            .order_by("-opened_at", "-id")
            .first()
        )
        if case is not None:
            add_note(case=case, text=description, by=None)
            _tell_assignee(case)
            webhook_events.help_request_received(case, new_case=False)
            return case
    case = open_case(
        household=household, category=category, description=description, urgency=Urgency.NORMAL, by=None
    )
    _tell_assignee(case)
    webhook_events.help_request_received(case, new_case=True)
    return case


def _tell_assignee(case: ServiceCase) -> None:
    # One notice per case and worker (notify_once_per_object), unread again when the family
    # asks again; and a message on the worker's channel at once: whatever the hour for a
    # household of an urgent tier (red), else held only by the worker's quiet hours.
    if case.assigned_to_id:
        unread = Notification.objects.filter(
            recipient_id=case.assigned_to_id,
            kind=CaseNotificationKind.HELP_REQUEST,
            content_type=ContentType.objects.get_for_model(case),
            object_id=case.pk,
            read_at__isnull=True,
        ).exists()
        notification, _created = Notification.objects.update_or_create(
            recipient_id=case.assigned_to_id,
            kind=CaseNotificationKind.HELP_REQUEST,
            content_type=ContentType.objects.get_for_model(case),
            object_id=case.pk,
            defaults={"household_id": case.household_id, "read_at": None},
        )
        if unread:
            return  # told already and not yet read: one message until they look, not one per scan
        tier = case.household.tier
        outbound.send_now(
            notification, urgent=tier is not None and tier.code in settings.MESSAGES_URGENT_TIERS
        )
