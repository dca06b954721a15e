"""The role table, the url_map policy walk and the role x endpoint access matrix."""

import re

import pytest

from caseapp.http.policy import HIDE_ATTR, PUBLIC, policy_of
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission, Role, role_has
from tests.conftest import make_app

# The short list of endpoints anyone may reach without signing in.
PUBLIC_ALLOWLIST = {"static", "auth.login", "main.set_locale", "main.health", "main.favicon"}

CASE_CONTENT = {p for p in Permission if p.value.startswith(("case:", "referral:"))}


def test_every_role_has_a_row():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_admin_and_auditor_and_analyst_never_see_case_content():
    for role in (Role.ADMIN, Role.AUDITOR, Role.ANALYST, Role.REPORTING_OFFICER):
        assert not (ROLE_PERMISSIONS[role] & CASE_CONTENT), role


def test_only_supervisors_approve_closure_and_assign():
    holders = {r for r in Role if role_has(r, Permission.CASE_CLOSE_APPROVE)}
    assert holders == {Role.SUPERVISOR}
    assert {r for r in Role if role_has(r, Permission.CASE_ASSIGN)} == {Role.SUPERVISOR}


def test_only_admin_manages_users_and_auditor_reads_audit():
    assert {r for r in Role if role_has(r, Permission.USER_MANAGE)} == {Role.ADMIN}
    assert {r for r in Role if role_has(r, Permission.AUDIT_READ)} == {Role.AUDITOR}


def test_only_the_task_force_reads_the_recap_of_every_agency():
    assert {r for r in Role if role_has(r, Permission.REPORT_ALL_AGENCIES)} == {
        Role.ANALYST,
        Role.REPORTING_OFFICER,
    }
    # Exact case-level figures: the reporting officer alone.
    assert {r for r in Role if role_has(r, Permission.REPORT_SIMFONI)} == {Role.REPORTING_OFFICER}
    # Whoever may choose the agency reads the recap at all.
    assert all(
        role_has(r, Permission.REPORT_AGGREGATE) for r in Role if role_has(r, Permission.REPORT_ALL_AGENCIES)
    )


def test_unknown_role_has_nothing():
    assert not role_has("superuser", Permission.ACCOUNT_SELF)


