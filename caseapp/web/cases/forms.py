"""Case forms: shape only. Each builds the input of its schema (`caseapp.schemas.cases`), which checks
every rule the API checks and names the field that breaks it; the messages go back beside the fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    StringField,
    TextAreaField,
)

from caseapp import labels as L
from caseapp import reference_data as reference
from caseapp.web.forms import MultiCheckboxField, SelectField
from caseapp.web.forms import select_choices as _choices


class PartyForm(Form):
    """One person on the case (a row; empty rows are ignored)."""

    role = SelectField(_l("Role"), validate_choice=False)
    name = StringField(_l("Name"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address"))
    relationship = SelectField(_l("Relationship to the child"), validate_choice=False)
    sex = SelectField(_l("Sex"), validate_choice=False)
    age_group = SelectField(_l("Age group"), validate_choice=False)
    is_child = BooleanField(_l("Is a child"))
    nik = StringField(_l("NIK"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    education = SelectField(_l("Education"), validate_choice=False)
    occupation = SelectField(_l("Occupation"), validate_choice=False)
    marital_status = SelectField(_l("Marital status"), validate_choice=False)

    def is_empty(self) -> bool:
        """Say whether nothing identifying was typed in this row."""
        texts = (self.name.data, self.phone.data, self.address.data, self.nik.data)
        return not any((t or "").strip() for t in texts) and not self.relationship.data


class CaseForm(FlaskForm):
    """Register or edit a case (sections: child, incident, people, report)."""

    idempotency_key = HiddenField()
    version = HiddenField()
    confirm_duplicate = BooleanField(_l("I have checked: register this case anyway"))

    child_name = StringField(_l("Child's name"))
    child_nik = StringField(
        _l("NIK"),
        description=_l("16 digits. Leave empty if not known (tidak diketahui)."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    child_nik_clear = BooleanField(_l("Remove the recorded NIK"))
    child_sex = SelectField(_l("Sex"), validate_choice=False)
    child_role = SelectField(
        _l("The child's role"),
        validate_choice=False,
        default="victim",
        description=_l("A witness or a child in conflict with the law is restricted (UU SPPA Pasal 19)."),
    )
    child_date_of_birth = StringField(_l("Date of birth"), render_kw={"type": "date"})
    child_age = StringField(
        _l("Estimated age at the incident (years)"),
        description=_l("Only when the date of birth is not known."),
        render_kw={"inputmode": "numeric"},
    )
    child_disability = BooleanField(_l("The child has a disability"))
    child_disability_types = MultiCheckboxField(_l("Kinds of disability (UU 8/2016)"), validate_choice=False)
    child_address = StringField(_l("Address"))
    child_regency = SelectField(
        _l("Regency or city of residence"),
        validate_choice=False,
        description=_l("Leave empty for Kendari; choose the kelurahan only in Kendari."),
    )
    child_kelurahan = SelectField(_l("Kelurahan of residence"), validate_choice=False)
    child_school = StringField(_l("School"))
    child_education = SelectField(_l("Education level"), validate_choice=False)
    child_school_status = SelectField(_l("School status"), validate_choice=False)
    child_occupation = SelectField(_l("Occupation"), validate_choice=False)
    child_marital_status = SelectField(
        _l("Marital status"), validate_choice=False, description=_l("Married: a child marriage.")
    )

    incident_of = StringField(
        _l("Part of the incident of case"),
        description=_l(
            "The case number of another child of the same incident: its date, place and alleged "
            "perpetrators are copied and the cases linked. Leave empty for a new incident."
        ),
    )
    incident_date = StringField(_l("Incident date"), render_kw={"type": "date"})
    incident_date_is_approximate = BooleanField(_l("The date is approximate"))
    incident_regency = SelectField(
        _l("Regency or city of the incident"),
        validate_choice=False,
        description=_l("Leave empty for Kendari; choose the kelurahan only in Kendari."),
    )
    incident_kelurahan = SelectField(_l("Kelurahan of the incident"), validate_choice=False)
    incident_place = SelectField(_l("Place of incident"), validate_choice=False)
    incident_violence_types = MultiCheckboxField(_l("Forms of violence"), validate_choice=False)
    incident_primary_violence_type = SelectField(_l("Main form of violence"), validate_choice=False)
    incident_ampk = MultiCheckboxField(_l("Special protection (AMPK)"), validate_choice=False)
    incident_narrative = TextAreaField(_l("What happened"), render_kw={"rows": 5})

    parties = FieldList(FormField(PartyForm), min_entries=4, max_entries=12)

    channel = SelectField(_l("Reporting channel"), validate_choice=False)
    risk_level = SelectField(
        _l("Risk level"),
        validate_choice=False,
        description=_l("First contact due: high 24 hours, medium 72 hours, low 7 days."),
    )

    def fill_choices(self) -> None:
        """Set every select's options in the current language."""
        kelurahan = reference.kelurahan_choices()
        self.child_sex.choices = _choices(list(L.SEX_LABELS.items()))
        self.child_role.choices = _choices(list(L.CHILD_ROLE_LABELS.items()), blank=None)
        self.child_kelurahan.choices = _choices(kelurahan)
        self.incident_kelurahan.choices = _choices(kelurahan)
        regencies = reference.codes("regency")
        self.child_regency.choices = _choices(regencies)
        self.incident_regency.choices = _choices(regencies)
        self.child_disability_types.choices = _choices(reference.codes("disability_type"), blank=None)
        self.child_education.choices = _choices(reference.codes("education_level"))
        self.child_school_status.choices = _choices(list(L.SCHOOL_STATUS_LABELS.items()))
        self.child_occupation.choices = _choices(reference.codes("occupation"))
        self.child_marital_status.choices = _choices(list(L.MARITAL_STATUS_LABELS.items()))
        self.incident_place.choices = _choices(reference.codes("place"))
        self.incident_violence_types.choices = _choices(reference.codes("violence_type"), blank=None)
        self.incident_primary_violence_type.choices = _choices(reference.codes("violence_type"))
        self.incident_ampk.choices = _choices(reference.codes("ampk"), blank=None)
        self.channel.choices = _choices(reference.codes("channel"))
        self.risk_level.choices = _choices(list(L.RISK_LABELS.items()))
        for i, entry in enumerate(self.parties):
            entry.role.choices = _choices(list(L.PARTY_ROLE_LABELS.items()))
            entry.relationship.choices = _choices(reference.codes("relationship"))
            entry.sex.choices = _choices(list(L.SEX_LABELS.items()))
            entry.age_group.choices = _choices(list(L.AGE_GROUP_LABELS.items()))
            entry.education.choices = _choices(reference.codes("education_level"))
            entry.occupation.choices = _choices(reference.codes("occupation"))
            entry.marital_status.choices = _choices(list(L.MARITAL_STATUS_LABELS.items()))
            if not entry.role.data:
                entry.role.data = ("guardian", "reporter", "perpetrator", "witness")[i % 4]

    def to_body(self) -> dict[str, Any]:
        """Return the form's data in the API's case shape (the one the service validates)."""
        parties = []
        for entry in self.parties:
            p = entry.form
            if p.is_empty():
                continue
            parties.append(
                {
                    "role": p.role.data,
                    "name": p.name.data,
                    "phone": p.phone.data,
                    "address": p.address.data,
                    "relationship": p.relationship.data or None,
                    "sex": p.sex.data or None,
                    "age_group": p.age_group.data or None,
                    "is_child": bool(p.is_child.data),
                    "nik": (p.nik.data or "").strip() or None,
                    "education": p.education.data or None,
                    "occupation": p.occupation.data or None,
                    "marital_status": p.marital_status.data or None,
                }
            )
        return {
            "child": {
                "name": self.child_name.data,
                "nik": (self.child_nik.data or "").strip() or None,
                "sex": self.child_sex.data,
                "role": self.child_role.data or "victim",
                "date_of_birth": self.child_date_of_birth.data or None,
                "age": self.child_age.data or None,
                "disability": bool(self.child_disability.data),
                "disability_types": list(self.child_disability_types.data or []),
                "address": self.child_address.data,
                "kelurahan": self.child_kelurahan.data or None,
                "regency": self.child_regency.data or None,
                "school": self.child_school.data,
                "education": self.child_education.data or None,
                "school_status": self.child_school_status.data or None,
                "occupation": self.child_occupation.data or None,
                "marital_status": self.child_marital_status.data or None,
            },
            "incident": {
                "date": self.incident_date.data or None,
                "date_is_approximate": bool(self.incident_date_is_approximate.data),
                "kelurahan": self.incident_kelurahan.data or None,
                "regency": self.incident_regency.data or None,
                "place": self.incident_place.data or None,
                "violence_types": list(self.incident_violence_types.data or []),
                "primary_violence_type": self.incident_primary_violence_type.data or None,
                "ampk": list(self.incident_ampk.data or []),
                "narrative": self.incident_narrative.data,
            },
            "parties": parties,
            "channel": self.channel.data or None,
            "risk_level": self.risk_level.data or None,
            "incident_of": (self.incident_of.data or "").strip() or None,
        }

    def show_errors(self, fields: dict[str, list[str]], party_rows: list[int]) -> None:
        """Put validation errors (by the API's field path) beside the form's fields, or above the form."""
        for path, messages in fields.items():
            target = self._field_at(path.split("."), party_rows)
            if target is not None:
                target.errors = list(messages)
            else:
                self.form_errors.extend(messages)

    def _field_at(self, parts: list[str], party_rows: list[int]) -> Field | None:
        """Return the visible field holding a path (`child.nik` is `child_nik`; `parties.1.phone` the phone
        of the second row sent), or None."""
        if parts[0] == "parties" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(party_rows):
                field: Field | None = getattr(self.parties[party_rows[index]].form, parts[2], None)
                return field
            return None
        while parts and parts[-1].isdigit():  # one item of a list: the list's field (`incident.ampk.0`)
            parts = parts[:-1]
        field = getattr(self, "_".join(parts), None) if parts else None
        if not isinstance(field, Field) or isinstance(field, HiddenField | FieldList):
            return None
        return field

    def party_rows(self) -> list[int]:
        """Return the form row of each party sent to the service (empty rows are skipped)."""
        return [i for i, entry in enumerate(self.parties) if not entry.form.is_empty()]


