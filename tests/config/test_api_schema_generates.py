"""The schema as a client generator reads it: one media type per body (multipart only
where a file is sent), ASCII title and operation ids, no Chinese titles to become class
names, strings a YAML reader could take for numbers quoted, every error documented in
the one ``Error`` shape, orderings listed."""

import re
import uuid

import pytest
import time_machine
import yaml
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def titles(node):
    if isinstance(node, dict):
        if isinstance(node.get("title"), str):
            yield node["title"]
        for value in node.values():
            yield from titles(value)
    elif isinstance(node, list):
        for value in node:
            yield from titles(value)


def test_bodies_are_json_and_multipart_only_where_a_photo_is_sent(schema):
    bodies = {
        (method, path): list(operation["requestBody"]["content"])
        for path, method, operation in operations(schema)
        if "requestBody" in operation
    }

    assert bodies.pop(("post", "/api/v1/visits/batch/")) == ["application/json", "multipart/form-data"]
    assert bodies and all(types == ["application/json"] for types in bodies.values())


def test_the_title_and_operation_ids_are_ascii_and_no_schema_has_a_chinese_title(schema):
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", schema["info"]["title"])
    for _path, _method, operation in operations(schema):
        assert re.fullmatch(r"[A-Za-z0-9_]+", operation["operationId"])
    assert all(title.isascii() for title in titles(schema["paths"]))
    assert all(title.isascii() for title in titles(schema["components"]))


def test_every_error_is_documented_in_the_one_shape(schema):
    error = {"$ref": "#/components/schemas/Error"}
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {"code", "message", "fields"}
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert {"400", "401", "403", "405", "406"} <= set(responses), (method, path)
        if "{" in path or "page" in {p["name"] for p in operation.get("parameters", [])}:
            assert "404" in responses, (method, path)  # a page past the end, too
        if method in ("post", "put", "patch"):
            assert "415" in responses, (method, path)
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == error, (method, path, code)


def test_every_list_lists_its_orderings_id_included(schema):
    for path, method, operation in operations(schema):
        ordering = [p for p in operation.get("parameters", []) if p["name"] == "ordering"]
        if ordering:
            assert {"id", "-id"} <= set(ordering[0]["schema"]["items"]["enum"]), (method, path)


def test_the_served_yaml_quotes_codes_a_reader_would_take_for_numbers(people):
    client = APIClient()
    client.force_authenticate(people.staff)

    response = client.get("/api/schema/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "- '08'" in text and "- 08\n" not in text
    document = yaml.safe_load(text)
    ethnicities = document["components"]["schemas"]["EthnicityEnum"]["enum"]
    assert "08" in ethnicities and all(isinstance(code, str) for code in ethnicities)


@time_machine.travel("2026-11-25 10:00 +0800", tick=False)
def test_the_visits_batch_takes_its_items_in_an_object_as_documented_and_a_bare_list_still(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    item = {"household": people.household.pk, "visited_at": "2026-11-25T09:30:00+08:00"}

    wrapped = client.post("/api/v1/visits/batch/", {"items": [{**item, "key": str(uuid.uuid4())}]})
    bare = client.post("/api/v1/visits/batch/", [{**item, "key": str(uuid.uuid4())}])

    assert wrapped.status_code == bare.status_code == 200
    assert [r["status"] for r in wrapped.json()["results"] + bare.json()["results"]] == ["created", "created"]


def test_the_token_endpoint_documents_its_lockout(schema):
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]

    assert responses["429"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
