"""Referral pages: refer a case, inbox/outbox, a referral (shared sections only), respond, notifications."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from caseapp import labels as L
from caseapp import reference_data as reference
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, ValidationFailed
from caseapp.extensions import db
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Agency, User
from caseapp.models.referral import ConsentBy, DeclineReason, Section, Urgency
from caseapp.security.permissions import Permission, Role
from caseapp.services import cases, notify, referrals
from caseapp.web.forms import select_choices as choices
from caseapp.web.referrals.forms import ReferForm, RespondForm

bp = Blueprint("referrals", __name__)


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
    consent = [ConsentBy.CHILD, ConsentBy.GUARDIAN]
    if acting_user().role == Role.SUPERVISOR.value:
        consent.append(ConsentBy.NOT_REQUIRED)
    form.consent_given_by.choices = choices([(c.value, str(L.CONSENT_LABELS[c.value])) for c in consent])
    defaults = {a.code: ",".join(referrals.default_sections(a)) for a in agencies}
    form.to_agency.render_kw = {"data-defaults": json.dumps(defaults)}
    return form


@bp.route("/cases/<case_uuid>/refer", methods=["GET", "POST"])
@require(Permission.REFERRAL_SEND, hide=True)
def refer(case_uuid: str):  # type: ignore[no-untyped-def]
    """Refer a case to another agency ("Rujuk")."""
    case = cases.get_case(acting_user(), case_uuid)
    form = _refer_form(case.owner_agency_id)
    if request.method == "GET":
        chosen = request.args.get("to", "")
        form.to_agency.data = chosen
        agency = db.session.scalar(db.select(Agency).where(Agency.code == chosen)) if chosen else None
        form.shared_sections.data = referrals.default_sections(agency) if agency else ["identity"]
        form.urgency.data = "urgent"
        return render_template("referrals/refer.html", form=form, case=case)
    if form.validate_on_submit():
        try:
            value = referrals.parse_referral(form.to_body())
            referral = referrals.send(acting_user(), case, value)
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
        else:
            flash(
                _(
                    "Referral sent to %(a)s; answer due %(t)s UTC.",
                    a=referral.to_agency.code,
                    t=referral.due_at.strftime("%Y-%m-%d %H:%M"),
                ),
                "success",
            )
            return redirect(url_for("cases.case_view", case_uuid=case.uuid) + "#referrals")
    return render_template("referrals/refer.html", form=form, case=case), 400


@bp.route("/referrals/")
@require(Permission.REFERRAL_RESPOND)
def referral_list():  # type: ignore[no-untyped-def]
    """Inbox (incoming to the agency) or outbox (referrals of the user's cases)."""
    box = request.args.get("box", "incoming")
    status = request.args.get("status", "")
    try:
        rows = referrals.list_referrals(acting_user(), box, status)
    except ValidationFailed:
        box, status = "incoming", ""
        rows = referrals.list_referrals(acting_user(), box, status)
    return render_template("referrals/list.html", rows=rows, box=box, status=status, now=utcnow())


@bp.route("/referrals/<int(max=2147483647):referral_id>")
@require(Permission.REFERRAL_RESPOND, hide=True)
def referral_view(referral_id: int):  # type: ignore[no-untyped-def]
    """A referral: its summary; the shared sections for the receiving supervisor and assignee."""
    me = acting_user()
    referral = referrals.view_referral(me, referral_id)
    shared = referrals.shared_view(me, referral) if referrals.may_read_shared(me, referral) else None
    sender = referrals.is_sender_side(me, referral)
    workers = db.session.scalars(
        db.select(User)
        .where(
            User.agency_id == referral.to_agency_id,
            User.active.is_(True),
            User.role.in_([Role.CASE_WORKER.value, Role.SUPERVISOR.value]),
        )
        .order_by(User.display_name)
    ).all()
    form = RespondForm(formdata=None)
    form.assignee.choices = choices([(str(u.id), u.display_name) for u in workers])
    form.reason.choices = choices([(r.value, str(L.DECLINE_REASON_LABELS[r.value])) for r in DeclineReason])
    form.outcome.choices = choices(list(L.SERVICE_OUTCOME_LABELS.items()))
    return render_template(
        "referrals/view.html",
        referral=referral,
        shared=shared,
        sender=sender,
        form=form,
        receiver=referral.to_agency_id == me.agency_id,
        now=utcnow(),
        reason_text=referral.reason if sender or shared is not None else None,
    )


@bp.route("/referrals/<int(max=2147483647):referral_id>/respond", methods=["POST"])
@require(Permission.REFERRAL_RESPOND, hide=True)
def respond(referral_id: int):  # type: ignore[no-untyped-def]
    """Accept, assign, decline, complete or withdraw (each a guarded step)."""
    me = acting_user()
    referral = referrals.get_referral(me, referral_id)
    form = RespondForm()
    action = form.action.data or ""
    raw = form.assignee.data or ""
    assignee = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    try:
        if action == "accept":
            referrals.accept(me, referral, assignee)
        elif action == "assign":
            referrals.assign(me, referral, assignee)
        elif action == "decline":
            referrals.decline(me, referral, form.reason.data or "", form.note.data or "")
        elif action == "complete":
            referrals.complete(me, referral, form.outcome.data or "", form.note.data or "")
        elif action == "withdraw":
            referrals.withdraw(me, referral, form.note.data or "")
        else:
            raise ValidationFailed(_("Unknown action."))
    except (ValidationFailed, InvalidTransition) as exc:
        transaction.doom()
        flash(" ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message, "danger")
        return redirect(url_for("referrals.referral_view", referral_id=referral_id))
    flash(_("Done."), "success")
    if action in ("decline", "withdraw") and not referrals.is_sender_side(me, referral):
        return redirect(url_for("referrals.referral_list"))
    return redirect(url_for("referrals.referral_view", referral_id=referral_id))


@bp.route("/notifications", methods=["GET", "POST"])
@require(Permission.ACCOUNT_SELF)
def notifications():  # type: ignore[no-untyped-def]
    """The user's notifications; POST marks them read."""
    me = acting_user()
    if request.method == "POST":
        notify.mark_all_read(me)
        return redirect(url_for("referrals.notifications"))
    rows = notify.recent(me)
    return render_template("referrals/notifications.html", rows=rows)
