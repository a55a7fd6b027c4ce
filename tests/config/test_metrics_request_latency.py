"""Each request's time is a histogram by the route's name, method and status class,
never by its path (which carries household numbers)."""

import re

import pytest

from tests.households.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def series(client, name: str) -> dict[str, float]:
    text = client.get("/metrics").content.decode()
    return {
        labels: float(value)
        for labels, value in re.findall(rf"^{name}\{{(.*?)\}} (\S+)$", text, flags=re.MULTILINE)
    }


def count(client, route: str, status: str) -> float:
    labels = f'method="GET",route="{route}",status="{status}"'
    return series(client, "hhl_http_request_duration_seconds_count").get(labels, 0.0)


def test_a_household_card_is_timed_under_its_route_name_and_not_its_number(client, people):
    client.force_login(people.worker)
    before = count(client, "households:card", "2xx")
    pk = people.household.pk

    assert client.get(f"/households/{pk}/").status_code == 200
    assert client.get(f"/households/{pk}/").status_code == 200

    assert count(client, "households:card", "2xx") == before + 2
    text = client.get("/metrics").content.decode()
    assert f"/households/{pk}" not in text
    assert 'hhl_http_request_duration_seconds_bucket{le="0.01",method="GET",route="households:card"' in text


def test_a_card_outside_the_users_scope_is_counted_as_a_4xx(client, people):
    client.force_login(people.worker)
    before = count(client, "households:card", "4xx")

    assert client.get(f"/households/{people.outside.pk}/").status_code == 404

    assert count(client, "households:card", "4xx") == before + 1


def test_a_path_no_route_matches_is_counted_as_unmatched(client):
    before = count(client, "unmatched", "4xx")

    client.get("/no-such-page-110101199003077777/")

    assert count(client, "unmatched", "4xx") == before + 1
    assert "110101199003077777" not in client.get("/metrics").content.decode()


def test_a_jobs_duration_and_the_rows_it_reported_are_counted(client, grid):
    from monitoring.tasks import generate_follow_ups
    from tests.households.factories import default_tier

    for code in ["red", "yellow", "green"]:
        HouseholdFactory(unit=grid.building_1, tier=default_tier(code))
    rows_before = series(client, "hhl_job_rows_total").get('task="monitoring.generate_follow_ups"', 0.0)
    runs = 'outcome="success",task="monitoring.generate_follow_ups"'
    runs_before = series(client, "hhl_celery_task_duration_seconds_count").get(runs, 0.0)

    created = generate_follow_ups.apply().get()

    assert created == 3
    assert series(client, "hhl_job_rows_total")['task="monitoring.generate_follow_ups"'] == rows_before + 3
    assert series(client, "hhl_celery_task_duration_seconds_count")[runs] == runs_before + 1


def test_a_method_the_client_made_up_is_counted_as_other(client):
    """The method is the client's to invent: each new name would be new series for ever."""
    labels = 'method="other",route="unmatched",status="4xx"'
    before = series(client, "hhl_http_request_duration_seconds_count").get(labels, 0.0)

    client.generic("BREWCOFFEE", "/no-such-page/")
    client.generic("brewtea", "/no-such-page/")

    assert series(client, "hhl_http_request_duration_seconds_count")[labels] == before + 2
    text = client.get("/metrics").content.decode()
    assert "BREWCOFFEE" not in text.upper() and "BREWTEA" not in text.upper()
