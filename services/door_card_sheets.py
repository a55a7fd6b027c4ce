"""A building's door cards at once: the missing ones issued, and every live card printed
in one PDF, four A6 cards to an A4 sheet with cut marks (one card per door), so that a
building head tapes up a whole building in an afternoon instead of printing page by page.
"""

import io
from dataclasses import dataclass

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from common.pdf import register_font
from households.models import Household, HouseholdStatus
from services.door_cards import door_card_token, issue_door_card
from services.models import DoorCard

CARD_WIDTH, CARD_HEIGHT = A4[0] / 2, A4[1] / 2  # A6
QR_SIZE = 62 * mm


@dataclass(frozen=True)
class Door:
    household: Household
    card: DoorCard | None

    @property
    def label(self) -> str:
        h = self.household
        return f"{h.building.name} {h.entrance}-{h.room}"


def doors(building, user) -> list[Door]:
    """The active households of ``building`` in ``user``'s scope, in walking order, each
    with its live card (None where it has none); two queries."""
    households = list(
        Household.objects.visible_to(user)
        .filter(building=building, status=HouseholdStatus.ACTIVE)
        .select_related("building")
        .order_by("entrance", "floor", "room", "pk")
    )
    cards = {
        card.household_id: card
        for card in DoorCard.objects.filter(household__in=households, revoked_at__isnull=True)
    }
    return [Door(h, cards.get(h.pk)) for h in households]


@transaction.atomic
def issue_missing(building, *, by) -> int:
    """A card for every household of the building in ``by``'s scope that has none; cards
    already on doors are left alone (replacing one is the household's own page's). Returns
    how many were issued."""
    missing = [door.household for door in doors(building, by) if door.card is None]
    for household in missing:
        issue_door_card(household=household, by=by)
    return len(missing)


def sheet_pdf(building, cards: list[Door], help_url) -> bytes:
    """The PDF of ``cards`` (doors with a live card): four to a page, each with its room,
    its QR code (``help_url(token)``, the address the card's own page prints) and the line
    that tells the family what it is for."""
    font = register_font()
    out = io.BytesIO()
    canvas = pdf_canvas.Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Door cards of %(building)s") % {"building": building.name})
    canvas.setAuthor("红黄绿")
    positions = [(0, CARD_HEIGHT), (CARD_WIDTH, CARD_HEIGHT), (0, 0), (CARD_WIDTH, 0)]
    printed_on = timezone.localdate().isoformat()
    for i, door in enumerate(cards):
        if i and i % 4 == 0:
            canvas.showPage()
        if i % 4 == 0:
            _cut_marks(canvas)
        x, y = positions[i % 4]
        _card(canvas, font, x, y, door.label, help_url(door_card_token(door.card)), printed_on)
    if not cards:
        canvas.setFont(font, 14)
        canvas.drawCentredString(A4[0] / 2, A4[1] / 2, _("No household of this building has a door card."))
    canvas.save()
    return out.getvalue()


def _cut_marks(canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.lightgrey)
    canvas.setDash(3, 3)
    canvas.line(A4[0] / 2, 0, A4[0] / 2, A4[1])
    canvas.line(0, A4[1] / 2, A4[0], A4[1] / 2)
    canvas.restoreState()


def _card(canvas, font, x, y, label, url, printed_on) -> None:
    centre = x + CARD_WIDTH / 2
    canvas.setFont(font, 24)
    canvas.drawCentredString(centre, y + CARD_HEIGHT - 22 * mm, label)
    _qr(canvas, url, centre - QR_SIZE / 2, y + CARD_HEIGHT - 30 * mm - QR_SIZE)
    canvas.setFont(font, 13)
    canvas.drawCentredString(centre, y + 34 * mm, _("Scan to ask your grid worker for help"))
    canvas.setFont(font, 7)
    canvas.setFillColor(colors.grey)
    canvas.drawCentredString(centre, y + 12 * mm, _("Printed %(day)s") % {"day": printed_on})
    canvas.setFillColor(colors.black)


def _qr(canvas, url, left, bottom) -> None:
    """The QR code segno makes for the card's page (the same as on screen), drawn as one
    rectangle per run of dark modules: a vector code that prints sharp at any size."""
    matrix = segno.make(url, error="m").matrix
    border = 2
    module = QR_SIZE / (len(matrix) + 2 * border)
    for r, row in enumerate(matrix):
        top = bottom + QR_SIZE - (r + border + 1) * module
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                canvas.rect(
                    left + (start + border) * module, top, (c - start) * module, module, stroke=0, fill=1
                )
            else:
                c += 1