def test_every_endpoint_declares_a_policy(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db")
    missing, public_not_allowed = [], []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        policy = policy_of(view)
        if rule.endpoint in PUBLIC_ALLOWLIST:
            continue
        if policy is None:
            missing.append(rule.endpoint)
        elif policy == PUBLIC:
            public_not_allowed.append(rule.endpoint)
        else:
            assert isinstance(policy, Permission), rule.endpoint
    assert missing == [], f"endpoints without a declared permission: {missing}"
    assert public_not_allowed == [], f"public endpoints not on the allowlist: {public_not_allowed}"


def _concrete_urls(app):
    """One URL per rule, with 1 for every integer argument and a dummy for others."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ALLOWLIST:
            continue
        url = re.sub(r"<int[^>]*>", "1", rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_anonymous_is_refused_everywhere_but_the_allowlist(app, client):
    for endpoint, method, url in _concrete_urls(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (endpoint, method, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), endpoint


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_endpoint_matrix(app, client, login_as, make_user, role):
    """Each role reaches exactly the endpoints whose permission it holds; others answer 403."""
    make_user("case_worker", "DINSOS")  # id 1: the object of /<int:...>/ URLs, never the signed-in user
    user = login_as(role, "DP3A")
    for endpoint, method, url in _concrete_urls(app):
        if endpoint == "auth.logout":
            continue  # would end the session the matrix runs in
        view = app.view_functions[endpoint]
        permission = policy_of(view)
        response = client.open(url, method=method, data={})
        if role_has(user.role, permission):
            assert response.status_code != 403, (role, endpoint)
        else:
            # URLs naming a record answer 404 so that its existence does not leak; others 403.
            hidden = getattr(view, HIDE_ATTR, False) and not role_has(user.role, Permission.CASE_READ)
            expected = 404 if hidden else 403
            assert response.status_code == expected, (role, endpoint, response.status_code)


def test_every_lookup_by_id_outside_the_scope_is_404_and_its_denial_audited(app, client, make_user):
    """Deny by default, one way for every record named in a URL: a record of a case outside the user's
    scope, an id that is not one and an id with a NUL all answer 404 (never which) and each attempt is on
    record as `authz.deny` with the record's type and the permission it was asked under."""
    import io
    import json

    from caseapp.extensions import db
    from caseapp.models import AuditEvent
    from tests.casedata import register
    from tests.test_attachments import pdf
    from tests.test_intake import COMPLAINT
    from tests.test_practice import ASSESSMENT, _plan, _token

    owner, spv = make_user("case_worker", "UPTD_PPA"), make_user("supervisor", "UPTD_PPA")
    outsider = make_user("supervisor", "DINSOS")  # holds every permission these routes ask for
    with app.app_context():
        case = register(owner)
    w, s = _token(app, owner), _token(app, spv)
    base = f"/api/v1/cases/{case.uuid}"

    def made(response):
        assert response.status_code == 201, response.json
        return response.json

    assessment = made(client.post(f"{base}/assessments", json=ASSESSMENT, headers=w))["id"]
    plan = made(client.post(f"{base}/care-plans", json=_plan(), headers=w))["id"]
    conference = {
        "held_on": "2026-11-20",
        "decisions": "Rujuk ke psikolog",
        "tasks": [{"description": "Jadwalkan konseling", "owner": owner.username, "due_date": "2026-12-10"}],
    }
    task = made(client.post(f"{base}/conferences", json=conference, headers=w))["tasks"][0]["id"]
    stay = {"shelter_place": "Rumah aman", "admitted_on": "2026-11-20"}
    stay_id = made(client.post(f"{base}/shelter-stays", json=stay, headers=w))["id"]
    attachment = made(
        client.post(
            f"{base}/attachments",
            data={"file": (io.BytesIO(pdf()), "visum.pdf"), "kind": "visum"},
            headers=w,
            content_type="multipart/form-data",
        )
    )["id"]
    complaint = made(client.post("/api/v1/complaints", json=COMPLAINT, headers=s))["id"]
    discharge = {"discharged_on": "2026-11-21", "reason": "returned_home"}
    # Each denial names the permission of the step asked for (the web's and the API's alike).
    lookups = [
        ("GET", "/api/v1/cases/{}", None, case.uuid, "case", "case:read"),
        ("GET", "/api/v1/cases/{}/legal-events", None, case.uuid, "case", "case:read"),
        ("POST", "/api/v1/assessments/{}/review", None, assessment, "assessment", "case:review"),
        ("POST", "/api/v1/care-plans/{}/approve", None, plan, "care_plan", "case:review"),
        ("POST", "/api/v1/tasks/{}/complete", {}, task, "task", "case:update"),
        ("POST", "/api/v1/shelter-stays/{}/discharge", discharge, stay_id, "shelter_stay", "case:update"),
        ("GET", "/api/v1/attachments/{}", None, attachment, "attachment", "case:read"),
        ("GET", "/api/v1/complaints/{}", None, complaint, "complaint", "complaint:handle"),
    ]
    headers = _token(app, outsider)
    for method, template, body, real, object_type, permission in lookups:
        for asked in (str(real), "not-an-id", "a\x00b"):
            with app.app_context():
                before = db.session.scalar(db.select(db.func.max(AuditEvent.seq)))
            answer = client.open(template.format(asked), method=method, json=body, headers=headers)
            assert answer.status_code == 404, (template, asked, answer.status_code)
            with app.app_context():
                stmt = db.select(AuditEvent).where(AuditEvent.seq > before, AuditEvent.action == "authz.deny")
                denials = list(db.session.scalars(stmt))
            assert [(d.object_type, json.loads(d.details)["permission"]) for d in denials] == [
                (object_type, permission)
            ], (template, asked)
            if asked == str(real):
                assert denials[0].object_id == str(real)
