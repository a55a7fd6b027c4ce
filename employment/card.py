"""Employment's sections of the household card (households.card): the open warnings, the
income link beside "Members", and each member's current work."""

from django.db.models import Prefetch, prefetch_related_objects

from employment.models import LabourRecord
from households.card import MEMBER, MEMBERS_HEADING, Card, CardSection, register_section


def _current_work(card: Card) -> dict:
    # On the members the card already read: one query for all of them, as a prefetch.
    prefetch_related_objects(
        card.members,
        Prefetch(
            "labour_records",
            queryset=LabourRecord.objects.filter(ends_on__isnull=True),
            to_attr="current_work",
        ),
    )
    return {}


for section in [
    CardSection(
        name="employment.warnings",
        template="employment/card/warnings.html",
        order=40,
        context=lambda card: {
            "warnings": card.household.warnings.filter(cleared_at__isnull=True).select_related("member")
        },
    ),
    CardSection(
        name="employment.income",
        template="employment/card/income_link.html",
        order=10,
        slot=MEMBERS_HEADING,
    ),
    CardSection(
        name="employment.work",
        template="employment/card/member_work.html",
        order=10,
        slot=MEMBER,
        context=_current_work,
    ),
]:
    register_section(section)
