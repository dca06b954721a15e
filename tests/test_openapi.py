"""The OpenAPI document is generated from the routes and their schemas, and describes every answer."""

from __future__ import annotations

import re

import pytest

from tests.test_api import _bearer, _token


def _document(app, client, make_user) -> dict:
    token = _token(app, make_user().username)
    response = client.get("/api/v1/openapi.json", headers=_bearer(token))
    assert response.status_code == 200
    return response.json


def _refs(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_api_route_is_in_the_document_and_every_reference_resolves(app, client, make_user):
    doc = _document(app, client, make_user)
    assert doc["openapi"].startswith("3.1")
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1") :])
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    assert routes == {path: set(ops) for path, ops in doc["paths"].items()}
    schemas = doc["components"]["schemas"]
    for ref in _refs(doc):
        assert ref.startswith("#/components/schemas/") and ref.split("/")[-1] in schemas, ref
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert {"401", "429"} <= set(operation["responses"]), (path, method)
            assert operation["summary"], (path, method)


def test_the_me_answer_is_described_field_by_field(app, client, make_user):
    doc = _document(app, client, make_user)
    ok = doc["paths"]["/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    me = doc["components"]["schemas"][ok["$ref"].split("/")[-1]]
    assert me["additionalProperties"] is False
    assert set(me["required"]) == {"username", "display_name", "role", "agency", "permissions", "locale"}
    role = me["properties"]["role"]
    role_schema = doc["components"]["schemas"][role["$ref"].split("/")[-1]] if "$ref" in role else role
    assert set(role_schema["enum"]) == {
        "case_worker",
        "supervisor",
        "analyst",
        "reporting_officer",
        "auditor",
        "admin",
    }


def test_an_api_route_without_a_declaration_breaks_the_document(app):
    """Nothing under /api/v1 can be left out of the document: a route without @endpoint is an error."""
    from caseapp.api.openapi import UndocumentedRoute, document
    from caseapp.http.policy import require
    from caseapp.security.permissions import Permission

    @require(Permission.ACCOUNT_SELF)
    def stray():  # type: ignore[no-untyped-def]
        return {"ok": True}

    app.view_functions["api.stray"] = stray
    app.url_map.add(app.url_rule_class("/api/v1/stray", endpoint="api.stray", methods=["GET"]))
    with (
        app.test_request_context("/api/v1/openapi.json"),
        pytest.raises(UndocumentedRoute, match="api.stray"),
    ):
        document(app, "/api/v1")


def test_every_answer_field_is_typed(app, client, make_user):
    """Every property of every answer schema says its type (or refers to a schema that does)."""
    doc = _document(app, client, make_user)
    untyped = []
    for name, schema in doc["components"]["schemas"].items():
        for prop, spec in schema.get("properties", {}).items():
            if not ({"type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const"} & set(spec)):
                untyped.append(f"{name}.{prop}")
    assert untyped == []


def test_a_too_large_body_and_a_replayed_registration_are_documented(app, client, make_user):
    """Every body can be refused as too large (413); a registration retried with its key answers 200."""
    doc = _document(app, client, make_user)
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "413" in operation["responses"], (path, method)
    register = doc["paths"]["/cases"]["post"]
    assert {"200", "201", "404", "413"} <= set(register["responses"])
    assert register["responses"]["200"]["content"] == register["responses"]["201"]["content"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in register["parameters"])


def test_a_body_over_the_limit_answers_413_as_documented(app, client, make_user):
    from tests.test_api import _bearer, _token

    worker = make_user()
    headers = _bearer(_token(app, worker.username))
    big = b'{"x": "' + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = client.post("/api/v1/cases", data=big, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"]
