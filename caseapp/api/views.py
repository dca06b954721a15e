"""API endpoints of the foundation: who am I, and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_login import current_user

from caseapp.api.openapi import document
from caseapp.extensions import csrf, limiter
from caseapp.http.policy import require
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission

bp = Blueprint("api", __name__)
# Bearer requests carry no cookie, so no CSRF risk; browser-session requests are checked below.
csrf.exempt(bp)


def _api_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _limit_key() -> str:
    token = g.get("api_token")
    return f"token:{token.id}" if token is not None else f"ip:{request.remote_addr}"


limiter.limit(_api_limit, key_func=_limit_key)(bp)


@bp.before_request
def _csrf_for_browser_sessions() -> None:
    from flask_login import current_user as user

    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and current_app.config.get("WTF_CSRF_ENABLED", True)
        and user.is_authenticated
        and g.get("auth_method") == "session"
    ):
        csrf.protect()


@bp.route("/me")
@require(Permission.ACCOUNT_SELF)
def me():  # type: ignore[no-untyped-def]
    """Return the signed-in user."""
    return jsonify(
        username=current_user.username,
        display_name=current_user.display_name,
        role=current_user.role,
        agency=current_user.agency.code,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[current_user.role_enum]),
        locale=current_user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
    )


@bp.route("/openapi.json")
@require(Permission.ACCOUNT_SELF)
def openapi():  # type: ignore[no-untyped-def]
    """Return the OpenAPI document of this API."""
    return jsonify(document(url_for("api.me", _external=False).rsplit("/me", 1)[0]))
