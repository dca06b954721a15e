"""Referral forms: shape only; the referral service checks the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from caseapp.web.cases.forms import MultiCheckboxField


class ReferForm(FlaskForm):
    """Send a referral."""

    to_agency = SelectField(_l("Refer to"), validate_choice=False)
    services = MultiCheckboxField(_l("Services requested"), validate_choice=False)
    urgency = SelectField(_l("Urgency"), validate_choice=False)
    reason = TextAreaField(_l("Reason for the referral"), render_kw={"rows": 3})
    shared_sections = MultiCheckboxField(
        _l("Share with the receiving agency"),
        validate_choice=False,
        description=_l("Share only what they need. Notes are never shared unless you tick them."),
    )
    consent_given_by = SelectField(_l("Consent"), validate_choice=False)
    consent_name = StringField(_l("Consent given by (name)"))
    consent_obtained_at = StringField(_l("Consent date"), render_kw={"type": "date"})
    legal_basis = TextAreaField(_l("Legal basis (when consent is not required)"), render_kw={"rows": 2})

    def to_body(self) -> dict:
        """Return the API shape."""
        return {
            "to_agency": self.to_agency.data,
            "services": list(self.services.data or []),
            "urgency": self.urgency.data,
            "reason": self.reason.data or "",
            "shared_sections": list(self.shared_sections.data or []),
            "consent": {
                "given_by": self.consent_given_by.data or None,
                "name": self.consent_name.data or "",
                "obtained_at": self.consent_obtained_at.data or None,
                "legal_basis": self.legal_basis.data or "",
            },
        }

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        """Put service errors beside the fields."""
        names = {
            "consent.given_by": "consent_given_by",
            "consent.name": "consent_name",
            "consent.obtained_at": "consent_obtained_at",
            "consent.legal_basis": "legal_basis",
        }
        for path, messages in fields.items():
            field = getattr(self, names.get(path, path), None)
            if field is not None:
                field.errors = list(messages)
            else:
                self.form_errors.extend(messages)


class RespondForm(FlaskForm):
    """Accept, assign, decline, complete or withdraw."""

    action = StringField()
    assignee = SelectField(_l("Assign to"), validate_choice=False)
    reason = SelectField(_l("Reason"), validate_choice=False)
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    note = TextAreaField(_l("Note"), render_kw={"rows": 2})
