"""Case pages. Thin: parse the form through the case schemas, call one service, render or redirect (the
pipeline commits)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp import labels as L
from caseapp import localtime
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, StaleVersion, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.pagination import make_cursor, parse_cursor
from caseapp.http.policy import require
from caseapp.models import Case
from caseapp.models.case import KOTA_KENDARI, PartyRole
from caseapp.models.intake import ComplaintDecision
from caseapp.schemas.base import parse_data
from caseapp.schemas.cases import (
    AssignIn,
    CaseEditIn,
    CaseFilters,
    CaseIn,
    IncidentLinkIn,
    NoteIn,
    SearchIn,
    ServiceIn,
    TransitionIn,
)
from caseapp.schemas.intake import TriageIn
from caseapp.schemas.practice import AssessmentIn, CarePlanIn, ConferenceIn, ReturnIn, TaskCompleteIn
from caseapp.security.permissions import Permission
from caseapp.services import assessments, care_plans, cases, conferences
from caseapp.services import complaints as complaint_service
from caseapp.web.cases.forms import (
    AssessmentForm,
    AssignForm,
    CarePlanForm,
    CaseForm,
    ConferenceForm,
    FilterForm,
    IncidentLinkForm,
    NoteForm,
    ReturnForm,
    SearchForm,
    ServiceForm,
    TaskCompleteForm,
    TransitionForm,
)
from caseapp.web.cases.pages import SECTIONS, CasePage, page_url, refused_on, render_case
from caseapp.web.forms import apply_field_errors

bp = Blueprint("cases", __name__)


def _list_page(
    form: FilterForm, rows: list[Case], total: int, search: SearchForm | None = None, **extra: Any
) -> str:
    search = search if search is not None else SearchForm()
    return render_template(
        "cases/list.html", form=form, rows=rows, total=total, search=search, now=utcnow(), **extra
    )


@bp.route("/")
@require(Permission.CASE_READ)
def case_list() -> ResponseReturnValue:
    """List the cases the user may see, filtered, sorted and paginated."""
    actor = acting_user()
    form = FilterForm(request.args)
    form.fill_choices(cases.manager_choices(actor))
    try:
        query = parse_data(CaseFilters, form.to_query(), strict=False)
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return _list_page(form, [], 0, next_after=None), 400
    flt = cases.case_filter(query, case_manager_id=form.case_manager_id())
    rows, next_after = cases.list_cases(actor, flt, parse_cursor(request.args.get("after")))
    total = cases.count_cases(actor, flt)
    return _list_page(form, rows, total, next_after=make_cursor(next_after))


@bp.route("/search", methods=["POST"])
@require(Permission.CASE_READ)
def case_search() -> ResponseReturnValue:
    """Search by case number, name or NIK; the query travels in the body, never the URL."""
    actor = acting_user()
    search = SearchForm()
    form = FilterForm(request.form)
    form.fill_choices(cases.manager_choices(actor))
    if request.form.get("apply") == "filters" or not (search.query.data or "").strip():
        # The filters (codes and dates, never a name or NIK) go to the list's address: choosing a filter
        # and pressing "Search" with nothing typed filters, instead of refusing an empty search.
        chosen: dict[str, Any] = {f.name: request.form[f.name] for f in form if request.form.get(f.name)}
        return redirect(url_for("cases.case_list", **chosen), 303)
    body = search.to_body()
    typed = re.sub(r"[\s.\-]", "", search.query.data or "")
    if search.by.data == "nik" or re.search(r"\d{10,}", typed):
        # Never echo what may be a NIK back into the page, found or refused.
        search.query.data = ""
    try:
        found = cases.search_cases(actor, parse_data(SearchIn, body, strict=False))
    except ValidationFailed as exc:
        apply_field_errors(search, exc)
        return _list_page(form, [], 0, next_after=None, search=search, searched=True), 400
    rows = found.cases
    return _list_page(
        form, rows, len(rows), next_after=None, search=search, searched=True, too_many=found.too_many
    )


def _new_form() -> CaseForm:
    form = CaseForm()
    form.fill_choices()
    return form


def _from_complaint(form: CaseForm, draft: complaint_service.Registration) -> None:
    """Start the registration form from an accepted complaint (the worker completes the child's details)."""
    form.channel.data = draft.channel
    form.risk_level.data = draft.risk_level
    form.incident_narrative.data = draft.narrative
    if draft.reporter_name or draft.reporter_contact:
        reporter = next(e.form for e in form.parties if e.form.role.data == PartyRole.REPORTER.value)
        reporter.name.data = draft.reporter_name
        reporter.phone.data = draft.reporter_contact[:40]
        if len(draft.reporter_contact) > 40:  # a contact longer than a phone number: an address
            reporter.phone.data, reporter.address.data = "", draft.reporter_contact


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.CASE_CREATE)
def case_create() -> ResponseReturnValue:
    """Register a case (one submission, one case, even when sent twice); from a complaint (`?complaint=`),
    prefilled from it, and registering it records the complaint's triage (accepted) and links the two."""
    actor = acting_user()
    form = _new_form()
    duplicates = None
    complaint = None
    if request.args.get("complaint"):
        complaint = complaint_service.get_complaint(actor, request.args["complaint"])
        if complaint.decision is not None:
            transaction.doom()
            flash(_("This complaint is already triaged."), "warning")
            return redirect(url_for("complaints.complaint_view", complaint_id=complaint.uuid))
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        if complaint is not None:
            _from_complaint(form, complaint_service.registration_draft(actor, complaint))
        if request.args.get("incident"):  # "another child of this incident", from a case page
            _prefill_incident(form, cases.get_case(actor, request.args["incident"]))
        return render_template("cases/form.html", form=form, case=None, duplicates=None, complaint=complaint)
    if form.validate_on_submit():
        already = cases.registered_with(actor, form.idempotency_key.data)
        if already is not None:  # a double click or a retry: show the case the first one created
            return redirect(url_for("cases.case_view", case_uuid=already.uuid))
        try:
            value = parse_data(CaseIn, form.to_body(), strict=False)
            duplicates = cases.find_duplicates(actor, value)
            if duplicates and not form.confirm_duplicate.data:
                return render_template(
                    "cases/form.html", form=form, case=None, duplicates=duplicates, complaint=complaint
                ), 409
            result = cases.register_case(
                actor, value, form.idempotency_key.data or None, duplicates=duplicates
            )
            if complaint is not None and result.created:
                accepted = TriageIn(decision=ComplaintDecision.ACCEPTED, case_id=result.case.uuid)
                complaint_service.triage(actor, complaint, accepted)
        except ValidationFailed as exc:
            form.show_errors(exc.fields, form.party_rows())
        else:
            if result.created:
                flash(_("Case %(n)s registered.", n=result.case.case_number), "success")
            return redirect(url_for("cases.case_view", case_uuid=result.case.uuid))
    return render_template(
        "cases/form.html", form=form, case=None, duplicates=duplicates, complaint=complaint
    ), 400


