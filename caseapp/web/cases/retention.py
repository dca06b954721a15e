"""The case page's legal hold: place or lift it (added to the case pages' blueprint). Thin: parse, call
one service, redirect, or re-render the case page beside the refusal."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.base import parse_data
from caseapp.schemas.retention import LegalHoldIn
from caseapp.security.permissions import Permission
from caseapp.services import cases, retention
from caseapp.web.cases.retention_context import LegalHoldForm
from caseapp.web.cases.views import bp, render_case
from caseapp.web.forms import apply_field_errors


def _hold_step(case_uuid: str, lift: bool) -> ResponseReturnValue:
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    form = LegalHoldForm(prefix="hold")
    try:
        value = parse_data(LegalHoldIn, form.to_body(), strict=False)
        if lift:
            retention.lift_hold(actor, case, value)
        else:
            retention.place_hold(actor, case, value)
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        shown = cases.view_case(actor, case_uuid, beside_a_refusal=True)
        return render_case(shown, hold_form=form, status=400)
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "warning")
    else:
        flash(_("Legal hold lifted.") if lift else _("Legal hold placed."), "success")
    return redirect(url_for("cases.case_view", case_uuid=case.uuid) + "#retention")


@bp.route("/<case_uuid>/legal-hold", methods=["POST"])
@require(Permission.CASE_LEGAL_HOLD, hide=True)
def place_legal_hold(case_uuid: str) -> ResponseReturnValue:
    """Place a legal hold on a closed or cancelled case (a supervisor of its agency), with the reason."""
    return _hold_step(case_uuid, lift=False)


@bp.route("/<case_uuid>/legal-hold/lift", methods=["POST"])
@require(Permission.CASE_LEGAL_HOLD, hide=True)
def lift_legal_hold(case_uuid: str) -> ResponseReturnValue:
    """Lift the case's legal hold, with the reason."""
    return _hold_step(case_uuid, lift=True)
