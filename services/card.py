"""Services' sections of the household card (households.card): "Report a problem", the
open cases, and the links to the household's points and door card."""

from households.card import BUTTONS, CardSection, register_section
from services.models import ACTIVE_STATUSES

for section in [
    CardSection(name="services.report", template="services/card/report_button.html", order=20, slot=BUTTONS),
    CardSection(
        name="services.cases",
        template="services/card/cases.html",
        order=30,
        context=lambda card: {
            "cases": card.household.cases.filter(status__in=ACTIVE_STATUSES).order_by("due_on")
        },
    ),
    CardSection(name="services.links", template="services/card/links.html", order=60),
]:
    register_section(section)
