"""Every export is in the audit log as well as in the export log: who, what, how many rows,
and whether full ID numbers left."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from households.models import ExportLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "full"), [("staff", True), ("worker", False)])
def test_an_export_is_recorded_with_its_kind_rows_and_whether_numbers_were_full(
    people, grid, client, who, full
):
    client.force_login(getattr(people, who))

    response = client.post(
        reverse("households:export"),
        {"unit": "B1", "kind": "households", "start": "2026-11-01", "end": "2026-11-25"},
    )

    assert response.status_code == 200, response.content[:500]
    log = ExportLog.objects.get()
    (event,) = AuditEvent.objects.filter(action=Action.EXPORTED)
    assert (event.user_id, event.target_type, event.target_ids, event.address) == (
        getattr(people, who).pk,
        "households.exportlog",
        [log.pk],
        "127.0.0.1",
    )
    assert event.detail == {
        "kind": "households",
        "unit": grid.building_1.pk,
        "rows": log.rows,
        "full_id_numbers": full,
    }
