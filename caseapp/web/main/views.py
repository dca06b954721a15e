"""Home page, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from caseapp.extensions import db
from caseapp.http.policy import public, require
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission
from caseapp.services import users
from caseapp.web.utils import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@require(Permission.ACCOUNT_SELF)
def home():  # type: ignore[no-untyped-def]
    """Show who is signed in and what they can reach."""
    permissions = sorted(ROLE_PERMISSIONS[current_user.role_enum])
    overdue, overdue_referrals = [], []
    me = current_user._get_current_object()
    if current_user.can(Permission.CASE_READ):
        from caseapp.services.cases import overdue_first_contacts

        overdue = overdue_first_contacts(me)
    if current_user.can(Permission.CASE_ASSIGN):  # supervisors, of both sides
        from caseapp.services.referrals import overdue_for

        overdue_referrals = overdue_for(me)
    dashboard = {}
    if current_user.can(Permission.REPORT_CASELOAD):
        from caseapp.reports.periods import parse_period
        from caseapp.web.reports.views import caseload_context

        dashboard = caseload_context(me, parse_period(None))
    return render_template(
        "main/home.html",
        permissions=permissions,
        overdue=overdue,
        overdue_referrals=overdue_referrals,
        **dashboard,
    )


@bp.route("/locale", methods=["POST"])
@public
def set_locale():  # type: ignore[no-untyped-def]
    """Switch the interface language and remember the choice (cookie, and the profile when signed in)."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("main.home"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            current_app.config["LOCALE_COOKIE_NAME"],
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated:
            users.set_locale(current_user._get_current_object(), lang)
    return response


@bp.route("/healthz")
@public
def health():  # type: ignore[no-untyped-def]
    """Answer whether the application and its database respond."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")
