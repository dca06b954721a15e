"""What the legal milestones' part of a page needs (the case page and a referral's page include it)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from caseapp import localtime
from caseapp.models import Attachment, Case, Referral, User
from caseapp.models.case import ChildRole
from caseapp.services import attachments, legal
from caseapp.web.legal.forms import DiversionForm, LegalEventForm


def legal_context(
    actor: User,
    case: Case,
    referral: Referral | None = None,
    form: FlaskForm | None = None,
    diversion_form: DiversionForm | None = None,
    files: list[Attachment] | None = None,
) -> dict[str, Any]:
    """Return the case's milestones, whether the user may record one, the form and until when proceedings
    count as open. The caller has checked that the user may read the case (own scope or the referral);
    `files`: the case's attachments when the caller has read them."""
    access = legal.LegalAccess(case, referral)
    if form is None:
        form = LegalEventForm(formdata=None, prefix="legal")
        form.date.data = localtime.today().isoformat()
    if isinstance(form, LegalEventForm):
        shares_files = referral is None or "attachments" in referral.sections
        if files is None and shares_files:
            files = attachments.case_attachments(case)
        form.fill_choices(files if shares_files and files is not None else [])
    if diversion_form is None:
        diversion_form = DiversionForm(formdata=None, prefix="diversion")
        diversion_form.started_on.data = localtime.today().isoformat()
    diversion_form.fill_choices()
    events = legal.case_events(case)
    diversions = legal.case_diversions(case)
    return {
        "legal_case": case,
        "diversion_form": diversion_form,
        "may_record_diversion": legal.may_record(actor, access)
        and case.child_role == ChildRole.IN_CONFLICT_WITH_LAW.value,
        "legal_events": events,
        "diversions": [legal.diversion_out(d, events) for d in diversions],
        "detention": legal.detention(events),
        "legal_form": form,
        "may_record_legal": legal.may_record(actor, access),
        "proceedings_until": legal.proceedings_until(case, (events, diversions)),
        "legal_litmas_due": legal.litmas_due,
        "legal_litmas_awaited": legal.litmas_awaited,
        "legal_litmas_overdue": legal.litmas_overdue,
    }


def referral_legal_context(actor: User, referral: Referral, reads_shared: bool) -> dict[str, Any]:
    """Return the legal part of a referral's page: only for a justice-chain agency that reads the case."""
    if not reads_shared or actor.agency.kind not in legal.LEGAL_AGENCY_KINDS:
        return {"legal_case": None}
    return legal_context(actor, referral.case, referral)
