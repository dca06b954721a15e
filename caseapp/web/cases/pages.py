"""The case page: an overview and a few section pages under one header, joined by plain links.

The overview (`/cases/<uuid>`) holds what a worker uses every day: the child, the incident, the people
involved, notes, services, referrals, the timeline and the lifecycle's next steps (with the open work that
keeps the case from being closed). Each section page (`/cases/<uuid>/section/<name>`) holds one part of the
casework with its forms. A page reads only the rows it shows, besides the case itself; a refused form is
shown again on its own page (`refused_on`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from caseapp import localtime
from caseapp import reference_data as reference
from caseapp.database import utcnow
from caseapp.http.context import acting_user
from caseapp.models import Case, User
from caseapp.security.permissions import Permission
from caseapp.services import assessments, care_plans, cases, conferences, referrals
from caseapp.web.attachments.context import attachment_context
from caseapp.web.attachments.forms import AttachmentForm
from caseapp.web.cases.forms import (
    AssessmentForm,
    CarePlanForm,
    ConferenceForm,
    IncidentLinkForm,
    NoteForm,
    ReturnForm,
    ServiceForm,
)
from caseapp.web.cases.retention_context import LegalHoldForm, retention_context
from caseapp.web.complaints.context import shelter_context
from caseapp.web.complaints.forms import DischargeForm, OutreachForm, ShelterForm
from caseapp.web.legal.context import legal_context
from caseapp.web.legal.forms import DiversionForm, LegalEventForm


class CasePage(StrEnum):
    """The pages of a case, in the order of its navigation (the value names the page in its URL)."""

    OVERVIEW = "overview"
    PRACTICE = "practice"  # assessments, care plans, case conferences and their tasks
    PROTECTION = "protection"  # shelter stays, outreach visits
    LEGAL = "legal"  # legal milestones, diversions
    ATTACHMENTS = "attachments"


# The section pages by the name in their URL (the overview is the case's own address).
SECTIONS = {p.value: p for p in CasePage if p is not CasePage.OVERVIEW}

PAGE_LABELS: dict[CasePage, LazyString] = {
    CasePage.OVERVIEW: _l("Overview"),
    CasePage.PRACTICE: _l("Assessment & plan"),
    CasePage.PROTECTION: _l("Protection"),
    CasePage.LEGAL: _l("Legal proceedings"),
    CasePage.ATTACHMENTS: _l("Attachments"),
}

# Where each form of the case's pages lives: its page, and the name the page's template knows it by. A
# refused form goes back to its page, as the user left it.
FORMS: dict[type[FlaskForm], tuple[CasePage, str]] = {
    NoteForm: (CasePage.OVERVIEW, "note_form"),
    ServiceForm: (CasePage.OVERVIEW, "service_form"),
    IncidentLinkForm: (CasePage.OVERVIEW, "incident_form"),
    LegalHoldForm: (CasePage.OVERVIEW, "hold_form"),
    AssessmentForm: (CasePage.PRACTICE, "assessment_form"),
    CarePlanForm: (CasePage.PRACTICE, "care_plan_form"),
    ReturnForm: (CasePage.PRACTICE, "return_form"),
    ConferenceForm: (CasePage.PRACTICE, "conference_form"),
    ShelterForm: (CasePage.PROTECTION, "shelter_form"),
    DischargeForm: (CasePage.PROTECTION, "discharge_form"),
    OutreachForm: (CasePage.PROTECTION, "outreach_form"),
    LegalEventForm: (CasePage.LEGAL, "legal_form"),
    DiversionForm: (CasePage.LEGAL, "diversion_form"),
    AttachmentForm: (CasePage.ATTACHMENTS, "attachment_form"),
}


def page_url(case: Case, page: CasePage = CasePage.OVERVIEW, anchor: str = "") -> str:
    """Return the address of one of the case's pages (with `anchor`, e.g. "#notes", appended)."""
    if page is CasePage.OVERVIEW:
        return url_for("cases.case_view", case_uuid=case.uuid) + anchor
    return url_for("cases.case_section", case_uuid=case.uuid, section=page.value) + anchor


# Where the parts of the one-page case of before the split live now: an address saved then (a bookmark, a
# link in an old mail) such as /cases/<uuid>#care-plan is sent on to its section page by
# static/js/moved-anchors.js.
MOVED_ANCHORS = {
    "assessment": CasePage.PRACTICE,
    "care-plan": CasePage.PRACTICE,
    "conferences": CasePage.PRACTICE,
    "shelter": CasePage.PROTECTION,
    "outreach": CasePage.PROTECTION,
    "legal": CasePage.LEGAL,
    "attachments": CasePage.ATTACHMENTS,
}


def _form(forms: dict[str, Any], name: str, blank: Callable[[], FlaskForm]) -> Any:
    """Return the refused form of that name as the user sent it, or a blank one."""
    form = forms.get(name)
    return blank() if form is None else form


