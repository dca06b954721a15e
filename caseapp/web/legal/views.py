"""Legal milestone pages (the pipeline commits)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import User
from caseapp.schemas.base import parse_data
from caseapp.schemas.legal import DiversionIn, LegalEventIn
from caseapp.security.permissions import Permission
from caseapp.services import legal
from caseapp.web.cases.pages import CasePage, page_url, refused_on
from caseapp.web.forms import apply_field_errors
from caseapp.web.legal.context import legal_context
from caseapp.web.legal.forms import DiversionForm, LegalEventForm

bp = Blueprint("legal", __name__)


def _back(access: legal.LegalAccess) -> str:
    """Where the legal part of the page is: the case's legal page, or the referral's page for a receiving
    agency."""
    if access.referral is None:
        return page_url(access.case, CasePage.LEGAL, "#legal")
    return url_for("referrals.referral_view", referral_id=access.referral.id) + "#legal"


def _refused(
    actor: User, access: legal.LegalAccess, form: FlaskForm, back: str, status: int
) -> ResponseReturnValue:
    """Show a refused form again with what was typed: on the case's legal page for the case's own workers,
    on a page of its own for a receiving agency (which never sees the case page)."""
    if access.referral is None:
        return refused_on(str(access.case.uuid), form, status)
    if isinstance(form, DiversionForm):
        context = legal_context(actor, access.case, access.referral, diversion_form=form)
    else:
        context = legal_context(actor, access.case, access.referral, form)
    return render_template("legal/form.html", back=back, **context), status


@bp.route("/cases/<case_uuid>/legal-events", methods=["POST"])
@require(Permission.LEGAL_EVENT_RECORD, hide=True)
def record(case_uuid: str) -> ResponseReturnValue:
    """Record a milestone; a refused form comes back with the reasons and what was typed (400)."""
    actor = acting_user()
    access = legal.open_case(actor, case_uuid)
    form = LegalEventForm(prefix="legal")
    back = _back(access)
    try:
        legal.record_event(actor, access, parse_data(LegalEventIn, form.to_body(), strict=False))
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "danger")
        return redirect(back)
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return _refused(actor, access, form, back, 400)
    flash(_("Milestone recorded."), "success")
    return redirect(back)


@bp.route("/cases/<case_uuid>/diversions", methods=["POST"])
@require(Permission.LEGAL_EVENT_RECORD, hide=True)
def record_diversion(case_uuid: str) -> ResponseReturnValue:
    """Record a diversion attempt; a refused form comes back with the reasons and what was typed (400)."""
    actor = acting_user()
    access = legal.open_case(actor, case_uuid)
    form = DiversionForm(prefix="diversion")
    back = _back(access)
    try:
        legal.record_diversion(actor, access, parse_data(DiversionIn, form.to_body(), strict=False))
    except InvalidTransition as exc:
        if not exc.fields:
            transaction.doom()
            flash(exc.message, "danger")
            return redirect(back)
        transaction.doom()
        apply_field_errors(form, exc)
        return _refused(actor, access, form, back, 409)
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return _refused(actor, access, form, back, 400)
    flash(_("Diversion recorded."), "success")
    return redirect(back)