class IncidentLinkForm(FlaskForm):
    """Link a registered case to the incident of another case."""

    incident_of = StringField(
        _l("Case number of another child of the same incident"),
        description=_l("A case you can see, e.g. KDI-2026-00042."),
    )

    def to_body(self) -> dict[str, Any]:
        """Return the form's data in the API's shape (`IncidentLinkIn`)."""
        return {"incident_of": (self.incident_of.data or "").strip()}


class NoteForm(FlaskForm):
    """A note on the case."""

    kind = SelectField(_l("Kind"), validate_choice=False)
    visibility = SelectField(_l("Who may read it"), validate_choice=False)
    body = TextAreaField(_l("Note"), render_kw={"rows": 4})

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.kind.choices = _choices(list(L.NOTE_KIND_LABELS.items()))
        self.visibility.choices = _choices(list(L.NOTE_VISIBILITY_LABELS.items()), blank=None)

    def to_body(self) -> dict[str, Any]:
        """Return the note in the API's shape (`NoteIn`)."""
        return {"kind": self.kind.data, "body": self.body.data, "visibility": self.visibility.data}


class ServiceForm(FlaskForm):
    """A service delivered."""

    service_type = SelectField(_l("Service"), validate_choice=False)
    provider = SelectField(_l("Provided by"), validate_choice=False)
    service_date = StringField(_l("Date"), render_kw={"type": "date"})
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})

    # The API's name of a field, where the form's differs.
    ALIASES = {"date": "service_date"}

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.service_type.choices = _choices(reference.codes("service"))
        self.provider.choices = _choices(reference.agency_choices())
        self.outcome.choices = _choices(list(L.SERVICE_OUTCOME_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the service in the API's shape (`ServiceIn`)."""
        return {
            "service_type": self.service_type.data,
            "provider": self.provider.data,
            "date": self.service_date.data,
            "outcome": self.outcome.data,
            "note": self.note.data,
        }


class TransitionForm(FlaskForm):
    """A lifecycle step with its reason and the version the user saw (the time comes as `at_local`)."""

    action = HiddenField()
    version = HiddenField()
    reason = SelectField(_l("Reason"), validate_choice=False)
    explanation = TextAreaField(_l("Explanation (required for “Other”)"))
    override_reason = TextAreaField(_l("Reason to close despite the open work"))

    def to_body(self, at: datetime | None) -> dict[str, Any]:
        """Return the step in the API's shape (`TransitionIn`), with its time already in UTC."""
        return {
            "action": self.action.data,
            "reason": self.reason.data,
            "at": at,
            "explanation": self.explanation.data or "",
            "override_reason": self.override_reason.data or "",
            "version": self.version.data,
        }


class AssignForm(FlaskForm):
    """Case manager and team (options are user ids; the API names people by username)."""

    version = HiddenField()
    case_manager = SelectField(_l("Case manager"), validate_choice=False)
    team = MultiCheckboxField(_l("Case team"), validate_choice=False)

    def to_body(self, usernames: dict[str, str]) -> dict[str, Any]:
        """Return the assignment in the API's shape (`AssignIn`); an id that is no option names nobody."""
        return {
            "case_manager": usernames.get(self.case_manager.data or "", ""),
            "team": [usernames.get(str(i), "") for i in self.team.data or []],
            "version": self.version.data,
        }


class SearchForm(FlaskForm):
    """Search by case number, name or NIK (POST: a NIK never goes into a URL)."""

    by = SelectField(
        _l("Search by"),
        choices=[
            SelectChoice("number", _l("Case number")),
            SelectChoice("name", _l("Child's name")),
            SelectChoice("nik", _l("NIK")),
        ],
        validate_choice=False,
    )
    query = StringField(_l("Search for"), render_kw={"autocomplete": "off"})

    def to_body(self) -> dict[str, Any]:
        """Return the search in the API's shape (`SearchIn`)."""
        return {"by": self.by.data or "number", "query": self.query.data}


class FilterForm(FlaskForm):
    """Case list filters (GET)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validate_choice=False)
    risk_level = SelectField(_l("Risk"), validate_choice=False)
    violence_type = SelectField(_l("Main form of violence"), validate_choice=False)
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False)
    case_manager = SelectField(_l("Case manager"), validate_choice=False)
    overdue = BooleanField(_l("First contact overdue"))
    quiet = BooleanField(_l("No note in 30 days"))
    registered_from = StringField(_l("Registered from"), render_kw={"type": "date"})
    registered_to = StringField(_l("Registered to"), render_kw={"type": "date"})
    sort = SelectField(
        _l("Sort"),
        validate_choice=False,
        choices=[
            SelectChoice("newest", _l("Newest first")),
            SelectChoice("oldest", _l("Oldest first")),
            SelectChoice("due", _l("First contact due")),
        ],
    )

    def fill_choices(self, managers: list[tuple[str, str]]) -> None:
        """Set the options in the current language; `managers` are (user id, name)."""
        self.status.choices = _choices([("open", str(_l("All open")))] + list(L.STATUS_LABELS.items()))
        self.risk_level.choices = _choices(list(L.RISK_LABELS.items()))
        self.violence_type.choices = _choices(reference.codes("violence_type"))
        self.kecamatan.choices = _choices(reference.kecamatan_choices())
        self.case_manager.choices = _choices(managers)

    def to_query(self) -> dict[str, Any]:
        """Return the filters in the API's shape (`CaseFilters`; the case manager is the form's own)."""
        return {
            "status": self.status.data,
            "risk_level": self.risk_level.data,
            "violence_type": self.violence_type.data,
            "kecamatan": self.kecamatan.data,
            "overdue": bool(self.overdue.data),
            "quiet": bool(self.quiet.data),
            "registered_from": self.registered_from.data,
            "registered_to": self.registered_to.data,
            "sort": self.sort.data,
        }

    def case_manager_id(self) -> int | None:
        """Return the chosen case manager's id (what the dashboard's links carry), or None."""
        value = self.case_manager.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class AssessmentForm(FlaskForm):
    """An assessment: safety questions, needs by domain, risk with its reasons, a summary."""

    perpetrator_has_access = SelectField(
        _l("Does the alleged perpetrator still have access to the child?"), validate_choice=False
    )
    safe_tonight = SelectField(_l("Is the child safe tonight?"), validate_choice=False)
    needs = MultiCheckboxField(_l("Needs"), validate_choice=False)
    risk_level = SelectField(_l("Risk level"), validate_choice=False)
    risk_reasons = TextAreaField(_l("Why this risk level"), render_kw={"rows": 2})
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 3})

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.perpetrator_has_access.choices = _choices(list(L.ANSWER_LABELS.items()))
        self.safe_tonight.choices = _choices(list(L.ANSWER_LABELS.items()))
        self.needs.choices = [(str(k), str(v)) for k, v in L.NEED_LABELS.items()]
        self.risk_level.choices = _choices(list(L.RISK_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the assessment in the API's shape (`AssessmentIn`)."""
        return {
            "perpetrator_has_access": self.perpetrator_has_access.data,
            "safe_tonight": self.safe_tonight.data,
            "needs": list(self.needs.data or []),
            "risk_level": self.risk_level.data,
            "risk_reasons": self.risk_reasons.data or "",
            "summary": self.summary.data or "",
        }