def _overview(me: User, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    note_form = _form(forms, "note_form", lambda: NoteForm(formdata=None, prefix="note"))
    note_form.fill_choices()
    service_form = forms.get("service_form")
    if service_form is None:
        service_form = ServiceForm(formdata=None, prefix="service")
        service_form.provider.data = case.owner_agency.code
        service_form.service_date.data = localtime.today().isoformat()
    service_form.fill_choices()
    sent = referrals.case_referrals(case)
    open_items: dict[str, list[str]] = {}
    if case.is_open:  # what keeps it from being closed, beside the step that closes it
        loaded = (sent, care_plans.case_plans(case), conferences.open_tasks(case))
        open_items = cases.open_work(case, loaded)
    return {
        "notes": cases.visible_notes(me, case),
        "services": cases.case_services(case),
        "events": cases.timeline(case),
        "case_referrals": sent,
        "actions": cases.available_actions(me, case),
        "closure_reasons": reference.codes("closure_reason"),
        "open_items": open_items,
        "now_local": localtime.input_value(utcnow()),
        "note_form": note_form,
        "service_form": service_form,
        "incident_cases": cases.incident_cases(me, case),
        "incident_form": _form(
            forms, "incident_form", lambda: IncidentLinkForm(formdata=None, prefix="incident")
        ),
        **retention_context(me, case, forms.get("hold_form")),
        "moved_anchors": {anchor: page.value for anchor, page in MOVED_ANCHORS.items()},
    }


def _practice(me: User, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    assessment_form = _form(
        forms, "assessment_form", lambda: AssessmentForm(formdata=None, prefix="assessment")
    )
    assessment_form.fill_choices()
    care_plan_form = _form(forms, "care_plan_form", lambda: CarePlanForm(formdata=None, prefix="plan"))
    care_plan_form.fill_choices()
    conference_form = _form(
        forms, "conference_form", lambda: ConferenceForm(formdata=None, prefix="conference")
    )
    owners: list[tuple[str, str]] = []
    if case.is_open and me.can(Permission.CASE_UPDATE):  # who may own a task: asked only for the form
        candidates = conferences.owner_candidates(case)
        owners = [(u.username, f"{u.display_name} ({u.agency.code})") for u in candidates]
    conference_form.fill_choices(owners)
    case_conferences = conferences.case_conferences(case)
    tasks = [t for c in case_conferences for t in c.tasks]
    return {
        "case_assessments": assessments.case_assessments(case),
        "assessment_form": assessment_form,
        "case_plans": care_plans.case_plans(case),
        "care_plan_form": care_plan_form,
        "return_form": _form(forms, "return_form", lambda: ReturnForm(formdata=None, prefix="return")),
        "case_conferences": case_conferences,
        "conference_form": conference_form,
        "completable": {t.id for t in tasks if conferences.may_complete(me, t)},
        "today": localtime.today(),
    }


def _protection(me: User, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    return shelter_context(
        case, forms.get("shelter_form"), forms.get("discharge_form"), forms.get("outreach_form")
    )


def _legal(me: User, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    return legal_context(me, case, form=forms.get("legal_form"), diversion_form=forms.get("diversion_form"))


def _attachments(me: User, case: Case, forms: dict[str, Any]) -> dict[str, Any]:
    return attachment_context(case, forms.get("attachment_form"))


_CONTEXT: dict[CasePage, Callable[[User, Case, dict[str, Any]], dict[str, Any]]] = {
    CasePage.OVERVIEW: _overview,
    CasePage.PRACTICE: _practice,
    CasePage.PROTECTION: _protection,
    CasePage.LEGAL: _legal,
    CasePage.ATTACHMENTS: _attachments,
}


def render_case(
    case: Case,
    page: CasePage = CasePage.OVERVIEW,
    *,
    refused: FlaskForm | None = None,
    status: int = 200,
    nik: str | None = None,
    **named: FlaskForm,
) -> ResponseReturnValue:
    """Render one page of the case under its header; with `refused` (or one form given by the name its
    template knows it by, `hold_form=form`), the page of that form, shown as the user left it (its errors
    beside its fields)."""
    if named:
        ((name, refused),) = named.items()  # one refused form at a time
        if FORMS[type(refused)][1] != name:
            raise TypeError(f"{name} is not a {type(refused).__name__}")
    forms: dict[str, Any] = {}
    if refused is not None:
        page, name = FORMS[type(refused)]
        forms[name] = refused
    me = acting_user()
    if case.is_shredded:  # retention removed the identity: its statistics, the date, the access log's link
        allowed = cases.allowed_steps(me, case)
        return render_template("cases/shredded.html", case=case, allowed=allowed), status
    return render_template(
        "cases/view.html" if page is CasePage.OVERVIEW else f"cases/section_{page.value}.html",
        case=case,
        nik=nik,
        page=page,
        pages=[(p, PAGE_LABELS[p], page_url(case, p)) for p in CasePage],
        allowed=cases.allowed_steps(me, case),
        now=utcnow(),
        **_CONTEXT[page](me, case, forms),
    ), status


def refused_on(case_uuid: str, form: FlaskForm, status: int) -> ResponseReturnValue:
    """Answer a refused form of a case page: that page again, with the form as the user left it. The
    refused request rolls back; the view of the page stays on record all the same."""
    page = FORMS[type(form)][0]
    section = None if page is CasePage.OVERVIEW else page.value
    shown = cases.view_case(acting_user(), case_uuid, beside_a_refusal=True, section=section)
    return render_case(shown, refused=form, status=status)
