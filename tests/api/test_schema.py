"""The OpenAPI schema in the repository is the one the code generates, and it serves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = "python manage.py spectacular --file docs/openapi.yaml"


def test_the_committed_schema_is_the_generated_one():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    generated = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
    assert COMMITTED.read_text() == generated, f"the API changed: run `{REGENERATE}`"


def test_every_operation_documents_its_errors_and_an_example():
    schema = yaml.safe_load(COMMITTED.read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert {"401", "429"} <= set(responses), where
            assert any(code.startswith("2") for code in responses), where
            examples = [
                body.get("examples")
                for response in responses.values()
                for body in response.get("content", {}).values()
            ]
            assert any(examples), f"{where} has no example"
            if method in {"post", "patch"}:
                assert "requestBody" in operation and "400" in responses, where


@pytest.mark.django_db
def test_the_schema_and_docs_are_served_inside_the_csp(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert yaml.safe_load(schema.content)["info"]["title"] == "CaseDesk API"
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "<script>" not in html and "<style>" not in html  # nothing inline
        assert "//cdn" not in html and "googleapis" not in html
        policy = page["Content-Security-Policy"]
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
    swagger = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in swagger
    assert "unsafe-inline" not in client.get("/api/docs/")["Content-Security-Policy"]
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_schema_declares_links_for_the_stateful_run():
    """Schemathesis's stateful test follows these: without them it has nothing to chain."""
    schema = yaml.safe_load(COMMITTED.read_text())
    opened = schema["paths"]["/api/v1/cases/"]["post"]["responses"]["201"]["links"]
    assert opened["v1_cases_interactions_create"]["parameters"] == {
        "reference": "$response.body#/reference"
    }
    operation_ids = {
        operation["operationId"]
        for operations in schema["paths"].values()
        for operation in operations.values()
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                assert set(response.get("links", {})) <= operation_ids
