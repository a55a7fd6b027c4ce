"""A resident ID or mobile number never stands in a URL: a query string carrying one is
refused before any view runs (the admin's search box included), audited without the
number, and the logs mask any that gets into a message."""

import io
import logging
import sys

import pytest
from django.contrib import admin

from audit.models import Action, AuditEvent, Outcome
from common.personal import carries_personal_number, mask_personal_numbers
from tests.grids.factories import UserFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
OLD_ID_NUMBER = "110105491231002"
MOBILE = "13912345678"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(
    "query",
    [
        f"q={ID_NUMBER}",
        f"q={ID_NUMBER.lower()}",
        f"q={OLD_ID_NUMBER}",
        f"phone={MOBILE}",
        "q=%EF%BC%91%EF%BC%93%EF%BC%99%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98",
        f"search=%E7%8E%8B+{MOBILE}",
        f"{MOBILE}=",
        f"page=2&q=+{ID_NUMBER}+",
    ],
    ids=[
        "id",
        "id-lower-x",
        "first-generation-id",
        "mobile",
        "full-width",
        "inside-words",
        "as-a-name",
        "second",
    ],
)
def test_a_query_string_with_an_id_or_mobile_number_is_refused_and_audited_without_it(english, people, query):
    english.force_login(people.worker)

    response = english.get(f"/?{query}")

    assert response.status_code == 400
    page = response.content.decode()
    assert "may not stand in a web address" in page
    assert 'href="/households/find/"' in page
    assert ID_NUMBER not in page and MOBILE not in page and OLD_ID_NUMBER not in page
    event = AuditEvent.objects.get(action=Action.SEARCHED)
    assert event.outcome == Outcome.REFUSED
    assert event.username == "worker"
    assert event.detail == {"reason": "personal data in the query string", "path": "/"}


def test_the_api_refuses_such_a_query_string_too(client, people):
    client.force_login(people.worker)

    assert client.get(f"/api/v1/households/?search={MOBILE}").status_code == 400
    assert client.get(f"/api/v1/members/?id_number={ID_NUMBER}").status_code == 400


def test_a_visitor_is_refused_and_audited_by_address(client):
    response = client.get(f"/accounts/login/?next=/%3Fq%3D{MOBILE}")

    assert response.status_code == 400
    event = AuditEvent.objects.get(action=Action.SEARCHED)
    assert event.user_id is None and event.address == "127.0.0.1"


@pytest.mark.parametrize(
    "query",
    [
        "page=12&page_size=50",
        "unit=B1&tier=red&status=active",
        "due_from=2026-01-01&due_to=2026-12-31",
        "household=123456&year=2025",
        "_=1701388800000",  # a timestamp in milliseconds: 13 digits
        "unit=530326001001",  # a village's statistical division code: 12 digits
        "code=530326001001001234567",  # longer than any ID number
        "number=HH13912345678",  # letters glued to it: a code, not a number alone
        "worker=12&wall=1&dark=1",
    ],
)
def test_the_parameters_the_pages_and_the_api_use_pass(client, people, query):
    client.force_login(people.staff)

    for path in ("/wall/", "/api/v1/households/"):
        # The wall may still refuse a unit it does not know, with its own words.
        response = client.get(f"{path}?{query}")
        assert b"may not stand in a web address" not in response.content, (path, query)
    assert not AuditEvent.objects.filter(action=Action.SEARCHED).exists()


def searchable_admins():
    return [
        pytest.param(model, id=model._meta.label)
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields
    ]


@pytest.mark.parametrize("model", searchable_admins())
@pytest.mark.parametrize("number", [ID_NUMBER, OLD_ID_NUMBER, MOBILE])
def test_every_admin_search_box_refuses_an_id_or_mobile_number_and_points_to_the_find_page(
    english, people, model, number
):
    english.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"

    response = english.get(changelist, {"q": number})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="/admin/households/household/find/"' in page
    assert "Nothing was searched" in page
    assert people.household.number not in page and "result" not in page.lower()


def test_the_admin_search_box_still_finds_by_household_number(admin_client, people):
    response = admin_client.get("/admin/households/household/", {"q": people.household.number})

    assert response.status_code == 200
    assert people.household.number in response.content.decode()


def test_id_and_mobile_numbers_are_told_apart_from_other_numbers():
    assert carries_personal_number(f"GET /?q={ID_NUMBER}")
    assert carries_personal_number("电话１３９１２３４５６７８")
    assert not carries_personal_number("1391234567")  # ten digits
    assert not carries_personal_number("12912345678")  # 12x is no mobile prefix
    assert not carries_personal_number("2026-11-30 22:15:00")
    assert mask_personal_numbers(f"id={ID_NUMBER}&m={MOBILE}") == "id=***&m=***"
    assert mask_personal_numbers("电话：１３９１２３４５６７８。") == "电话：***。"


def printed(logger_name: str, message: str, *args) -> str:
    """What the handlers of a logger (and of its ancestors, as propagation goes) print."""
    logger = logging.getLogger(logger_name)
    record = logger.makeRecord(logger_name, logging.INFO, __file__, 1, message, args, None)
    out = io.StringIO()
    handlers = []
    while logger:
        # Ours, not pytest's capturing handlers (subclasses of StreamHandler).
        handlers += [h for h in logger.handlers if type(h) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    assert handlers
    for handler in handlers:
        previous = handler.setStream(out)
        try:
            handler.handle(record)
        finally:
            handler.setStream(previous)
    return out.getvalue()


def test_runservers_request_log_masks_id_and_mobile_numbers():
    line = printed(
        "django.server", '"%s" %s %s', f"GET /admin/households/household/?q={ID_NUMBER} HTTP/1.1", 400, 99
    )

    assert "GET /admin/households/household/?q=*** HTTP/1.1" in line
    assert ID_NUMBER not in line


def test_every_other_log_line_masks_them_too():
    line = printed("households.tasks", "could not reach %s for %s", MOBILE, "某人")

    assert line.strip() == "could not reach *** for 某人"


def test_an_exceptions_text_in_a_log_is_masked():
    logger = logging.getLogger("monitoring")
    try:
        raise ValueError(f"bad number {MOBILE}")
    except ValueError:
        record = logger.makeRecord("monitoring", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    (handler,) = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        handler.handle(record)
    finally:
        handler.setStream(previous)

    assert "ValueError: bad number ***" in out.getvalue()
    assert MOBILE not in out.getvalue()
