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


def _json(schema: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _body(schema: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
ERRORS = {"400": ERROR_RESPONSE, "401": ERROR_RESPONSE, "403": ERROR_RESPONSE, "404": ERROR_RESPONSE}
CONFLICT = {
    "409": {**ERROR_RESPONSE, "description": "Stale version or a step the case's state does not allow"}
}


def _op(summary: str, operation_id: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "operationId": operation_id, "responses": {**responses, **ERRORS}, **extra}


PATHS.update(
    {
        "/reference": {
            "get": _op(
                "Code lists and regions", "getReference", {"200": {"description": "Vocabularies and regions"}}
            )
        },
        "/cases": {
            "get": _op(
                "List visible cases (keyset pagination: pass `next` back as `after`)",
                "listCases",
                {"200": _json("CaseList")},
                parameters=[
                    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                    for n in (
                        "status",
                        "risk_level",
                        "violence_type",
                        "kecamatan",
                        "case_manager",
                        "overdue",
                        "registered_from",
                        "registered_to",
                        "sort",
                        "after",
                        "limit",
                    )
                ],
            ),
            "post": _op(
                "Register a case (send an Idempotency-Key header to make retries safe)",
                "createCase",
                {
                    "201": _json("Case", "Created"),
                    "200": _json("Case", "Already created with this Idempotency-Key"),
                },
                requestBody=_body("CaseInput"),
                parameters=[
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    }
                ],
            ),
        },
        "/cases/{case_id}": {
            "get": _op("One case (audited view)", "getCase", {"200": _json("Case")}, parameters=[CASE_ID]),
            "patch": _op(
                "Change fields of a case; `version` is required and a stale one answers 409",
                "patchCase",
                {"200": _json("Case"), **CONFLICT},
                parameters=[CASE_ID],
                requestBody=_body("CasePatch"),
            ),
        },
        "/cases/{case_id}/transition": {
            "post": _op(
                "Take a lifecycle step",
                "transitionCase",
                {"200": _json("Case"), **CONFLICT},
                parameters=[CASE_ID],
                requestBody=_body("Transition"),
            )
        },
        "/cases/{case_id}/assign": {
            "post": _op(
                "Set case manager and team (supervisors)",
                "assignCase",
                {"200": _json("Case"), **CONFLICT},
                parameters=[CASE_ID],
                requestBody=_body("Assignment"),
            )
        },
        "/cases/{case_id}/notes": {
            "post": _op(
                "Add a note",
                "addNote",
                {"201": {"description": "Created"}},
                parameters=[CASE_ID],
                requestBody=_body("NoteInput"),
            )
        },
        "/cases/{case_id}/services": {
            "post": _op(
                "Record a service",
                "addService",
                {"201": {"description": "Created"}},
                parameters=[CASE_ID],
                requestBody=_body("ServiceInput"),
            )
        },
        "/cases/{case_id}/nik": {
            "post": _op(
                "Reveal the child's NIK (audited)",
                "revealNik",
                {"200": {"description": "The NIK"}},
                parameters=[CASE_ID],
            )
        },
        "/cases/{case_id}/access-log": {
            "get": _op(
                "Who viewed or changed the case (supervisors)",
                "caseAccessLog",
                {"200": {"description": "Audit events of the case"}},
                parameters=[CASE_ID],
            )
        },
        "/cases/search": {
            "post": _op(
                "Search by case number, child name or NIK (never in a URL)",
                "searchCases",
                {"200": _json("CaseList")},
                requestBody=_body("Search"),
            )
        },
    }
)

_CODE = {"type": "string", "description": "A code from GET /reference"}
_NULLABLE_CODE = {"type": ["string", "null"], "description": "A code from GET /reference"}

SCHEMAS.update(
    {
        "Child": {
            "type": "object",
            "required": ["name", "sex"],
            "properties": {
                "name": {"type": "string"},
                "nik": {
                    "type": ["string", "null"],
                    "description": "16 digits; null when not known. Never returned: "
                    "see POST /cases/{case_id}/nik",
                },
                "sex": {"type": "string", "enum": ["F", "M"]},
                "date_of_birth": {"type": ["string", "null"], "format": "date"},
                "age": {
                    "type": ["integer", "null"],
                    "description": "Estimated age when the date of birth is not known",
                },
                "disability": {"type": "boolean"},
                "address": {"type": "string"},
                "kelurahan": {"type": ["string", "null"], "description": "Kemendagri code of a kelurahan"},
                "school": {"type": "string"},
            },
        },
        "Incident": {
            "type": "object",
            "required": ["date", "violence_types"],
            "properties": {
                "date": {"type": "string", "format": "date"},
                "date_is_approximate": {"type": "boolean"},
                "kelurahan": {"type": ["string", "null"]},
                "place": _NULLABLE_CODE,
                "violence_types": {"type": "array", "items": _CODE, "minItems": 1},
                "primary_violence_type": _CODE,
                "ampk": {"type": "array", "items": _CODE},
                "narrative": {"type": "string"},
            },
        },
        "Party": {
            "type": "object",
            "required": ["role"],
            "properties": {
                "role": {"type": "string", "enum": ["guardian", "reporter", "perpetrator", "witness"]},
                "name": {"type": "string"},
                "phone": {"type": "string"},
                "address": {"type": "string"},
                "relationship": _NULLABLE_CODE,
                "sex": {"type": ["string", "null"], "enum": ["F", "M", None]},
                "age_group": {"type": ["string", "null"], "enum": ["0-5", "6-12", "13-17", "18+", None]},
                "is_child": {"type": "boolean"},
            },
        },
        "CaseInput": {
            "type": "object",
            "required": ["child", "incident", "channel", "risk_level"],
            "properties": {
                "child": {"$ref": "#/components/schemas/Child"},
                "incident": {"$ref": "#/components/schemas/Incident"},
                "parties": {"type": "array", "items": {"$ref": "#/components/schemas/Party"}},
                "channel": _CODE,
                "risk_level": {"type": "string", "enum": ["low", "medium", "high"]},
            },
        },
        "CasePatch": {
            "type": "object",
            "required": ["version"],
            "properties": {
                "version": {"type": "integer"},
                "child": {"type": "object"},
                "incident": {"type": "object"},
                "parties": {"type": "array"},
                "channel": _CODE,
                "risk_level": {"type": "string"},
            },
        },
        "Case": {
            "allOf": [{"$ref": "#/components/schemas/CaseInput"}],
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "case_number": {"type": "string", "example": "KDI-2026-00042"},
                "status": {
                    "type": "string",
                    "enum": ["new", "assessment", "intervention", "monitoring", "closed", "cancelled"],
                },
                "version": {"type": "integer"},
                "owner_agency": {"type": "string"},
                "case_manager": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "CaseSummary": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "case_number": {"type": "string"},
                "child_label": {"type": "string", "description": "Initials when the case is restricted"},
                "status": {"type": "string"},
                "risk_level": {"type": "string"},
            },
        },
        "CaseList": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/CaseSummary"}},
                "next": {"type": ["string", "null"]},
            },
        },
        "Transition": {
            "type": "object",
            "required": ["action", "version"],
            "properties": {
                "action": {
                    "type": "string",
                    "enum": [
                        "start_assessment",
                        "start_intervention",
                        "start_monitoring",
                        "back_to_intervention",
                        "record_first_contact",
                        "request_closure",
                        "approve_closure",
                        "return_closure",
                        "cancel",
                        "reopen",
                    ],
                },
                "reason": {"type": ["string", "null"]},
                "at": {"type": ["string", "null"], "format": "date-time"},
                "version": {"type": "integer"},
            },
        },
        "Assignment": {
            "type": "object",
            "required": ["case_manager", "version"],
            "properties": {
                "case_manager": {"type": "string"},
                "team": {"type": "array", "items": {"type": "string"}},
                "version": {"type": "integer"},
            },
        },
        "NoteInput": {
            "type": "object",
            "required": ["kind", "body"],
            "properties": {
                "kind": {"type": "string"},
                "body": {"type": "string"},
                "visibility": {"type": "string", "enum": ["case_team", "agency"]},
            },
        },
        "ServiceInput": {
            "type": "object",
            "required": ["service_type", "provider", "date", "outcome"],
            "properties": {
                "service_type": _CODE,
                "provider": {"type": "string"},
                "date": {"type": "string", "format": "date"},
                "outcome": {"type": "string", "enum": ["provided", "ongoing", "refused", "not_available"]},
                "note": {"type": "string"},
            },
        },
        "Search": {
            "type": "object",
            "required": ["by", "query"],
            "properties": {
                "by": {"type": "string", "enum": ["number", "name", "nik"]},
                "query": {"type": "string"},
            },
        },
    }
)


