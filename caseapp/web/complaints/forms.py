"""Intake forms: shape only. Each builds the input of its schema (`caseapp.schemas.intake`), which checks
every rule the API checks and names the field that breaks it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from caseapp import labels as L
from caseapp import reference_data as reference
from caseapp.web.forms import SelectField
from caseapp.web.forms import select_choices as _choices


class ComplaintForm(FlaskForm):
    """A complaint as received (the time is typed in Kendari time)."""

    received_local = StringField(
        _l("Received (your local time)"),
        description=_l("Leave empty for now."),
        render_kw={"type": "datetime-local"},
    )
    channel = SelectField(_l("Channel"), validate_choice=False)
    urgency = SelectField(_l("Urgency"), validate_choice=False)
    reporter_name = StringField(_l("Reporter's name"), description=_l("Leave empty for an anonymous report."))
    reporter_contact = StringField(_l("Reporter's contact (phone, address)"))
    report = TextAreaField(_l("What was reported"), render_kw={"rows": 5})

    # The API's name of a field, where the form's differs.
    ALIASES = {"received_at": "received_local"}

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.channel.choices = _choices(reference.codes("channel"))
        self.urgency.choices = _choices(list(L.URGENCY_LABELS.items()))

    def to_body(self, received_at: str | None) -> dict[str, Any]:
        """Return the complaint in the API's shape (`ComplaintIn`), its time already in UTC."""
        return {
            "received_at": received_at,
            "channel": self.channel.data or None,
            "urgency": self.urgency.data or None,
            "reporter_name": self.reporter_name.data or "",
            "reporter_contact": self.reporter_contact.data or "",
            "report": self.report.data or "",
        }


class TriageForm(FlaskForm):
    """Triage: not a case or referred elsewhere here; `accepted` opens the registration form."""

    decision = SelectField(_l("Decision"), validate_choice=False)
    agency = SelectField(
        _l("Referred to"), validate_choice=False, description=_l("For “referred elsewhere”.")
    )
    reason = TextAreaField(
        _l("Reason or note"), description=_l("Required for “not a case”."), render_kw={"rows": 2}
    )

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.decision.choices = _choices(list(L.COMPLAINT_DECISION_LABELS.items()))
        self.agency.choices = _choices(reference.agency_choices())

    def to_body(self) -> dict[str, Any]:
        """Return the triage in the API's shape (`TriageIn`)."""
        return {
            "decision": self.decision.data or None,
            "agency": self.agency.data or None,
            "reason": self.reason.data or "",
        }


class OutreachForm(FlaskForm):
    """An outreach visit."""

    visit_date = StringField(_l("Date"), render_kw={"type": "date"})
    place = StringField(_l("Place"))
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})

    ALIASES = {"date": "visit_date"}

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.outcome.choices = _choices(list(L.OUTREACH_OUTCOME_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the visit in the API's shape (`OutreachIn`)."""
        return {
            "date": self.visit_date.data or None,
            "place": self.place.data or "",
            "outcome": self.outcome.data or None,
            "note": self.note.data or "",
        }


class ShelterForm(FlaskForm):
    """An admission to a shelter."""

    shelter_agency = SelectField(_l("Shelter (agency)"), validate_choice=False)
    shelter_place = StringField(
        _l("Or the shelter's name and place"), description=_l("When the shelter is not an agency's.")
    )
    admitted_on = StringField(_l("Admitted on"), render_kw={"type": "date"})

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.shelter_agency.choices = _choices(reference.agency_choices())

    def to_body(self) -> dict[str, Any]:
        """Return the admission in the API's shape (`ShelterStayIn`)."""
        return {
            "shelter_agency": self.shelter_agency.data or None,
            "shelter_place": self.shelter_place.data or "",
            "admitted_on": self.admitted_on.data or None,
        }


class DischargeForm(FlaskForm):
    """The end of a shelter stay."""

    discharged_on = StringField(_l("Discharged on"), render_kw={"type": "date"})
    reason = SelectField(_l("Reason for discharge"), validate_choice=False)

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.reason.choices = _choices(list(L.DISCHARGE_REASON_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the discharge in the API's shape (`DischargeIn`)."""
        return {"discharged_on": self.discharged_on.data or None, "reason": self.reason.data or None}