class GoalForm(Form):
    """One goal of a care plan (a row; an empty row is left out)."""

    goal = TextAreaField(_l("Goal"), render_kw={"rows": 1})
    services = MultiCheckboxField(_l("Services"), validate_choice=False)
    agency = SelectField(_l("Responsible agency"), validate_choice=False)
    due_date = StringField(_l("Due date"), render_kw={"type": "date"})

    def is_empty(self) -> bool:
        return not (self.goal.data or "").strip() and not self.services.data and not self.due_date.data


class CarePlanForm(FlaskForm):
    """A care plan: up to three goals on the page (the API takes more), a review date and a safety plan."""

    goals = FieldList(FormField(GoalForm), min_entries=3, max_entries=3)
    review_date = StringField(_l("Review date"), render_kw={"type": "date"})
    safety_plan = TextAreaField(_l("Safety plan (a child at risk at home)"), render_kw={"rows": 2})

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        services = [(c, str(text)) for c, text in reference.codes("service")]
        agencies = _choices(reference.agency_choices())
        for entry in self.goals:
            entry.form.services.choices = services
            entry.form.agency.choices = agencies

    def to_body(self) -> dict[str, Any]:
        """Return the plan in the API's shape (`CarePlanIn`), without the rows left empty."""
        return {
            "goals": [
                {
                    "goal": e.form.goal.data or "",
                    "services": list(e.form.services.data or []),
                    "agency": e.form.agency.data or "",
                    "due_date": e.form.due_date.data or "",
                }
                for e in self.goals
                if not e.form.is_empty()
            ],
            "review_date": self.review_date.data or "",
            "safety_plan": self.safety_plan.data or "",
        }

    def row_errors(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put the errors of `goals.N.field` beside that field of the N-th goal typed; return the others."""
        return _row_errors([e.form for e in self.goals if not e.form.is_empty()], "goals", fields)


def _row_errors(rows: list[Form], key: str, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Put the errors of `<key>.N.field` beside that field of the N-th row typed (empty rows are left out of
    the input, so N counts the rows typed); return the other errors."""
    rest: dict[str, list[str]] = {}
    for path, messages in fields.items():
        parts = path.split(".")
        if len(parts) == 3 and parts[0] == key and parts[1].isdigit() and int(parts[1]) < len(rows):
            field = getattr(rows[int(parts[1])], parts[2], None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(messages)
                continue
        rest[path] = messages
    return rest


class ReturnForm(FlaskForm):
    """Return a care plan with what to change."""

    comment = TextAreaField(_l("What to change"), render_kw={"rows": 2})


class TaskForm(Form):
    """One follow-up task of a conference (a row; an empty row is left out)."""

    description = TextAreaField(_l("Task"), render_kw={"rows": 1})
    owner = SelectField(_l("Who does it"), validate_choice=False)
    due_date = StringField(_l("Due date"), render_kw={"type": "date"})

    def is_empty(self) -> bool:
        return not (self.description.data or "").strip() and not self.owner.data and not self.due_date.data


class ConferenceForm(FlaskForm):
    """A case conference: when, who took part, what was decided, and up to three tasks on the page (the API
    takes more)."""

    held_on = StringField(_l("Held on"), render_kw={"type": "date"})
    agencies = MultiCheckboxField(_l("Participating agencies"), validate_choice=False)
    people = TextAreaField(_l("People present"), render_kw={"rows": 2})
    decisions = TextAreaField(_l("Decisions"), render_kw={"rows": 3})
    tasks = FieldList(FormField(TaskForm), min_entries=3, max_entries=3)

    def fill_choices(self, owners: list[tuple[str, str]]) -> None:
        """Set the options in the current language (`owners`: usernames and how to name them)."""
        self.agencies.choices = [(c, name) for c, name in reference.agency_choices()]
        for entry in self.tasks:
            entry.form.owner.choices = _choices(owners)

    def row_errors(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put the errors of `tasks.N.field` beside that field of the N-th task typed; return the others."""
        return _row_errors([e.form for e in self.tasks if not e.form.is_empty()], "tasks", fields)

    def to_body(self) -> dict[str, Any]:
        """Return the conference in the API's shape (`ConferenceIn`), without the rows left empty."""
        return {
            "held_on": self.held_on.data or "",
            "agencies": list(self.agencies.data or []),
            "people": self.people.data or "",
            "decisions": self.decisions.data or "",
            "tasks": [
                {
                    "description": e.form.description.data or "",
                    "owner": e.form.owner.data or "",
                    "due_date": e.form.due_date.data or "",
                }
                for e in self.tasks
                if not e.form.is_empty()
            ],
        }


class TaskCompleteForm(FlaskForm):
    """Mark a task done, with an optional note."""

    note = TextAreaField(_l("How it was done (optional)"), render_kw={"rows": 1})

    def to_body(self) -> dict[str, Any]:
        """Return the completion in the API's shape (`TaskCompleteIn`)."""
        return {"note": self.note.data or ""}
