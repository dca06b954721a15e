"""The API foundation: bearer tokens, JSON errors, /me, the OpenAPI document, CSRF for browser sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import ApiToken, AuditEvent, User
from caseapp.services import users
from tests.conftest import enrol_mfa, step_up, totp_code
from tests.rawscan import scan_for


def _token(app, username: str, *extra: str) -> str:
    result = app.test_cli_runner().invoke(args=["user", "token", username, *extra])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_from_the_cli_reaches_me(app, client, make_user):
    user = make_user("supervisor", "POLRESTA")
    token = _token(app, user.username)
    assert token.startswith("cat_")
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 200
    body = response.json
    assert body["username"] == user.username and body["role"] == "supervisor" and body["agency"] == "POLRESTA"
    assert "case:assign" in body["permissions"] and "user:manage" not in body["permissions"]
    assert "Set-Cookie" not in response.headers  # a token request starts no browser session
    # The token rests only as a hash.
    assert scan_for(app, [token, token[12:]]) == []
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken.last_used_at)) is not None


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer cat_nonsense", "Basic dXNlcjpwYXNz", "Token x"])
def test_missing_or_bad_credentials_are_401_json(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized" and set(response.json) == {"error", "message", "fields"}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_deactivated_tokens_stop_working(app, client, make_user):
    user = make_user()
    admin = make_user("admin", "DP3A")
    short = _token(app, user.username, "--days", "1")
    revoked = _token(app, user.username, "--name", "to-revoke")
    deactivated = _token(app, user.username, "--name", "third")
    with time_machine.travel(timedelta(days=2)):
        assert client.get("/api/v1/me", headers=_bearer(short)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(revoked)).status_code == 200
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "to-revoke"))
        from caseapp.services import tokens

        tokens.revoke_token(db.session.get(User, user.id), row.id)
        db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(revoked)).status_code == 401
    with app.app_context():
        users.update_user(
            db.session.get(User, admin.id),
            db.session.get(User, user.id),
            "x",
            None,
            "case_worker",
            users.agency_by_code("UPTD_PPA"),
            False,
        )
        db.session.commit()
    assert client.get("/api/v1/me", headers=_bearer(deactivated)).status_code == 401


def test_token_cli_errors(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["user", "token", "ghost"]).exit_code == 2
    result = runner.invoke(args=["user", "token", "ghost", "--days", "0"])
    assert result.exit_code == 2


def test_json_errors_for_unknown_paths_and_methods(client, make_user, app):
    token = _token(app, make_user().username)
    missing = client.get("/api/v1/nothing", headers=_bearer(token))
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    wrong_method = client.delete("/api/v1/me", headers=_bearer(token))
    assert wrong_method.status_code == 405 and "error" in wrong_method.json


def test_browser_session_also_reaches_the_api(client, login_as):
    login_as("analyst", "BAPPEDA")
    assert client.get("/api/v1/me").json["role"] == "analyst"


@pytest.mark.csrf
def test_browser_session_writes_to_the_api_need_csrf(app, client, make_user):
    """A cookie-authenticated POST without a CSRF token is refused; a bearer POST is not asked for one."""
    from caseapp.http.policy import require
    from caseapp.security.permissions import Permission

    @require(Permission.ACCOUNT_SELF)
    def echo():
        return {"ok": True}

    app.view_functions["api.echo"] = echo
    app.url_map.add(app.url_rule_class("/api/v1/echo", endpoint="api.echo", methods=["POST"]))
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"username": user.username, "password": "kuda-lari-di-pantai-nambo", "csrf_token": csrf},
    )
    assert client.post("/api/v1/echo").status_code == 400
    token = _token(app, user.username)
    assert app.test_client().post("/api/v1/echo", headers=_bearer(token)).status_code == 200


def test_api_rate_limit(app_factory, make_user):
    app = app_factory(API_RATE_LIMIT="3 per minute")
    token = _token(app, make_user().username)
    client = app.test_client()
    codes = [client.get("/api/v1/me", headers=_bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_tokens_page_shows_a_new_token_once_and_revokes(app, client, login_as):
    login_as("supervisor")
    secret = enrol_mfa(client)
    step_up(client, code=totp_code(secret))
    response = client.post("/account/tokens", data={"name": "laporan bulanan", "days": "30"})
    page = response.get_data(as_text=True)
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert token not in listing and token[:12] in listing
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    client.post(f"/account/tokens/{token_id}/revoke")
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 401
    bad = client.post("/account/tokens", data={"name": "", "days": "999"})
    assert bad.status_code == 400


def test_someone_elses_token_cannot_be_revoked(app, client, login_as, make_user):
    other = make_user()
    _token(app, other.username)
    login_as("case_worker")
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id))
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{token_id + 1000}/revoke").status_code == 404  # no such token
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is None
        # Found by review: refused with nothing on record. Both are denials now, alike (an id that names
        # no token answers and costs the same as another user's).
        denied = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "authz.deny")).all()
        assert [(e.object_type, e.object_id, e.outcome) for e in denied] == [
            ("api_token", str(token_id), "denied"),
            ("api_token", str(token_id + 1000), "denied"),
        ]
        assert '"permission": "account:self"' in denied[0].details


def test_password_is_never_stored_in_plaintext(app, make_user):
    make_user(username="canary.user")
    assert scan_for(app, ["kuda-lari-di-pantai-nambo"]) == []


def test_the_api_rate_limit_counts_per_token_not_per_address(app_factory, make_user):
    """One busy token behind an office's shared address does not throttle the others."""
    app = app_factory(API_RATE_LIMIT="3 per minute")
    busy = _bearer(_token(app, make_user().username))
    other = _bearer(_token(app, make_user().username))
    client = app.test_client()
    assert [client.get("/api/v1/me", headers=busy).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get("/api/v1/me", headers=other).status_code == 200
