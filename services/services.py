"""Opening cases: the one path for the pages, the API and imports."""

from django.db import transaction
from django.utils import timezone

from households.models import Household
from monitoring.workdays import add_working_days
from services.models import ServiceCase

DEFAULT_RESPONSE_WORKING_DAYS = 7


@transaction.atomic
def open_case(*, household: Household, category: str, description: str, urgency: str, by, visit=None):
    """Open a case, due in the household's tier's response working days from today."""
    opened_at = timezone.now()
    # A tier without a response time of its own (green) gets the slowest the reports name.
    days = household.tier.response_working_days or DEFAULT_RESPONSE_WORKING_DAYS
    deadline = add_working_days(timezone.localdate(opened_at), days)
    case = ServiceCase(
        household=household,
        category=category,
        description=description.strip(),
        urgency=urgency,
        opened_by=by,
        opened_at=opened_at,
        due_on=deadline.due,
        due_provisional=deadline.provisional,
        visit=visit,
    )
    case.full_clean(exclude=["household", "opened_by", "visit"])
    case.save()
    return case
