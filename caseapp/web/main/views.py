"""Home page, language switch and health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from caseapp import labels as L
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.http.context import acting_user
from caseapp.http.policy import public, require
from caseapp.models import Case, Referral
from caseapp.reports.periods import parse_period
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission
from caseapp.services import cases, queue, referrals, reports, users
from caseapp.web.reports.views import caseload_context
from caseapp.web.utils import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@require(Permission.ACCOUNT_SELF)
def home() -> ResponseReturnValue:
    """Show who is signed in and what they can reach."""
    me = acting_user()
    permissions = sorted(ROLE_PERMISSIONS[me.role_enum])
    overdue: list[Case] = []
    overdue_referrals: list[Referral] = []
    assigned: list[Referral] = []
    if me.can(Permission.REFERRAL_RESPOND):
        assigned = referrals.assigned_to(me)
    if me.can(Permission.CASE_READ):
        overdue = cases.overdue_first_contacts(me)
    if me.can(Permission.CASE_ASSIGN):  # supervisors, of both sides
        overdue_referrals = referrals.overdue_for(me)
    dashboard: dict[str, Any] = {}
    if me.can(Permission.REPORT_CASELOAD):
        dashboard = caseload_context(reports.caseload_for(me, parse_period(None)))
    return render_template(
        "main/home.html",
        queue_items=queue.work_queue(me),
        queue_labels=L.QUEUE_KIND_LABELS,
        permissions=permissions,
        overdue=overdue,
        overdue_referrals=overdue_referrals,
        assigned_referrals=assigned,
        now=utcnow(),
        **dashboard,
    )


@bp.route("/locale", methods=["POST"])
@public
def set_locale() -> ResponseReturnValue:
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
            users.set_locale(acting_user(), lang)
    return response


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    """Answer whether the application and its database respond."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")


@bp.route("/favicon.ico")
@public
def favicon() -> ResponseReturnValue:
    """The app's icon where a browser looks for it by default (pages without a <link rel=icon>, bookmarks)."""
    return current_app.send_static_file("icons/icon-180.png")
