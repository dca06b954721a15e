"""Referral forms: shape only. Each builds the body of the API's schema for its step, so the same schema
(`caseapp.schemas.referrals`) checks it, and the referral service checks the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from caseapp.web.cases.forms import MultiCheckboxField
from caseapp.web.forms import SelectField

# Where a schema's dotted path is shown on the referral form.
REFER_FIELDS = {
    "consent.given_by": "consent_given_by",
    "consent.name": "consent_name",
    "consent.obtained_at": "consent_obtained_at",
    "consent.assent": "consent_assent",
    "consent.legal_basis_code": "legal_basis_code",
    "consent.legal_basis": "legal_basis",
}


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
    consent_assent = SelectField(
        _l("The child's own agreement (assent)"),
        validate_choice=False,
        description=_l("Asked in words the child understands; recorded apart from the guardian's consent."),
    )
    legal_basis_code = SelectField(
        _l("Legal basis (UU PDP Pasal 20 ayat 2)"),
        validate_choice=False,
        description=_l(
            "Only when consent is not required, for example when the guardian is the alleged perpetrator."
        ),
    )
    legal_basis = TextAreaField(_l("Note on the legal basis"), render_kw={"rows": 2})

    def to_body(self) -> dict[str, Any]:
        """Return the body of `ReferralIn`."""
        return {
            "to_agency": self.to_agency.data or "",
            "services": list(self.services.data or []),
            "urgency": self.urgency.data or None,
            "reason": self.reason.data or "",
            "shared_sections": list(self.shared_sections.data or []),
            "consent": {
                "given_by": self.consent_given_by.data or None,
                "name": self.consent_name.data or "",
                "obtained_at": self.consent_obtained_at.data or None,
                "assent": self.consent_assent.data or None,
                "legal_basis_code": self.legal_basis_code.data or None,
                "legal_basis": self.legal_basis.data or "",
            },
        }

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        """Put the errors beside the fields (`services.1` beside the services; others above the form)."""
        for path, messages in fields.items():
            name = REFER_FIELDS.get(path, path.split(".")[0])
            field = self._fields.get(name)
            if field is not None:
                field.errors = [*field.errors, *(m for m in messages if m not in field.errors)]
            else:
                self.form_errors.extend(messages)


# Responding: one small form per step, each posting the fields of its schema. The ids are the step's own,
# since several of these forms share a page.


class StepForm(FlaskForm):
    """A step's form."""

    def to_body(self) -> dict[str, Any]:
        """Return the body of the step's schema."""
        raise NotImplementedError


class AcceptForm(StepForm):
    """Accept (`AcceptIn`): a supervisor may name the worker."""

    assignee = SelectField(_l("Assign to"), validate_choice=False, id="accept-assignee")

    def to_body(self) -> dict[str, Any]:
        return {"assignee": self.assignee.data or None}


class AssignForm(StepForm):
    """Assign (`AssignIn`)."""

    assignee = SelectField(_l("Assign to"), validate_choice=False, id="assign-assignee")

    def to_body(self) -> dict[str, Any]:
        return {"assignee": self.assignee.data or ""}


class DeclineForm(StepForm):
    """Decline (`DeclineIn`)."""

    reason = SelectField(_l("Reason"), validate_choice=False, id="decline-reason")
    note = TextAreaField(_l("Note"), render_kw={"rows": 2}, id="decline-note")

    def to_body(self) -> dict[str, Any]:
        return {"reason": self.reason.data or None, "note": self.note.data or ""}


class CompleteForm(StepForm):
    """Complete (`CompleteIn`)."""

    outcome = SelectField(_l("Outcome"), validate_choice=False, id="complete-outcome")
    note = TextAreaField(_l("Note"), render_kw={"rows": 2}, id="complete-note")

    def to_body(self) -> dict[str, Any]:
        return {"outcome": self.outcome.data or None, "note": self.note.data or ""}


class WithdrawForm(StepForm):
    """Withdraw (`WithdrawIn`): the reason, as in the API."""

    reason = TextAreaField(_l("Reason"), render_kw={"rows": 2}, id="withdraw-reason")

    def to_body(self) -> dict[str, Any]:
        return {"reason": self.reason.data or ""}
