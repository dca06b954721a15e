"""Own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from caseapp.errors import ReauthRequired, ValidationFailed
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.security.permissions import Permission
from caseapp.services import stepup, tokens
from caseapp.web.auth.mfa import ask_step_up
from caseapp.web.auth.views import bp
from caseapp.web.forms import CsrfForm, apply_field_errors


class TokenForm(FlaskForm):
    """A new token's name and lifetime."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("What the token is for, e.g. the reporting script."),
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[DataRequired(), NumberRange(min=1, max=tokens.MAX_DAYS)],
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def api_tokens() -> ResponseReturnValue:
    """List the user's API tokens and create a new one (its secret is shown once).

    Creating one needs two-factor sign-in set up and a recent step-up (the page links to both).
    """
    form = TokenForm()
    secret = None
    status = 200
    me = acting_user()
    if form.validate_on_submit():
        try:
            new = tokens.create_token(
                me,
                me,
                form.name.data or "",
                form.days.data or 0,
                session=g.get("user_session"),
            )
        except ReauthRequired:
            return ask_step_up()
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
            status = 400
        else:
            secret = new.secret
            form = TokenForm(formdata=None)
    elif request.method == "POST":
        status = 400
    rows = tokens.user_tokens(me)
    return render_template(
        "auth/tokens.html",
        form=form,
        tokens=rows,
        secret=secret,
        csrf_form=CsrfForm(),
        enrolled=me.mfa_enrolled,
        stepped_up=stepup.recently_authenticated(g.get("user_session")),
    ), status


@bp.route("/account/tokens/<int(max=2147483647):token_id>/revoke", methods=["POST"])
@require(Permission.ACCOUNT_SELF)
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    """Revoke one of the user's tokens."""
    row = tokens.revoke_token(acting_user(), token_id)
    flash(_("Token %(p)s… revoked.", p=row.prefix), "success")
    return redirect(url_for("auth.api_tokens"))
