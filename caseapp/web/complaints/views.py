"""Complaint pages: the agency's complaints (untriaged first), recording one, reading and triaging it,
its outreach visits. Thin: parse the form through the intake schemas, call one service, render or
redirect (the pipeline commits). Accepting a complaint opens the case registration form prefilled from it;
registering the case records the triage and links the two (`caseapp.web.cases.views.case_create`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp import localtime
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Complaint
from caseapp.models.intake import ComplaintDecision
from caseapp.schemas.base import parse_data
from caseapp.schemas.intake import ComplaintIn, OutreachIn, TriageIn
from caseapp.security.permissions import Permission
from caseapp.services import complaints, outreach
from caseapp.web.complaints.forms import ComplaintForm, OutreachForm, TriageForm
from caseapp.web.forms import apply_field_errors

bp = Blueprint("complaints", __name__)


@bp.route("/")
@require(Permission.COMPLAINT_HANDLE)
def complaint_list() -> ResponseReturnValue:
    """List the agency's complaints, waiting for triage first (codes and times only)."""
    rows = complaints.list_complaints(acting_user())
    return render_template("complaints/list.html", rows=rows, now=utcnow())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.COMPLAINT_HANDLE)
def complaint_create() -> ResponseReturnValue:
    """Record a complaint received by the agency."""
    form = ComplaintForm()
    form.fill_choices()
    if request.method == "GET":
        return render_template("complaints/form.html", form=form)
    received = None
    local = (form.received_local.data or "").strip()
    if local:
        try:
            received = localtime.from_input(local).isoformat(timespec="seconds")
        except ValueError:
            form.received_local.errors = [_("Enter the time as date and hour.")]
            return render_template("complaints/form.html", form=form), 400
    if form.validate_on_submit():
        try:
            row = complaints.record_complaint(
                acting_user(), parse_data(ComplaintIn, form.to_body(received), strict=False)
            )
        except ValidationFailed as exc:
            apply_field_errors(form, exc, aliases=ComplaintForm.ALIASES)
        else:
            flash(_("Complaint recorded: it waits for triage."), "success")
            return redirect(url_for("complaints.complaint_view", complaint_id=row.uuid))
    return render_template("complaints/form.html", form=form), 400


def _render(
    row: Complaint,
    triage_form: TriageForm | None = None,
    outreach_form: OutreachForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    if triage_form is None:
        triage_form = TriageForm(formdata=None, prefix="triage")
    triage_form.fill_choices()
    if outreach_form is None:
        outreach_form = OutreachForm(formdata=None, prefix="outreach")
        outreach_form.visit_date.data = utcnow().date().isoformat()
    outreach_form.fill_choices()
    return render_template(
        "complaints/view.html",
        complaint=row,
        visits=complaints.complaint_outreach(row),
        triage_form=triage_form,
        outreach_form=outreach_form,
        now=utcnow(),
    ), status


@bp.route("/<complaint_id>")
@require(Permission.COMPLAINT_HANDLE, hide=True)
def complaint_view(complaint_id: str) -> ResponseReturnValue:
    """Show a complaint with what was reported, its triage and outreach (the view is audited)."""
    return _render(complaints.view_complaint(acting_user(), complaint_id))


@bp.route("/<complaint_id>/triage", methods=["POST"])
@require(Permission.COMPLAINT_HANDLE, hide=True)
def triage(complaint_id: str) -> ResponseReturnValue:
    """Triage a complaint; `accepted` goes on to the registration form, prefilled from the complaint."""
    actor = acting_user()
    row = complaints.get_complaint(actor, complaint_id)
    form = TriageForm(prefix="triage")
    if form.decision.data == ComplaintDecision.ACCEPTED.value:
        if row.decision is not None:
            flash(_("This complaint is already triaged."), "warning")
            return redirect(url_for("complaints.complaint_view", complaint_id=row.uuid))
        return redirect(url_for("cases.case_create", complaint=row.uuid))
    try:
        complaints.triage(actor, row, parse_data(TriageIn, form.to_body(), strict=False))
    except ValidationFailed as exc:
        form.fill_choices()
        apply_field_errors(form, exc)
        shown = complaints.view_complaint(actor, complaint_id, section="refused_triage")
        return _render(shown, triage_form=form, status=400)
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "warning")
    else:
        flash(_("Complaint triaged."), "success")
    return redirect(url_for("complaints.complaint_view", complaint_id=row.uuid))


@bp.route("/<complaint_id>/outreach-visits", methods=["POST"])
@require(Permission.COMPLAINT_HANDLE, hide=True)
def add_outreach(complaint_id: str) -> ResponseReturnValue:
    """Record an outreach visit on a complaint."""
    actor = acting_user()
    row = complaints.get_complaint(actor, complaint_id)
    form = OutreachForm(prefix="outreach")
    try:
        outreach.record_on_complaint(actor, row, parse_data(OutreachIn, form.to_body(), strict=False))
    except ValidationFailed as exc:
        form.fill_choices()
        apply_field_errors(form, exc, aliases=OutreachForm.ALIASES)
        shown = complaints.view_complaint(actor, complaint_id, section="refused_outreach")
        return _render(shown, outreach_form=form, status=400)
    flash(_("Outreach visit recorded."), "success")
    return redirect(url_for("complaints.complaint_view", complaint_id=row.uuid) + "#outreach")
