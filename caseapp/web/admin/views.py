"""Administration of users and agencies."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from caseapp.errors import NotFound, ReauthRequired, ValidationFailed
from caseapp.extensions import db
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.labels import ROLE_LABELS
from caseapp.models import Agency, User
from caseapp.security.permissions import Permission
from caseapp.services import attachments, mfa, stepup, users
from caseapp.web.admin.forms import AgencyForm, UserCreateForm, UserEditForm, role_choices
from caseapp.web.auth.mfa import ask_step_up
from caseapp.web.forms import CsrfForm, apply_field_errors

bp = Blueprint("admin", __name__)


def _fill_choices(form: UserEditForm) -> None:
    form.role.choices = role_choices()
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.code)).all()
    form.agency.choices = [SelectChoice(a.code, f"{a.code} – {a.name}") for a in agencies]


@bp.route("/users")
@require(Permission.USER_MANAGE)
def user_list() -> ResponseReturnValue:
    """List users, optionally filtered by agency or role."""
    stmt = db.select(User).join(User.agency).order_by(Agency.code, User.username)
    agency = request.args.get("agency", "")
    role = request.args.get("role", "")
    if agency:
        stmt = stmt.where(Agency.code == agency)
    if role:
        stmt = stmt.where(User.role == role)
    rows = db.session.scalars(stmt).all()
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.code)).all()
    return render_template(
        "admin/users.html",
        users=rows,
        agencies=agencies,
        role_labels=ROLE_LABELS,
        selected_agency=agency,
        selected_role=role,
        csrf_form=CsrfForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
def user_create() -> ResponseReturnValue:
    """Create a user (after a step-up; a role that reads cases then waits for a second person's approval)."""
    if not stepup.recently_authenticated(g.get("user_session")):
        return ask_step_up()
    form = UserCreateForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            user = users.create_user(
                acting_user(),
                form.username.data or "",
                form.display_name.data or "",
                form.role.data or "",
                users.agency_by_code(form.agency.data or ""),
                form.password.data or "",
                email=form.email.data,
                must_change_password=True,
                active=bool(form.active.data),
                session=g.get("user_session"),
            )
        except ReauthRequired:
            return ask_step_up()
        except (ValidationFailed, NotFound) as exc:
            apply_field_errors(form, exc)
        else:
            flash(
                _("User %(u)s created. They must change the password at first sign-in.", u=user.username),
                "success",
            )
            if user.approval_pending:
                flash(_("The account can sign in once a supervisor of its agency approves it."), "info")
            return redirect(url_for("admin.user_list"))
    form.password.data = form.confirm.data = ""
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int(max=2147483647):user_id>/edit", methods=["GET", "POST"])
@require(Permission.USER_MANAGE)
def user_edit(user_id: int) -> ResponseReturnValue:
    """Edit a user's profile, role, agency or status."""
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user)
    _fill_choices(form)
    if request.method == "GET":
        form.agency.data = user.agency.code
    if form.validate_on_submit():
        try:
            changes = users.update_user(
                acting_user(),
                user,
                form.display_name.data or "",
                form.email.data,
                form.role.data or "",
                users.agency_by_code(form.agency.data or ""),
                bool(form.active.data),
            )
        except (ValidationFailed, NotFound) as exc:
            apply_field_errors(form, exc)
        else:
            if changes:
                flash(_("User %(u)s updated.", u=user.username), "success")
                if user.approval_pending:
                    flash(_("The account can sign in once a supervisor of its agency approves it."), "info")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for("admin.user_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user, csrf_form=CsrfForm()), status


@bp.route("/users/<int(max=2147483647):user_id>/reset-password", methods=["POST"])
@require(Permission.USER_MANAGE)
def user_reset_password(user_id: int) -> ResponseReturnValue:
    """Give a user a new one-time password; it is shown once, here."""
    user = db.session.get(User, user_id) or abort(404)
    temporary = users.reset_password(acting_user(), user)
    return render_template("admin/user_password.html", user=user, password=temporary)


@bp.route("/users/<int(max=2147483647):user_id>/reset-mfa", methods=["POST"])
@require(Permission.USER_MANAGE)
def user_reset_mfa(user_id: int) -> ResponseReturnValue:
    """Clear a user's two-factor sign-in (after a step-up); they set it up again at next sign-in."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        mfa.reset(acting_user(), user, g.get("user_session"))
    except ReauthRequired:
        return ask_step_up(url_for("admin.user_edit", user_id=user.id))
    flash(
        _("Two-factor sign-in of %(u)s was reset. They set it up again at next sign-in.", u=user.username),
        "success",
    )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/approvals")
@require(Permission.USER_APPROVE)
def approvals() -> ResponseReturnValue:
    """List the accounts waiting for this user's approval (two-person rule)."""
    rows = users.pending_approvals(acting_user())
    return render_template("admin/approvals.html", users=rows, role_labels=ROLE_LABELS, csrf_form=CsrfForm())


@bp.route("/approvals/<int(max=2147483647):user_id>/approve", methods=["POST"])
@require(Permission.USER_APPROVE, hide=True)
def approve_user(user_id: int) -> ResponseReturnValue:
    """Approve a pending account; it may sign in from now on."""
    user = users.approve(acting_user(), user_id)
    flash(_("Account %(u)s approved.", u=user.username), "success")
    return redirect(url_for("admin.approvals"))


@bp.route("/agencies")
@require(Permission.AGENCY_MANAGE)
def agency_list() -> ResponseReturnValue:
    """List agencies, with the attachment storage each one's cases use (counts and bytes, no content)."""
    rows = db.session.scalars(db.select(Agency).order_by(Agency.code)).all()
    usage = {u.agency_code: u for u in attachments.storage_usage()}
    return render_template("admin/agencies.html", agencies=rows, usage=usage)


@bp.route("/agencies/<int(max=2147483647):agency_id>/edit", methods=["GET", "POST"])
@require(Permission.AGENCY_MANAGE)
def agency_edit(agency_id: int) -> ResponseReturnValue:
    """Edit an agency's name, referral acceptance or status."""
    agency = db.session.get(Agency, agency_id) or abort(404)
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        try:
            users.update_agency(
                acting_user(),
                agency,
                form.name.data or "",
                bool(form.accepts_referrals.data),
                bool(form.active.data),
            )
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
        else:
            flash(_("Agency %(c)s updated.", c=agency.code), "success")
            return redirect(url_for("admin.agency_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/agency_form.html", form=form, agency=agency), status
