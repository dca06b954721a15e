"""The OpenAPI 3.1 document of /api/v1; each area adds its paths here."""

from __future__ import annotations

from typing import Any

ERROR_RESPONSE = {
    "description": "Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}

PATHS: dict[str, dict[str, Any]] = {
    "/me": {
        "get": {
            "summary": "The signed-in user: identity, role, agency and permissions",
            "operationId": "getMe",
            "responses": {
                "200": {
                    "description": "The user",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Me"}}},
                },
                "401": ERROR_RESPONSE,
            },
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "getOpenApi",
            "responses": {"200": {"description": "OpenAPI 3.1 document"}, "401": ERROR_RESPONSE},
        }
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "fields"],
        "properties": {
            "error": {"type": "string", "description": "Machine-readable code, e.g. not_found"},
            "message": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
    "Me": {
        "type": "object",
        "required": ["username", "display_name", "role", "agency", "permissions", "locale"],
        "properties": {
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "role": {"type": "string", "enum": ["case_worker", "supervisor", "analyst", "auditor", "admin"]},
            "agency": {"type": "string", "description": "Agency code (reference/agencies.csv)"},
            "permissions": {"type": "array", "items": {"type": "string"}},
            "locale": {"type": "string"},
        },
    },
}


def document(server_url: str) -> dict[str, Any]:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "caseapp API",
            "version": "1",
            "description": "Child-protection case management. Codes are the reference codes; errors are "
            '{"error", "message", "fields"}.',
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": PATHS,
    }
