"""Retention resources of the JSON API: a closed case's legal hold (placed or lifted with a reason)."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.retention import LegalHoldIn, LegalHoldStateOut
from caseapp.security.permissions import Permission
from caseapp.services import cases, retention


@bp.route("/cases/<case_id>/legal-hold", methods=["POST"])
@require(Permission.CASE_LEGAL_HOLD, hide=True)
@endpoint(body=LegalHoldIn, response=LegalHoldStateOut, status=201, errors=(409,))
def place_legal_hold(case_id: str, body: LegalHoldIn) -> tuple[LegalHoldStateOut, int]:
    """Place a legal hold on a closed or cancelled case of your agency: retention never shreds it while held.

    409 when the case is open, held already, or shredded.
    """
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    retention.place_hold(actor, case, body)
    return LegalHoldStateOut.model_validate(retention.hold_state(case)), 201


@bp.route("/cases/<case_id>/legal-hold/lift", methods=["POST"])
@require(Permission.CASE_LEGAL_HOLD, hide=True)
@endpoint(body=LegalHoldIn, response=LegalHoldStateOut, errors=(409,))
def lift_legal_hold(case_id: str, body: LegalHoldIn) -> LegalHoldStateOut:
    """Lift the case's legal hold, saying why: retention applies to the case again (409: none is placed)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    retention.lift_hold(actor, case, body)
    return LegalHoldStateOut.model_validate(retention.hold_state(case))
