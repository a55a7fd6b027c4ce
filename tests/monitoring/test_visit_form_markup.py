"""The visit form as the phone's script finds it (data-outbox, the household, the key, a
multipart body), with the common visit first: mode, time, needs, Save; notes, photo and a
tier proposal after Save."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_form_carries_the_outbox_markers_and_puts_the_common_visit_before_save(people, client):
    client.force_login(people.worker)

    text = client.get(reverse("monitoring:log_visit", args=[people.household.pk])).content.decode()

    [form] = re.findall(r"<form [^>]*data-outbox=\"visit\"[^>]*>", text)
    assert f'data-household="{people.household.pk}"' in form
    assert 'enctype="multipart/form-data"' in form and 'method="post"' in form
    assert re.search(r'<input type="hidden" name="key" value="[0-9a-f-]{36}"', text)
    order = [
        text.index('name="mode" value="door"'),
        text.index('name="visited_at"'),
        text.index('name="needs" value="employment"'),
        text.index('type="submit"', text.index("save-bar")),
        text.index('name="notes"'),
        text.index('name="photo"'),
        text.index('name="propose_tier"'),
    ]
    assert order == sorted(order)
    assert re.search(r'name="mode" value="door" id="id_mode_0" checked', text)


def test_a_refused_visit_shows_each_reason_beside_its_field(people, client):
    client.cookies["django_language"] = "en"
    client.force_login(people.worker)

    page = client.post(
        reverse("monitoring:log_visit", args=[people.household.pk]),
        {"mode": "walk", "visited_at": "", "needs": ["flying"], "key": "not-a-key"},
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"mode", "visited_at", "needs", "key"}
    assert "Select a valid choice. walk is not one of the available choices." in text
    assert "Select a valid choice. flying is not one of the available choices." in text
    assert "Enter a valid UUID." in text and "This field is required." in text
