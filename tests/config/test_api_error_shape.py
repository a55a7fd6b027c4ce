"""Every error under /api/ answers in one JSON shape, ``{"code", "message", "fields"}``, in
the language the client asked for (Chinese by default): an unknown path, a body that is
not JSON, a record that does not exist, a refused field alike."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(people):
    client = APIClient()
    client.force_authenticate(people.staff)
    return client


def shape(response) -> dict:
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert response["Content-Type"].startswith("application/json")
    return body


def test_an_unknown_path_under_the_api_is_a_json_404_in_chinese(api):
    response = api.get("/api/v1/no-such-list/")

    assert response.status_code == 404
    assert shape(response) == {"code": "not_found", "message": "没有这个接口：请检查路径。", "fields": {}}


def test_an_unknown_path_answers_in_english_when_asked(api):
    response = api.get("/api/v2/households/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert shape(response)["message"] == "There is no such endpoint: check the path."


def test_a_path_without_its_slash_is_sent_to_it_when_read_and_named_when_written(api):
    read = api.get("/api/v1/households")
    written = api.post("/api/v1/households", {}, HTTP_ACCEPT_LANGUAGE="en")

    assert read.status_code == 301 and read["Location"] == "/api/v1/households/"
    assert written.status_code == 404 and "/api/v1/households/" in shape(written)["message"]


def test_a_body_that_is_not_json_is_a_400_in_the_callers_language(api):
    chinese = api.post("/api/v1/visits/", "{oops", content_type="application/json")
    english = api.post("/api/v1/visits/", "{oops", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert shape(chinese) == {"code": "parse_error", "message": "请求体不是有效的 JSON。", "fields": {}}
    assert shape(english)["message"] == "The body is not valid JSON."


def test_a_form_encoded_body_is_a_415(api):
    response = api.post("/api/v1/visits/", "household=1", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert shape(response)["code"] == "unsupported_media_type"


def test_a_record_that_does_not_exist_is_a_404_in_the_same_shape(api):
    chinese = api.get("/api/v1/households/999999/")
    english = api.get("/api/v1/households/999999/", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 404
    assert shape(chinese)["code"] == "not_found" and shape(chinese)["message"] == "未找到。"
    assert shape(english)["message"] == "Not found."


def test_no_credentials_is_a_401_in_the_same_shape():
    response = APIClient().get("/api/v1/households/")

    assert response.status_code == 401
    assert shape(response)["code"] == "not_authenticated"


def test_a_refused_field_is_named_under_fields(api, people):
    api.cookies["django_language"] = "en"
    response = api.post("/api/v1/visits/", {"household": people.household.pk, "colour": "red"})

    assert response.status_code == 400
    body = shape(response)
    assert body["code"] == "invalid"
    assert "colour" in body["fields"] and "colour" in body["message"]
