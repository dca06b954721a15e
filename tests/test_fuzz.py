"""Hostile input on every API operation, on both databases: NUL bytes, huge values and deep JSON answer 4xx,
never a server error. The operations come from the generated OpenAPI document, so a new endpoint is fuzzed
without anyone adding it here."""

from __future__ import annotations

import json

from tests.casedata import register
from tests.conftest import login
from tests.test_openapi import _bearer, _token

NUL = "a\x00b"
HUGE = "9" * 100_000
DEEP = "[" * 50_000 + "]" * 50_000
BODIES = [
    NUL,  # not JSON
    DEEP,
    json.dumps({"x": NUL}),
    json.dumps({"version": 10**40, "period": HUGE, "password": NUL}),
    json.dumps([NUL] * 3),
]


def _path(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def test_hostile_input_never_breaks_an_operation(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
    headers = _bearer(_token(app, worker.username))
    doc = client.get("/api/v1/openapi.json", headers=headers).json
    real = {"case_id": str(case.uuid), "referral_id": "1", "attachment_id": "1", "assessment_id": "1"}
    hostile_ids = [NUL, HUGE, "%00", "1" * 40, "-1"]
    failures = []
    for template, operations in doc["paths"].items():
        for method, operation in operations.items():
            path = "/api/v1" + template
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            urls = [_path(path, {n: real.get(n, "1") for n in names})]
            urls += [_path(path, dict.fromkeys(names, bad)) for bad in hostile_ids if names]
            for url in urls:
                for bad in (NUL, HUGE):
                    params = dict.fromkeys(query, bad)
                    kwargs = {"query_string": params, "headers": headers}
                    if method in ("post", "patch", "put"):
                        for body in BODIES:
                            answer = client.open(
                                url,
                                method=method.upper(),
                                data=body,
                                content_type="application/json",
                                **kwargs,
                            )
                            if answer.status_code >= 500:
                                failures.append((method, url[:80], body[:20], answer.status_code))
                    else:
                        answer = client.open(url, method=method.upper(), **kwargs)
                        if answer.status_code >= 500:
                            failures.append((method, url[:80], bad[:5], answer.status_code))
    assert not failures, failures


def test_a_nul_byte_in_the_sign_in_and_password_forms_is_a_form_error(app, client, make_user):
    """Before sign-in (PostgreSQL refuses NUL in text) and after: the form answers, nothing breaks."""
    worker = make_user("case_worker", "UPTD_PPA")
    refused = client.post("/login", data={"username": NUL, "password": NUL})
    assert refused.status_code in (400, 401), refused.status_code
    assert client.get("/cases/").status_code == 302  # still signed out
    wrong = client.post("/login", data={"username": worker.username, "password": NUL})
    assert wrong.status_code in (400, 401)

    assert login(client, worker.username).status_code == 302
    changed = client.post(
        "/account/password", data={"current_password": NUL, "new_password": NUL, "confirm": NUL}
    )
    assert changed.status_code in (200, 400), changed.status_code
    search = client.get("/cases/", query_string={"q": NUL, "sort": NUL, "case_manager": NUL})
    assert search.status_code in (200, 400), search.status_code
