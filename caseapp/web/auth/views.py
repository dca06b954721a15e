"""Sign-in, sign-out and own password."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from caseapp.errors import TooManyAttempts, ValidationFailed
from caseapp.extensions import limiter
from caseapp.http.auth import SESSION_KEY
from caseapp.http.context import acting_user, client_ip
from caseapp.http.policy import public, require
from caseapp.models import User
from caseapp.security.permissions import Permission
from caseapp.services import auth, mfa
from caseapp.web.auth.forms import ChangePasswordForm, LoginForm
from caseapp.web.utils import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


DEVICE_COOKIE = "caseapp_device"
DEVICE_MAX_AGE = 90 * 24 * 3600


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="caseapp-known-device")


def _known_accounts() -> list[str]:
    """Return the throttle keys of accounts that signed in from this browser before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        keys = _device_serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return []
    return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []


def _remember_device(response: Response, username: str) -> None:
    key = auth.throttle_key(username)
    keys = [key] + [k for k in _known_accounts() if k != key]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(keys[:5]),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _start_browser_session(user: User, mfa_verified_at: datetime | None = None) -> None:
    new = auth.start_session(user, client_ip(), request.user_agent.string)
    new.row.mfa_verified_at = mfa_verified_at  # a new cookie for the same person keeps their second factor
    session.clear()  # no fixation: nothing from before survives, the CSRF token included
    session[SESSION_KEY] = new.token
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    retry_after = 0
    if form.validate_on_submit():
        username = form.username.data or ""
        trusted = auth.throttle_key(username) in _known_accounts()
        try:
            user = auth.authenticate(username, form.password.data or "", trusted_device=trusted)
        except auth.LoginFailed:
            form.form_errors.append(_("Wrong username or password."))
            status = 401
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            status = 429
            retry_after = exc.retry_after
        else:
            _start_browser_session(user)
            target = safe_next(form.next.data, url_for("main.home"))
            if mfa.needed(user):
                # The password alone reaches nothing but the second step (http/auth.py enforce_login).
                session["mfa_next"] = target
                target = url_for("auth.two_factor" if user.mfa_enrolled else "auth.mfa_setup")
            elif user.must_change_password:
                target = url_for("auth.change_password")
            response = redirect(target)
            _remember_device(response, user.username)
            return response
    elif request.method == "POST":
        status = 400
    form.password.data = ""
    response = make_response(render_template("auth/login.html", form=form), status)
    if status == 429:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/logout", methods=["POST"])
@require(Permission.ACCOUNT_SELF)
def logout() -> ResponseReturnValue:
    """End the current session (POST only, with CSRF)."""
    row = g.get("user_session")
    if row is not None:
        auth.end_session(row, "logout")
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def change_password() -> ResponseReturnValue:
    """Let the signed-in user change their own password."""
    me = acting_user()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth.change_password(
                me,
                form.current_password.data or "",
                form.new_password.data or "",
                keep=g.get("user_session"),
            )
        except ValidationFailed as exc:
            for name, messages in exc.fields.items():
                getattr(form, name).errors = list(messages)
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            page = render_template("auth/change_password.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        else:
            # A new session token too: whoever may have copied the old cookie is out as well.
            current = g.get("user_session")
            if current is not None:
                auth.end_session(current, "password_change")
            _start_browser_session(me, current.mfa_verified_at if current is not None else None)
            flash(_("Your password has been changed. Other sessions were signed out."), "success")
            return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status
