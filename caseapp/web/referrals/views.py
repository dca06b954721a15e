"""Referral pages: refer a case, inbox/outbox, a referral (shared sections only), respond, notifications."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pydantic import BaseModel

from caseapp import labels as L
from caseapp import localtime
from caseapp import reference_data as reference
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.extensions import db
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Agency, Case, User
from caseapp.models.referral import (
    ChildAssent,
    ConsentBy,
    DeclineReason,
    LegalBasis,
    Referral,
    Section,
    Urgency,
)
from caseapp.schemas.base import parse_data
from caseapp.schemas.referrals import (
    AcceptIn,
    AssignIn,
    CompleteIn,
    DeclineIn,
    ReferralIn,
    ReferralListQuery,
    WithdrawIn,
)
from caseapp.security.permissions import Permission
from caseapp.services import cases, notify, proceedings, referrals
from caseapp.services.referrals import Step
from caseapp.web.forms import select_choices as choices
from caseapp.web.legal.context import referral_legal_context
from caseapp.web.referrals.forms import (
    AcceptForm,
    AssignForm,
    CompleteForm,
    DeclineForm,
    ReferForm,
    StepForm,
    WithdrawForm,
)

bp = Blueprint("referrals", __name__)

# What each step posts: its form, the schema that checks the form's body, and the service that takes it.
Responder = Callable[[User, Referral, Any], Referral]
STEPS: dict[Step, tuple[type[StepForm], type[BaseModel], Responder]] = {
    Step.ACCEPT: (AcceptForm, AcceptIn, referrals.accept),
    Step.ASSIGN: (AssignForm, AssignIn, referrals.assign),
    Step.DECLINE: (DeclineForm, DeclineIn, referrals.decline),
    Step.COMPLETE: (CompleteForm, CompleteIn, referrals.complete),
    Step.WITHDRAW: (WithdrawForm, WithdrawIn, referrals.withdraw),
}


def _refer_form(case_owner_id: int) -> ReferForm:
    form = ReferForm()
    agencies = db.session.scalars(
        db.select(Agency)
        .where(Agency.accepts_referrals.is_(True), Agency.active.is_(True), Agency.id != case_owner_id)
        .order_by(Agency.code)
    ).all()
    form.to_agency.choices = choices([(a.code, f"{a.code} – {a.name}") for a in agencies])
    form.services.choices = choices(reference.codes("service"), blank=None)
    form.urgency.choices = choices([(u.value, str(L.URGENCY_LABELS[u.value])) for u in Urgency])
    form.shared_sections.choices = choices(
        [(s.value, str(L.SECTION_LABELS[s.value])) for s in Section], blank=None
    )
    consent = [ConsentBy.GUARDIAN]  # for a child, a parent or guardian consents (UU PDP Pasal 25)
    # Only what the user may do: "not required" and its legal basis are a supervisor's (the service
    # checks too).
    form.legal_basis.flags.offered = referrals.may_refer_without_consent(acting_user())
    if form.legal_basis.flags.offered:
        consent.append(ConsentBy.NOT_REQUIRED)
    form.consent_given_by.choices = choices([(c.value, str(L.CONSENT_LABELS[c.value])) for c in consent])
    form.consent_assent.choices = choices(
        [(a.value, str(L.ASSENT_LABELS[a.value])) for a in ChildAssent], blank=_("Not recorded")
    )
    form.legal_basis_code.choices = choices(
        [(b.value, str(L.LEGAL_BASIS_LABELS[b.value])) for b in LegalBasis]
    )
    defaults = {a.code: ",".join(referrals.default_sections(a)) for a in agencies}
    form.to_agency.render_kw = {"data-defaults": json.dumps(defaults)}
    return form


def _refer_page(form: ReferForm, case: Case) -> str:
    suspected = referrals.guardian_suspected(case)
    return render_template("referrals/refer.html", form=form, case=case, guardian_suspected=suspected)


@bp.route("/cases/<case_uuid>/refer", methods=["GET", "POST"])
@require(Permission.REFERRAL_SEND, hide=True)
def refer(case_uuid: str) -> ResponseReturnValue:
    """Refer a case to another agency ("Rujuk")."""
    me = acting_user()
    case = cases.get_case(me, case_uuid)
    form = _refer_form(case.owner_agency_id)
    if request.method == "GET":
        chosen = request.args.get("to", "")
        form.to_agency.data = chosen
        agency = db.session.scalar(db.select(Agency).where(Agency.code == chosen)) if chosen else None
        form.shared_sections.data = referrals.default_sections(agency) if agency else ["identity"]
        form.urgency.data = "urgent"
        return _refer_page(form, case)
    if form.validate_on_submit():
        try:
            referral = referrals.send(me, case, parse_data(ReferralIn, form.to_body(), strict=False))
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
        else:
            due = localtime.when(referral.due_at)
            flash(
                _("Referral sent to %(a)s; answer due %(t)s.", a=referral.to_agency.code, t=due),
                "success",
            )
            return redirect(url_for("cases.case_view", case_uuid=case.uuid) + "#referrals")
    return _refer_page(form, case), 400


@bp.route("/referrals/")
@require(Permission.REFERRAL_RESPOND)
def referral_list() -> ResponseReturnValue:
    """Inbox (incoming to the agency) or outbox (referrals of the user's cases)."""
    try:
        query = parse_data(ReferralListQuery, request.args.to_dict(), strict=False)
    except ValidationFailed:
        query = ReferralListQuery()
    rows = referrals.list_referrals(acting_user(), query)
    return render_template("referrals/list.html", rows=rows, box=query.box, status=query.status, now=utcnow())


def _step_forms(referral: Referral) -> dict[Step, StepForm]:
    """Return the forms of the steps, their choices filled in (the page shows those the user may take)."""
    accept, assign = AcceptForm(formdata=None), AssignForm(formdata=None)
    workers = choices([(u.username, u.display_name) for u in referrals.assignable_workers(referral)])
    accept.assignee.choices = workers
    assign.assignee.choices = workers
    decline = DeclineForm(formdata=None)
    decline.reason.choices = choices(
        [(r.value, str(L.DECLINE_REASON_LABELS[r.value])) for r in DeclineReason]
    )
    complete = CompleteForm(formdata=None)
    complete.outcome.choices = choices(list(L.SERVICE_OUTCOME_LABELS.items()))
    return {
        Step.ACCEPT: accept,
        Step.ASSIGN: assign,
        Step.DECLINE: decline,
        Step.COMPLETE: complete,
        Step.WITHDRAW: WithdrawForm(formdata=None),
    }


@bp.route("/referrals/<int(max=2147483647):referral_id>")
@require(Permission.REFERRAL_RESPOND, hide=True)
def referral_view(referral_id: int) -> ResponseReturnValue:
    """A referral: its summary; the shared sections for the receiving supervisor and assignee."""
    me = acting_user()
    referral = referrals.view_referral(me, referral_id)
    answer = referrals.as_seen_by(me, referral, with_shared=True)
    actions = referrals.available_referral_actions(me, referral)
    return render_template(
        "referrals/view.html",
        referral=referral,
        answer=answer,
        shared=answer.case,
        sender=referrals.is_sender_side(me, referral),
        receiver=referrals.is_receiver_side(me, referral),
        actions=actions,
        forms=_step_forms(referral) if actions else {},
        now=utcnow(),
        read_ends=referrals.read_access_ends(referral),
        access_proceedings_until=proceedings.open_until(referral.case),
        **referral_legal_context(me, referral, answer.case is not None),
    )


def _take(step: Step, referral_id: int) -> ResponseReturnValue:
    """Take a step from its form; a refusal is shown on the referral page and nothing of it is kept."""
    me = acting_user()
    referral = referrals.get_referral(me, referral_id)
    form_class, schema, service = STEPS[step]
    form = form_class()
    try:
        service(me, referral, parse_data(schema, form.to_body(), strict=False))
    except InvalidTransition as exc:
        transaction.doom()  # its `fields` carry the current state as a code, for API clients
        flash(exc.message, "danger")
        return redirect(url_for("referrals.referral_view", referral_id=referral_id))
    except ValidationFailed as exc:
        transaction.doom()
        flash(" ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message, "danger")
        return redirect(url_for("referrals.referral_view", referral_id=referral_id))
    flash(_("Done."), "success")
    if step in (Step.DECLINE, Step.WITHDRAW) and not referrals.is_sender_side(me, referral):
        return redirect(url_for("referrals.referral_list"))
    return redirect(url_for("referrals.referral_view", referral_id=referral_id))


@bp.route("/referrals/<int(max=2147483647):referral_id>/respond", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def respond(referral_id: int) -> ResponseReturnValue:
    """Accept, assign, decline or complete (the receiving side; each a guarded step)."""
    try:
        step = Step(request.form.get("action", ""))
    except ValueError:
        step = None
    if step is None or step == Step.WITHDRAW:
        transaction.doom()
        flash(_("Unknown action."), "danger")
        return redirect(url_for("referrals.referral_view", referral_id=referral_id))
    return _take(step, referral_id)


@bp.route("/referrals/<int(max=2147483647):referral_id>/withdraw", methods=["POST"])
@require(Permission.REFERRAL_SEND, hide=True)
def withdraw(referral_id: int) -> ResponseReturnValue:
    """Withdraw a referral (the referring side), with the reason; the same permission and field as the API."""
    return _take(Step.WITHDRAW, referral_id)


@bp.route("/notifications", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def notifications() -> ResponseReturnValue:
    """The user's notifications; POST marks them read."""
    me = acting_user()
    if request.method == "POST":
        notify.mark_all_read(me)
        return redirect(url_for("referrals.notifications"))
    rows = notify.recent(me)
    return render_template("referrals/notifications.html", rows=rows)
