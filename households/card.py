"""The household card's sections, contributed by the apps that own what they show.

The card (``households.views.card``) shows the household and its members; everything else
on it — follow-ups, visits and tier history (monitoring), cases and points (services),
work and warnings (employment) — is a section its app registers from its own ``card.py``,
which ``HouseholdsConfig.ready()`` imports as the admin imports every ``admin.py``.

A section is a template, a place (its slot and its order there) and a function that gives
its template what it needs for one household and user. The function may return querysets
left lazy (the template runs them) and must cost a fixed number of queries, whatever the
household: the whole card is a handful of them. Sections of one app that need the same
lookup share it through ``Card.once``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# Where a section goes on the card (households/_card.html, households/card/members.html):
ACTIONS = "actions"  # the wide buttons at the top ("Log a visit")
BUTTONS = "buttons"  # the row of buttons below them, after "Call"
BODY = "body"  # the sections, one below the other
MEMBERS_HEADING = "members_heading"  # links beside the "Members" heading
MEMBER = "member"  # a line under each member (``m`` in the template)


@dataclass
class Card:
    """One household's card being drawn, for one user."""

    household: object
    user: object
    members: list
    _shared: dict = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[], object]):
        """``compute()`` the first time ``key`` is asked for on this card, then its value:
        for two sections that show the same row (a pending proposal's button and note)."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]


@dataclass(frozen=True)
class CardSection:
    name: str  # "monitoring.follow_up": its app and what it is
    template: str
    order: int
    slot: str = BODY
    context: Callable[[Card], dict] | None = None


_sections: dict[str, CardSection] = {}


def register_section(section: CardSection) -> CardSection:
    _sections[section.name] = section
    return section


def sections() -> list[CardSection]:
    """Every registered section, by slot, in order."""
    return sorted(_sections.values(), key=lambda s: (s.slot, s.order))


def card_slots(card: Card) -> dict[str, list[tuple[CardSection, dict]]]:
    """Each slot's sections in order, each with its context: every section's lookups are
    made (or set up, when left lazy) here, once per card."""
    slots: dict[str, list] = {}
    for section in sections():
        context = section.context(card) if section.context else {}
        slots.setdefault(section.slot, []).append((section, context))
    return slots


# The household's own section: its members (their lines and the heading carry the
# MEMBER and MEMBERS_HEADING slots of the apps above).
register_section(CardSection(name="households.members", template="households/card/members.html", order=50))
