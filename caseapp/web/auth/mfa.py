"""Two-factor sign-in (enrolment, the second step of sign-in) and step-up re-authentication."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp.errors import ReauthRequired, TooManyAttempts, ValidationFailed
from caseapp.extensions import limiter
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.security.permissions import Permission
from caseapp.services import mfa, stepup
from caseapp.web.auth.forms import CodeForm, ReauthForm
from caseapp.web.auth.views import _login_limit, bp
from caseapp.web.forms import CsrfForm, apply_field_errors
from caseapp.web.utils import safe_next

NEXT_KEY = "mfa_next"


def _after_second_factor() -> ResponseReturnValue:
    if acting_user().must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(session.pop(NEXT_KEY, None), url_for("main.home")))


def ask_step_up(back: str | None = None) -> ResponseReturnValue:
    """Send the browser to the step-up page, back to `back` (default: this page) afterwards."""
    flash(_("Confirm your password (and code) to continue."), "info")
    return redirect(url_for("auth.reauth", next=back or request.path))


def _too_many(template: str, form: object, exc: TooManyAttempts, **context: object) -> ResponseReturnValue:
    form.form_errors.append(exc.message)  # type: ignore[attr-defined]
    page = render_template(template, form=form, **context)
    return page, 429, {"Retry-After": str(exc.retry_after)}


@bp.route("/login/two-factor", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
@limiter.limit(_login_limit, methods=["POST"])
def two_factor() -> ResponseReturnValue:
    """Second step of sign-in: a code from the authenticator app, or a recovery code."""
    me = acting_user()
    row = g.get("user_session")
    if mfa.session_passed(me, row):
        return _after_second_factor()
    if not me.mfa_enrolled:
        return redirect(url_for("auth.mfa_setup"))
    form = CodeForm()
    if form.validate_on_submit() and row is not None:
        try:
            mfa.verify_sign_in(me, form.code.data or "", row)
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
        except TooManyAttempts as exc:
            return _too_many("auth/two_factor.html", form, exc)
        else:
            return _after_second_factor()
    form.code.data = ""
    status = 400 if request.method == "POST" else 200
    return render_template("auth/two_factor.html", form=form), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def mfa_setup() -> ResponseReturnValue:
    """Set up two-factor sign-in (required at first sign-in for some roles), or show its state."""
    me = acting_user()
    row = g.get("user_session")
    if me.mfa_enrolled:
        return render_template(
            "auth/mfa_status.html",
            left=mfa.recovery_codes_left(me),
            passed=mfa.session_passed(me, row),
            csrf_form=CsrfForm(),
        )
    form = CodeForm()
    secret = mfa.begin_enrolment(me)
    if form.validate_on_submit():
        try:
            codes = mfa.confirm_enrolment(me, form.code.data or "", row)
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
        except TooManyAttempts as exc:
            return _too_many("auth/mfa_setup.html", form, exc, **_enrol_context(me, secret))
        else:
            nxt = session.pop(NEXT_KEY, None)
            return render_template(
                "auth/mfa_codes.html", codes=codes, next=safe_next(nxt, url_for("main.home"))
            )
    form.code.data = ""
    status = 400 if request.method == "POST" else 200
    return render_template("auth/mfa_setup.html", form=form, **_enrol_context(me, secret)), status


def _enrol_context(me: object, secret: str) -> dict[str, object]:
    uri = mfa.provisioning_uri(acting_user(), secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"qr": mfa.qr_svg(uri), "secret": grouped, "required": mfa.required(acting_user())}


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@require(Permission.ACCOUNT_SELF)
def mfa_new_recovery_codes() -> ResponseReturnValue:
    """Replace the recovery codes (after a step-up); the new ones are shown once."""
    try:
        codes = mfa.regenerate_recovery_codes(acting_user(), g.get("user_session"))
    except ReauthRequired:
        return ask_step_up(url_for("auth.mfa_setup"))
    return render_template("auth/mfa_codes.html", codes=codes, next=url_for("auth.mfa_setup"))


@bp.route("/account/confirm", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
@limiter.limit(_login_limit, methods=["POST"])
def reauth() -> ResponseReturnValue:
    """Step-up: the password again (and a code, where enrolled) before a sensitive step."""
    me = acting_user()
    form = ReauthForm(next=request.args.get("next", ""))
    row = g.get("user_session")
    if form.validate_on_submit() and row is not None:
        try:
            mfa.reauthenticate(me, form.password.data or "", form.code.data, row)
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
        except TooManyAttempts as exc:
            form.password.data = ""
            return _too_many("auth/reauth.html", form, exc, enrolled=me.mfa_enrolled)
        else:
            return redirect(safe_next(form.next.data, url_for("main.home")))
    form.password.data = ""
    form.code.data = ""
    status = 400 if request.method == "POST" else 200
    minutes = stepup.reauth_minutes()
    return render_template("auth/reauth.html", form=form, enrolled=me.mfa_enrolled, minutes=minutes), status