REF_ID = {"name": "referral_id", "in": "path", "required": True, "schema": {"type": "integer"}}
PATHS.update(
    {
        "/cases/{case_id}/referrals": {
            "post": _op(
                "Refer a case to another agency",
                "sendReferral",
                {"201": _json("Referral", "Sent")},
                parameters=[CASE_ID],
                requestBody=_body("ReferralInput"),
            )
        },
        "/referrals": {
            "get": _op(
                "Incoming (the agency's inbox) or outgoing (the user's cases) referrals",
                "listReferrals",
                {"200": {"description": "Referrals"}},
                parameters=[
                    {
                        "name": "box",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["incoming", "outgoing"]},
                    },
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                ],
            )
        },
        "/referrals/{referral_id}": {
            "get": _op(
                "One referral; the shared case sections for the receiving supervisor and assignee",
                "getReferral",
                {"200": _json("Referral")},
                parameters=[REF_ID],
            )
        },
        **{
            f"/referrals/{{referral_id}}/{step}": {
                "post": _op(
                    f"{step.capitalize()} the referral (guarded: a second answer gets 409)",
                    f"{step}Referral",
                    {"200": _json("Referral"), **CONFLICT},
                    parameters=[REF_ID],
                )
            }
            for step in ("accept", "assign", "decline", "complete", "withdraw")
        },
    }
)
SCHEMAS.update(
    {
        "ReferralInput": {
            "type": "object",
            "required": ["to_agency", "services", "urgency", "reason", "consent"],
            "properties": {
                "to_agency": {"type": "string"},
                "services": {"type": "array", "items": _CODE, "minItems": 1},
                "urgency": {"type": "string", "enum": ["emergency", "urgent", "routine"]},
                "reason": {"type": "string"},
                "shared_sections": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": ["identity", "contact", "incident", "perpetrator", "services", "notes"],
                    },
                },
                "consent": {
                    "type": "object",
                    "properties": {
                        "given_by": {"type": "string", "enum": ["child", "guardian", "not_required"]},
                        "name": {"type": "string"},
                        "obtained_at": {"type": "string", "format": "date"},
                        "legal_basis": {"type": "string"},
                    },
                },
            },
        },
        "Referral": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "case_number": {"type": "string"},
                "from_agency": {"type": "string"},
                "to_agency": {"type": "string"},
                "status": {"type": "string"},
                "urgency": {"type": "string"},
                "due_at": {"type": "string", "format": "date-time"},
                "overdue": {"type": "boolean"},
                "case": {
                    "type": "object",
                    "description": "Only the shared sections; absent sections are absent",
                },
            },
        },
    }
)


_REPORT_PARAMS = [
    {"name": "period", "in": "query", "schema": {"type": "string", "example": "2026-Q3"}},
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}},
]
PATHS.update(
    {
        "/reports/caseload": {
            "get": _op(
                "The supervisor's caseload dashboard (their agency)",
                "caseloadReport",
                {"200": {"description": "Dashboard figures, or a CSV/XLSX download"}},
                parameters=_REPORT_PARAMS,
            )
        },
        "/reports/recap": {
            "get": _op(
                "The task-force recap, small cells suppressed",
                "recapReport",
                {"200": {"description": "Suppressed tables, or a CSV/XLSX download"}},
                parameters=[*_REPORT_PARAMS, {"name": "agency", "in": "query", "schema": {"type": "string"}}],
            )
        },
    }
)