def _prefill_incident(form: CaseForm, source: Case) -> None:
    """Fill the incident's number, date and place from another case of it (the service copies them again)."""
    form.incident_of.data = source.case_number
    form.incident_date.data = source.incident_date.isoformat() if source.incident_date else ""
    form.incident_date_is_approximate.data = source.incident_date_approximate
    form.incident_kelurahan.data = source.incident_kelurahan or ""
    regency = source.incident_regency
    form.incident_regency.data = (
        "" if regency == KOTA_KENDARI and source.incident_kelurahan else regency or ""
    )
    form.incident_place.data = source.place or ""


def _form_from_case(case: Case) -> CaseForm:
    values = cases.snapshot(case)
    form = CaseForm(formdata=None)
    form.version.data = str(case.version)
    form.child_name.data = values["child.name"]
    form.child_nik.data = ""  # never prefilled: the recorded NIK is kept unless a new one is typed
    form.child_sex.data = values["child.sex"]
    form.child_role.data = values["child.role"]
    form.child_date_of_birth.data = values["child.date_of_birth"] or ""
    form.child_age.data = "" if values["child.age"] is None else str(values["child.age"])
    form.child_disability.data = values["child.disability"]
    form.child_address.data = values["child.address"]
    form.child_kelurahan.data = values["child.kelurahan"] or ""
    # Kendari goes without saying where a kelurahan is chosen (the form's empty choice).
    regency = values["child.regency"]
    form.child_regency.data = "" if regency == KOTA_KENDARI and values["child.kelurahan"] else regency or ""
    form.child_school.data = values["child.school"]
    form.child_disability_types.data = values["child.disability_types"]
    form.child_education.data = values["child.education"] or ""
    form.child_school_status.data = values["child.school_status"] or ""
    form.child_occupation.data = values["child.occupation"] or ""
    form.child_marital_status.data = values["child.marital_status"] or ""
    form.incident_date.data = values["incident.date"] or ""
    form.incident_date_is_approximate.data = values["incident.date_is_approximate"]
    form.incident_kelurahan.data = values["incident.kelurahan"] or ""
    regency = values["incident.regency"]
    form.incident_regency.data = (
        "" if regency == KOTA_KENDARI and values["incident.kelurahan"] else regency or ""
    )
    form.incident_place.data = values["incident.place"] or ""
    form.incident_violence_types.data = values["incident.violence_types"]
    form.incident_primary_violence_type.data = values["incident.primary_violence_type"]
    form.incident_ampk.data = values["incident.ampk"]
    form.incident_narrative.data = values["incident.narrative"]
    form.channel.data = values["channel"] or ""
    form.risk_level.data = values["risk_level"]
    while len(form.parties) < len(case.parties) + 1:
        form.parties.append_entry()
    for entry, party in zip(form.parties, case.parties, strict=False):
        p = entry.form
        p.role.data, p.name.data, p.phone.data = party.role, party.name or "", party.phone or ""
        p.address.data, p.relationship.data = party.address or "", party.relationship_code or ""
        p.sex.data, p.age_group.data, p.is_child.data = party.sex or "", party.age_group or "", party.is_child
        p.nik.data, p.education.data = party.nik or "", party.education or ""
        p.occupation.data, p.marital_status.data = party.occupation or "", party.marital_status or ""
    form.fill_choices()
    return form


