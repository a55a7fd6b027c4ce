"""What the apps above messaging contribute: the kinds of message a user can route to a
channel of their choice, and the sections of the morning digest.

messaging sits low in the house (under households, monitoring and services), so it knows
none of them by name: monitoring registers every notification kind here as it registers
it with ``monitoring.notices``, and each app's ``digest.py`` adds its sections
(``MessagingConfig.ready()`` imports them, as the admin imports ``admin.py``).

    from messaging import registry

    registry.register_kind("case_due_soon", _("Case due today"), urgent=True)
    registry.register_section(registry.Section("cases_due", _("Cases due"), collect=cases_due, order=30))

A section's ``collect(run)`` answers ``{user_id: Part}`` for every user with something to
say, in a few queries for all of them (never one per user): the digest of a county's grid
workers is one pass over each section. ``run`` is the day's ``DigestRun``: its ``day``,
and the stretch ``since`` … ``until`` that the digest tells of (since the run before).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    # Sent at once whatever the hour (quiet hours do not hold it back).
    urgent: bool = False
    # Offered on the settings page: a kind nothing writes any more is not.
    listed: bool = True


@dataclass
class Part:
    """One user's share of a section: how many, and the first few as lines of text
    (the digest page lists them; an SMS carries only the counts)."""

    count: int
    lines: list[str] = field(default_factory=list)
    link: str = ""  # where the whole list is, for the in-app page


@dataclass(frozen=True)
class Section:
    code: str
    label: str
    collect: Callable[..., dict[int, Part]]
    order: int = 100


DIGEST = "digest"
_kinds: dict[str, Kind] = {}
_sections: dict[str, Section] = {}


def register_kind(code: str, label, *, urgent: bool = False, listed: bool = True) -> Kind:
    kind = Kind(str(code), label, urgent, listed)
    _kinds[kind.code] = kind
    return kind


def kind(code: str) -> Kind:
    return _kinds.get(code) or Kind(code, code)


def kinds(*, listed_only: bool = False) -> list[Kind]:
    return [k for k in _kinds.values() if k.listed or not listed_only]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in _kinds.values()]


def register_section(section: Section) -> Section:
    if section.code in _sections and _sections[section.code].collect is not section.collect:
        raise ValueError(f"The digest section {section.code!r} is registered already.")
    _sections[section.code] = section
    return section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.code))


register_kind(DIGEST, _("Morning digest"))
