"""The OpenAPI schema documents, for every operation, the errors it can answer with."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if method in ("post", "put", "patch"):
            assert "400" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
            assert "scope" in responses["404"]["description"]


def test_filters_are_documented_with_the_400_a_bad_value_gets(schema):
    households = schema["paths"]["/api/v1/households/"]["get"]
    names = {p["name"] for p in households["parameters"]}
    assert {"unit", "tier", "label", "status", "ordering", "page", "page_size"} <= names
    assert "400" in households["responses"]