@bp.route("/<case_uuid>/edit", methods=["GET", "POST"])
@require(Permission.CASE_UPDATE, hide=True)
def case_edit(case_uuid: str) -> ResponseReturnValue:
    """Edit a case; a stale version shows what changed meanwhile and keeps what the user typed."""
    actor = acting_user()
    if request.method == "GET":
        case = cases.view_case(actor, case_uuid)
        return render_template("cases/form.html", form=_form_from_case(case), case=case, duplicates=None)
    case = cases.get_case(actor, case_uuid)
    form = _new_form()
    status = 400
    changed_meanwhile: dict[str, Any] | None = None
    if form.validate_on_submit():
        body = form.to_body()
        if not body["child"]["nik"] and not form.child_nik_clear.data:
            body["child"]["nik"] = case.child_nik  # left empty: keep the recorded NIK
        try:
            value = parse_data(CaseEditIn, {**body, "version": form.version.data}, strict=False)
            if value.child.nik and value.child.nik != case.child_nik and not form.confirm_duplicate.data:
                found = cases.find_duplicates(actor, value, exclude_id=case.id)
                if found.nik_held_by:  # a newly typed NIK that another case already has: say so first
                    found.same_child = []
                    return render_template("cases/form.html", form=form, case=case, duplicates=found), 409
            changed = cases.update_case(actor, case, value, value.version)
        except ValidationFailed as exc:
            form.show_errors(exc.fields, form.party_rows())
        except StaleVersion:
            case = cases.get_case(actor, case_uuid, fresh=True)
            changed_meanwhile = cases.differences(case, value)
            form.version.data = str(case.version)  # sending again now means "mine wins", knowingly
            status = 409
        except InvalidTransition as exc:
            form.form_errors.append(exc.message)
            status = 409
        else:
            flash(_("Case saved.") if changed else _("Nothing changed."), "success" if changed else "info")
            return redirect(url_for("cases.case_view", case_uuid=case.uuid))
    return render_template(
        "cases/form.html", form=form, case=case, duplicates=None, changed_meanwhile=changed_meanwhile
    ), status


