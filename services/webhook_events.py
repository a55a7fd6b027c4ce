"""What services tells webhooks (``webhooks.outbox``), called by the service functions
inside their transactions. Ids, codes and times only: never the description (a family's
words, a call-back number), which a receiver reads through the API within its scope."""

from services.models import ServiceCase
from webhooks.models import EventType
from webhooks.outbox import emit, emit_many, when


def _case(case: ServiceCase) -> dict:
    return {
        "case": case.pk,
        "household": case.household_id,
        "category": case.category,
        "urgency": case.urgency,
        "status": case.status,
        "level": case.level,
        "opened_at": when(case.opened_at),
        "due_on": when(case.due_on),
    }


def case_opened(case: ServiceCase) -> None:
    emit(EventType.CASE_OPENED, unit_id=case.household.unit_id, data=_case(case))


def case_closed(case: ServiceCase) -> None:
    emit(EventType.CASE_CLOSED, unit_id=case.household.unit_id, data=_case(case))


def cases_escalated(cases: list[ServiceCase]) -> None:
    """``cases`` with their households loaded (the deadline check's)."""
    emit_many(EventType.CASE_ESCALATED, lambda: [(c.household.unit_id, _case(c)) for c in cases])


def help_request_received(case: ServiceCase, *, new_case: bool) -> None:
    """A family asked from its door card: a new case, or a note on its open one."""
    emit(
        EventType.HELP_REQUEST_RECEIVED,
        unit_id=case.household.unit_id,
        data={**_case(case), "new_case": new_case},
    )
