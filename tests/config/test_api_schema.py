"""The OpenAPI schema documents, for every operation, the errors it can answer with."""

import jsonschema
import pytest
import yaml
from django.core.management import call_command
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


def test_the_schema_is_valid_openapi_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    # --validate raises on an invalid document, --fail-on-warn on any generator warning.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    document = yaml.safe_load(target.read_text())
    assert document["openapi"].startswith("3.")
    assert "/api/v1/households/" in document["paths"] and len(document["paths"]) >= 25


def test_the_validator_would_refuse_a_broken_schema(schema):
    broken = {**schema, "paths": {"/api/v1/households/": {"get": {"responses": "none"}}}}

    with pytest.raises(jsonschema.ValidationError):
        validate_schema(broken)


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