@bp.route("/<case_uuid>")
@require(Permission.CASE_READ, hide=True)
def case_view(case_uuid: str) -> ResponseReturnValue:
    """Show the case's overview (the view is audited)."""
    return render_case(cases.view_case(acting_user(), case_uuid))


@bp.route("/<case_uuid>/section/<section>")
@require(Permission.CASE_READ, hide=True)
def case_section(case_uuid: str, section: str) -> ResponseReturnValue:
    """Show one section page of the case (the view is audited, naming the section)."""
    page = SECTIONS.get(section)
    if page is None:
        raise NotFound()
    return render_case(cases.view_case(acting_user(), case_uuid, section=page.value), page)


def section_post(
    case_uuid: str,
    form: Any,
    schema: type[Any],
    save: Callable[[Any, Case, Any], object],
    page: CasePage,
    anchor: str,
    done: str,
    aliases: Mapping[str, str] | None = None,
    show_errors: Callable[[Any, ValidationFailed | InvalidTransition], None] | None = None,
) -> ResponseReturnValue:
    """Submit one form of a section page: parse it with the API's schema and call the service, then go
    back to the section (`anchor`); a refusal shows that page again with the form as the user left it,
    the errors beside its fields (`show_errors` places them; by default `apply_field_errors`)."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    try:
        save(actor, case, parse_data(schema, form.to_body(), strict=False))
    except (ValidationFailed, InvalidTransition) as exc:
        if show_errors is not None:
            show_errors(form, exc)
        else:
            apply_field_errors(form, exc, aliases=aliases)
        return refused_on(case_uuid, form, exc.status)
    flash(done, "success")
    return redirect(page_url(case, page, anchor))


def _decide(
    case_uuid: str,
    record_id: str,
    find: Callable[..., Any],
    decide: Callable[[Any, Any], object],
    done: str,
    anchor: str,
    form: Any = None,
) -> ResponseReturnValue:
    """Take a supervisor's decision on a record of the case (an assessment's review, a care plan's approval
    or return), then go back to it on the practice page; `find`: the record's getter, asked for one of this
    case (another case's is an audited 404); `form`: the decision's own form, shown again beside a refusal
    of what was typed in it."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    row = find(actor, record_id, case=case, permission=Permission.CASE_REVIEW)  # of this case, or 404
    try:
        decide(actor, row)
    except ValidationFailed as exc:
        if form is None:
            raise
        apply_field_errors(form, exc)
        return refused_on(case_uuid, form, exc.status)
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "warning")
    else:
        flash(done, "success")
    return redirect(page_url(case, CasePage.PRACTICE, anchor))


def _rows_errors(form: CarePlanForm | ConferenceForm, exc: ValidationFailed | InvalidTransition) -> None:
    """Place the errors of a form with rows (a plan's goals, a conference's tasks): a row's beside its
    field, the rest beside the form's fields or above them."""
    fields = exc.fields if isinstance(exc, ValidationFailed) else {}
    rest = form.row_errors(fields)
    if rest or not fields:
        apply_field_errors(form, ValidationFailed(exc.message, fields=rest) if rest else exc)
    else:  # every error is beside its row's field: the summary says so and links to each
        form.form_errors.append(exc.message)


