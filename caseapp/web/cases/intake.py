"""The case page's shelter stays and outreach visits: admit, discharge, record a visit (added to the case
pages' blueprint). Thin: parse, call one service, redirect or show the case's protection page again beside
the refusal."""

from __future__ import annotations

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.base import parse_data
from caseapp.schemas.intake import DischargeIn, OutreachIn, ShelterStayIn
from caseapp.security.permissions import Permission
from caseapp.services import cases, outreach, shelter
from caseapp.web.cases.pages import CasePage, page_url, refused_on
from caseapp.web.cases.views import bp, section_post
from caseapp.web.complaints.forms import DischargeForm, OutreachForm, ShelterForm
from caseapp.web.forms import apply_field_errors


@bp.route("/<case_uuid>/shelter-stays", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def admit_to_shelter(case_uuid: str) -> ResponseReturnValue:
    """Record the child's admission to a shelter."""
    form = ShelterForm(prefix="shelter")
    return section_post(
        case_uuid,
        form,
        ShelterStayIn,
        shelter.admit,
        CasePage.PROTECTION,
        "#shelter",
        _("Shelter admission recorded."),
    )


@bp.route("/<case_uuid>/shelter-stays/<stay_id>/discharge", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def discharge_from_shelter(case_uuid: str, stay_id: str) -> ResponseReturnValue:
    """Record the end of a shelter stay."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    stay = shelter.get_stay(actor, stay_id, case=case, permission=Permission.CASE_UPDATE)  # of this case
    form = DischargeForm(prefix="discharge")
    try:
        shelter.discharge(actor, stay, parse_data(DischargeIn, form.to_body(), strict=False))
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return refused_on(case_uuid, form, 400)
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "warning")
    else:
        flash(_("Shelter discharge recorded."), "success")
    return redirect(page_url(case, CasePage.PROTECTION, "#shelter"))


@bp.route("/<case_uuid>/outreach-visits", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_outreach(case_uuid: str) -> ResponseReturnValue:
    """Record an outreach visit on a case."""
    form = OutreachForm(prefix="outreach")
    return section_post(
        case_uuid,
        form,
        OutreachIn,
        outreach.record_on_case,
        CasePage.PROTECTION,
        "#outreach",
        _("Outreach visit recorded."),
        aliases=OutreachForm.ALIASES,
    )
