"""The API's map (the OpenAPI schema, Swagger UI) is for its users, not for anyone who
finds the address; and its page runs under the Content-Security-Policy."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_visitor_gets_no_schema_and_is_sent_to_log_in_for_the_docs(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 401
    assert docs.status_code == 302
    assert docs["Location"].startswith("/accounts/login/?next=/api/docs/")


def test_a_user_reads_the_schema_and_the_docs_whose_script_is_a_file(client, people):
    client.force_login(people.worker)

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert schema.status_code == 200 and b"openapi" in schema.content
    assert docs.status_code == 200
    page = docs.content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    assert "<style" not in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_a_token_reads_the_schema(client, people):
    from tests.accounts.factories import api_token

    key = api_token(people.worker)

    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