@bp.route("/<case_uuid>/nik", methods=["POST"])
@require(Permission.CASE_READ, hide=True)
def reveal_nik(case_uuid: str) -> ResponseReturnValue:
    """Show the NIK in full (audited); rendered in the response, never put in a URL."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    return render_case(case, nik=cases.reveal_nik(actor, case) or "")


@bp.route("/<case_uuid>/transition", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def case_transition(case_uuid: str) -> ResponseReturnValue:
    """Take a lifecycle step (the time of a first contact is typed in Kendari time)."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    form = TransitionForm()
    at = None
    local = request.form.get("at_local", "")
    if local:
        try:
            at = localtime.from_input(local)
        except ValueError:
            flash(_("Enter the time as date and hour."), "danger")
            return redirect(url_for("cases.case_view", case_uuid=case.uuid))
    try:
        cases.transition(actor, case, parse_data(TransitionIn, form.to_body(at), strict=False))
    except StaleVersion:
        transaction.doom()
        flash(_("Someone changed this case after you opened it. Check it and try again."), "warning")
    except (InvalidTransition, ValidationFailed) as exc:
        transaction.doom()
        flash(exc.message, "danger")
    else:
        flash(_("%(action)s: done.", action=L.label(L.ACTION_LABELS, form.action.data)), "success")
    return redirect(url_for("cases.case_view", case_uuid=case.uuid))


