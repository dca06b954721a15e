"""Who is asking: Flask-Login wired to bearer tokens and server-side sessions; the fail-closed login check.

Recording a token's or session's last use is sign-in bookkeeping, not the request's work: it commits in
its own step before the view runs, so a refused request neither loses it nor holds SQLite's write lock.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user

from caseapp.extensions import db
from caseapp.http.policy import PUBLIC, policy_of
from caseapp.models import User
from caseapp.services import auth, mfa, tokens

# Endpoints without a view function of ours that still must be reachable anonymously.
PUBLIC_ENDPOINTS = frozenset({"static"})
# What a user who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "main.set_locale"})
# What a browser that gave the right password but not yet the second factor may reach.
SECOND_FACTOR_ENDPOINTS = frozenset({"auth.two_factor", "auth.mfa_setup", "auth.logout", "main.set_locale"})

SESSION_KEY = "sid"


def _load_user_from_bearer(header: str) -> User | None:
    g.auth_method = "token"
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    row = tokens.authenticate_token(secret.strip())
    if row is None:
        return None
    if tokens.touch_token(row):
        db.session.commit()
    g.api_token = row
    return row.user


def _load_user(request: Any) -> User | None:
    """Authenticate by bearer token (API clients) or by the server-side session (browsers)."""
    header = request.headers.get("Authorization")
    if header:
        return _load_user_from_bearer(header)
    g.auth_method = "session"
    return _load_user_from_session()


def _load_user_from_session() -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    row = auth.load_session(token)
    if row is None:
        session.pop(SESSION_KEY, None)
        g.session_expired = True
        return None
    # Server-side idle expiry needs the last use recorded; throttled, in its own tiny transaction.
    before = row.last_seen_at
    auth.touch_session(row)
    if row.last_seen_at != before:
        db.session.commit()
    g.user_session = row
    return row.user


def _unauthorized() -> Any:
    if request.path.startswith("/api/"):
        body = {"error": "unauthorized", "message": _("A valid bearer token is required."), "fields": {}}
        return jsonify(body), 401, {"WWW-Authenticate": 'Bearer realm="caseapp"'}
    if g.get("session_expired"):
        flash(_("Your session has ended. Please sign in again."), "warning")
    else:
        flash(_("Please sign in to continue."), "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def configure_login_manager(manager: LoginManager) -> None:
    """Load users from server-side sessions and answer anonymous requests."""
    manager.request_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)


def enforce_login() -> Any:
    """Before every request: anonymous users reach only public endpoints."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions.get(endpoint)
    if view is not None and policy_of(view) == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    if g.get("auth_method") == "session" and not mfa.session_passed(current_user, g.get("user_session")):
        if endpoint in SECOND_FACTOR_ENDPOINTS:
            return None
        target = "auth.two_factor" if current_user.mfa_enrolled else "auth.mfa_setup"
        return redirect(url_for(target))
    if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        flash(_("Please choose a new password before continuing."), "warning")
        return redirect(url_for("auth.change_password"))
    return None
