"""The OpenAPI 3.1 document of /api/v1, generated from the route table and the schemas of each operation.

Nothing here describes an endpoint by hand: each API route's `@endpoint` declaration gives its body,
query, answer and extra statuses; its `@require` policy gives 403/404; pydantic writes the JSON Schemas and
apispec assembles the document. A route under the API without a declaration is an error (and a test
fails), so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import Flask
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from caseapp.api.endpoint import Operation, operation_of
from caseapp.http.policy import HIDE_ATTR, PUBLIC, policy_of
from caseapp.schemas.common import ErrorOut

REF = "#/components/schemas/{model}"
_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted: the work goes on in the background (Location: where to follow it)",
    204: "No content",
    400: "The input is malformed or breaks a rule; `fields` names each bad field by its dotted path",
    401: "No valid bearer token (or browser session)",
    403: "The role does not allow this",
    404: "No such record, or outside the user's scope (never says which)",
    405: "Method not allowed (the Allow header lists the allowed ones)",
    409: "The record changed meanwhile (stale version) or its state does not allow the step",
    413: "The request is too large",
    422: "The input is understood but cannot be processed",
    429: "Too many requests (Retry-After says when to try again)",
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any string up to 200 characters, new for each new record: a retry with the same key "
    "answers 200 with the record the first request created instead of creating another (a longer "
    "key counts by its first 200 characters)",
    "schema": {"type": "string"},
}


class UndocumentedRoute(RuntimeError):
    """An API route has no `@endpoint` declaration."""


def _path_and_parameters(rule: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for match in _ARG.finditer(rule):
        schema: dict[str, Any] = {"type": "string"}
        if match["converter"] == "int":
            schema = {"type": "integer", "minimum": 0}
            maximum = re.search(r"max\s*=\s*(\d+)", match["args"] or "")
            if maximum:
                schema["maximum"] = int(maximum.group(1))
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _ARG.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    components.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _multipart_schema(operation: Operation, components: dict[str, Any]) -> dict[str, Any]:
    """The text fields of a multipart body (from its schema) and its file part."""
    assert operation.form is not None
    schema = operation.form.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    schema.pop("title", None)
    if operation.upload:
        schema.setdefault("properties", {})[operation.upload] = {"type": "string", "format": "binary"}
        schema["required"] = [operation.upload, *schema.get("required", [])]
    return schema


def _content(schema: dict[str, Any], media_type: str = "application/json") -> dict[str, Any]:
    return {media_type: {"schema": schema}}


def _statuses(operation: Operation, view: Any, has_path_args: bool) -> list[int]:
    policy = policy_of(view)
    codes = {401, 429, *operation.errors}
    if operation.body is not None or operation.query is not None or operation.form is not None:
        codes.add(400)
    if operation.upload is not None or operation.body is not None:
        codes.add(413)  # every body has a size limit (MAX_CONTENT_LENGTH; an upload its own)
    if operation.idempotent:
        codes.add(404)  # a replayed key whose record has left the caller's scope
    if policy not in (None, PUBLIC):
        codes.add(403)
    if getattr(view, HIDE_ATTR, False) or has_path_args:
        codes.add(404)
    return sorted(codes)


def document(app: Flask, base_url: str) -> dict[str, Any]:
    """Return the OpenAPI document of the API blueprint's routes."""
    spec = APISpec(
        title="caseapp API",
        version="1",
        openapi_version="3.1.0",
        info={
            "description": (
                "Child-protection case management. Codes are the reference codes (GET /reference); "
                "times are UTC (ISO 8601). Errors: {error, message, fields}."
            )
        },
        servers=[{"url": base_url}],
        security=[{"bearerAuth": []}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    operations: list[tuple[str, str, str, Operation, Any]] = []
    models: list[tuple[type[BaseModel], Any]] = [(ErrorOut, "serialization")]
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        operation = operation_of(view)
        if operation is None:
            raise UndocumentedRoute(f"{rule.endpoint} ({rule.rule}) has no @endpoint declaration")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((rule.rule, method.lower(), rule.endpoint, operation, view))
        if operation.body is not None:
            models.append((operation.body, "validation"))
        if isinstance(operation.response, type) and issubclass(operation.response, BaseModel):
            models.append((operation.response, "serialization"))
    refs, defs = models_json_schema(models, ref_template=REF)
    components: dict[str, Any] = dict(defs.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for route, method, endpoint_name, operation, view in operations:
        path, parameters = _path_and_parameters(route.removeprefix(base_url))
        if operation.query is not None:
            parameters += _query_parameters(operation.query, components)
        doc = (view.__doc__ or "").strip()
        summary, _sep, description = doc.partition("\n")
        op: dict[str, Any] = {
            "operationId": endpoint_name.removeprefix("api.") + ("" if method in ("get", "post") else method),
            "summary": summary.strip(),
            "tags": [operation.tag or path.strip("/").split("/")[0]],
            "responses": {},
        }
        if description.strip():
            op["description"] = " ".join(description.split())
        if parameters:
            op["parameters"] = parameters
        if operation.body is not None:
            # A body whose schema takes null may be left out (the endpoint reads no body as null).
            optional = "null" in operation.body.model_json_schema().get("type", [])
            op["requestBody"] = {
                "required": not optional,
                "content": _content(refs[(operation.body, "validation")]),
            }
        if operation.form is not None:
            op["requestBody"] = {
                "required": True,
                "content": _content(_multipart_schema(operation, components), "multipart/form-data"),
            }
        ok: dict[str, Any] = {"description": STATUS_TEXT.get(operation.status, "OK")}
        if operation.media_types:
            # A download-only operation (no JSON answer) lists its files alone.
            ok["content"] = (
                _content(_answer_schema(operation, refs)) if operation.response is not None else {}
            )
            for media_type in operation.media_types:
                ok["content"].update(_content({"type": "string", "format": "binary"}, media_type))
        elif operation.response is not None:
            ok["content"] = _content(_answer_schema(operation, refs))
        if operation.status == 202:
            ok["headers"] = {"Location": {"schema": {"type": "string"}}}
        op["responses"][str(operation.status)] = ok
        if operation.idempotent:
            op.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            op["responses"]["200"] = {
                "description": "A repeated request with the same Idempotency-Key: what the first one created",
                "content": ok.get("content", {}),
            }
        error = refs[(ErrorOut, "serialization")]
        for code in _statuses(operation, view, bool(parameters and "{" in path)):
            text = STATUS_TEXT.get(code, "Error")
            response: dict[str, Any] = {"description": text, "content": _content(error)}
            if code == 429:
                response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
            op["responses"][str(code)] = response
        paths.setdefault(path, {})[method] = op
    for name, schema in sorted(components.items()):
        spec.components.schema(name, schema)
    for path, ops in paths.items():
        spec.path(path=path, operations=ops)
    return spec.to_dict()


def _answer_schema(operation: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    response = operation.response
    if response is None:
        return {"type": "object"}
    key = (response, "serialization")
    if key in refs:
        return dict(refs[key])
    return TypeAdapter(response).json_schema(ref_template=REF, mode="serialization")