@bp.route("/<case_uuid>/incident", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def link_incident(case_uuid: str) -> ResponseReturnValue:
    """Link the case to the incident of another case; a refused number comes back with the reason."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    form = IncidentLinkForm(prefix="incident")
    try:
        value = parse_data(IncidentLinkIn, form.to_body(), strict=False)
        cases.link_incident(actor, case, value.incident_of)
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return refused_on(case_uuid, form, 400)
    except InvalidTransition as exc:
        transaction.doom()
        flash(exc.message, "danger")
    else:
        flash(_("The case is linked to the incident."), "success")
    return redirect(page_url(case, CasePage.OVERVIEW, "#incident"))


@bp.route("/<case_uuid>/notes", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_note(case_uuid: str) -> ResponseReturnValue:
    """Add a note."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    form = NoteForm(prefix="note")
    try:
        _note, warning = cases.add_note(actor, case, parse_data(NoteIn, form.to_body(), strict=False))
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return refused_on(case_uuid, form, 400)
    flash(_("Note added."), "success")
    if warning:
        flash(warning, "warning")
    return redirect(page_url(case, CasePage.OVERVIEW, "#notes"))


@bp.route("/<case_uuid>/services", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_service(case_uuid: str) -> ResponseReturnValue:
    """Record a service delivered."""
    form = ServiceForm(prefix="service")
    return section_post(
        case_uuid,
        form,
        ServiceIn,
        cases.add_service,
        CasePage.OVERVIEW,
        "#services",
        _("Service recorded."),
        aliases=ServiceForm.ALIASES,
    )


@bp.route("/<case_uuid>/assessments", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_assessment(case_uuid: str) -> ResponseReturnValue:
    """Record an assessment (a revision of the case's assessment)."""
    form = AssessmentForm(prefix="assessment")
    return section_post(
        case_uuid,
        form,
        AssessmentIn,
        assessments.add_assessment,
        CasePage.PRACTICE,
        "#assessment",
        _("Assessment recorded."),
    )


@bp.route("/<case_uuid>/assessments/<assessment_id>/review", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
def review_assessment(case_uuid: str, assessment_id: str) -> ResponseReturnValue:
    """Mark an assessment reviewed (a supervisor of the owning agency)."""
    return _decide(
        case_uuid,
        assessment_id,
        assessments.get_assessment,
        assessments.review,
        _("Assessment reviewed."),
        "#assessment",
    )


@bp.route("/<case_uuid>/care-plans", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_care_plan(case_uuid: str) -> ResponseReturnValue:
    """Record a care plan; it waits for a supervisor's approval."""
    form = CarePlanForm(prefix="plan")
    return section_post(
        case_uuid,
        form,
        CarePlanIn,
        care_plans.add_plan,
        CasePage.PRACTICE,
        "#care-plan",
        _("Care plan recorded: it waits for a supervisor's approval."),
        show_errors=_rows_errors,
    )


@bp.route("/<case_uuid>/care-plans/<plan_id>/<decision>", methods=["POST"])
@require(Permission.CASE_REVIEW, hide=True)
def decide_care_plan(case_uuid: str, plan_id: str, decision: str) -> ResponseReturnValue:
    """Approve a care plan, or return it with what to change (a supervisor of the owning agency)."""
    if decision == "approve":
        approved = _("Care plan approved.")
        return _decide(case_uuid, plan_id, care_plans.get_plan, care_plans.approve, approved, "#care-plan")
    if decision != "return":
        raise NotFound()
    form = ReturnForm(prefix="return")

    def give_back(actor: Any, plan: Any) -> object:
        comment = parse_data(ReturnIn, {"comment": form.comment.data or ""}, strict=False)
        return care_plans.return_plan(actor, plan, comment)

    return _decide(
        case_uuid, plan_id, care_plans.get_plan, give_back, _("Care plan returned."), "#care-plan", form
    )


@bp.route("/<case_uuid>/conferences", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def add_conference(case_uuid: str) -> ResponseReturnValue:
    """Record a case conference and its follow-up tasks."""
    form = ConferenceForm(prefix="conference")
    return section_post(
        case_uuid,
        form,
        ConferenceIn,
        conferences.add_conference,
        CasePage.PRACTICE,
        "#conferences",
        _("Case conference recorded."),
        show_errors=_rows_errors,
    )


@bp.route("/tasks/<task_id>")
@require(Permission.CASE_UPDATE, hide=True)
def task_view(task_id: str) -> ResponseReturnValue:
    """Show a follow-up task to its owner (a partner agency's worker sees the task, not the case)."""
    actor = acting_user()
    task = conferences.view_task(actor, task_id)
    return render_template(
        "cases/task.html",
        task=task,
        may_complete=conferences.may_complete(actor, task),
        form=TaskCompleteForm(formdata=None),
        today=localtime.today(),
    )


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
@require(Permission.CASE_UPDATE, hide=True)
def complete_task(task_id: str) -> ResponseReturnValue:
    """Mark a task done (its owner, or a supervisor of the owning agency); back to where it was shown."""
    actor = acting_user()
    task = conferences.get_task(actor, task_id)
    form = TaskCompleteForm()
    try:
        conferences.complete(actor, task, parse_data(TaskCompleteIn, form.to_body(), strict=False))
    except (InvalidTransition, ValidationFailed) as exc:
        transaction.doom()
        flash(exc.message, "warning")
    else:
        flash(_("Task done."), "success")
    if request.form.get("back") == "case":
        return redirect(page_url(task.case, CasePage.PRACTICE, "#conferences"))
    return redirect(url_for("cases.task_view", task_id=task.uuid))


@bp.route("/<case_uuid>/assign", methods=["GET", "POST"])
@require(Permission.CASE_ASSIGN, hide=True)
def case_assign(case_uuid: str) -> ResponseReturnValue:
    """Set the case manager and team (supervisors of the owning agency)."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    people = cases.assignable_users(case)
    form = AssignForm()
    choices = [(str(u.id), f"{u.display_name} ({L.role_label(u.role)})") for u in people]
    form.case_manager.choices = choices
    form.team.choices = choices
    if request.method == "GET":
        form.version.data = str(case.version)
        form.case_manager.data = str(case.case_manager_id)
        form.team.data = [str(m.user_id) for m in case.team]
        return render_template("cases/assign.html", form=form, case=case)
    try:
        body = form.to_body({str(u.id): u.username for u in people})
        cases.assign(actor, case, parse_data(AssignIn, body, strict=False))
    except ValidationFailed as exc:
        apply_field_errors(form, exc)
        return render_template("cases/assign.html", form=form, case=case), 400
    except StaleVersion:
        transaction.doom()
        flash(_("Someone changed this case after you opened it. Check it and try again."), "warning")
        return redirect(url_for("cases.case_assign", case_uuid=case_uuid))
    flash(_("Assignment saved."), "success")
    return redirect(url_for("cases.case_view", case_uuid=case.uuid))


@bp.route("/<case_uuid>/access-log")
@require(Permission.CASE_ACCESS_LOG, hide=True)
def access_log(case_uuid: str) -> ResponseReturnValue:
    """Who viewed or changed this case (supervisors)."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    events = cases.access_log(actor, case)
    return render_template("cases/access_log.html", case=case, events=events)
