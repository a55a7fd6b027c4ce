"""The marks a wall tile can carry, contributed by the apps that own what they mark.

Each mark is a bit of one number in the tiles' JSON, a choice of the wall's "marked"
filter, a count in the figures and a symbol in the legend. Monitoring registers its own
(a missed follow-up, a pending tier proposal) in ``monitoring/wall.py``; the apps above it
register theirs in their own ``wall.py`` (services: an open urgent case; employment: an
employment or income warning), which ``MonitoringConfig.ready()`` imports as the admin
imports every ``admin.py``. The wall knows none of them by name.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class WallMark:
    key: str  # the filter's value: ?mark=case
    label: str  # the filter's choice: "Open urgent case"
    bit: int  # its bit in a tile's marks, and its place in the filter, legend and figures
    households: Callable[[datetime.date], QuerySet]  # on a day: a subquery of household ids
    figure: str  # the key of its count in the figures: "urgent_cases"
    figure_label: str  # "Open urgent cases"
    symbol: str  # drawn on a marked tile: "▲"
    legend: str  # the legend's words, and a tile's title: "urgent case"


_marks: dict[str, WallMark] = {}


def register_mark(mark: WallMark) -> WallMark:
    """Add a mark to every wall. Its key and bit are its own: a bit already taken would
    make two marks one on the tiles (and the JSON's bits are read by the page)."""
    if mark.bit <= 0 or mark.bit & (mark.bit - 1):
        raise ValueError(f"A wall mark's bit is a power of two, not {mark.bit}")
    for other in _marks.values():
        if other.key != mark.key and (other.bit == mark.bit or other.figure == mark.figure):
            raise ValueError(f"Wall marks {other.key!r} and {mark.key!r} share a bit or a figure")
    _marks[mark.key] = mark
    return mark


def wall_marks() -> list[WallMark]:
    """Every registered mark, in the order of their bits."""
    return sorted(_marks.values(), key=lambda mark: mark.bit)


def mark_choices() -> list[tuple[str, str]]:
    return [("any", _("Any mark")), *((mark.key, mark.label) for mark in wall_marks())]


def bits_of(key: str) -> int:
    """The bits a filter value stands for: one mark's, or every mark's for "any"."""
    if key == "any":
        return sum(mark.bit for mark in _marks.values())
    return _marks[key].bit
