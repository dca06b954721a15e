"""The legal milestone form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

from caseapp import labels as L
from caseapp import localtime
from caseapp.models import Attachment
from caseapp.web.forms import SelectField
from caseapp.web.forms import select_choices as _choices


class LegalEventForm(FlaskForm):
    """Record a legal milestone of a case."""

    kind = SelectField(_l("Milestone"), validate_choice=False)
    date = StringField(_l("Date"), render_kw={"type": "date"})
    reference = StringField(_l("Reference (LP, BAP, P21, SP3, SKP2, verdict number)"))
    investigator = StringField(
        _l("Requesting investigator"), description=_l("Needed for a visum request (KUHAP Pasal 133).")
    )
    outcome = TextAreaField(
        _l("Sentence or outcome"),
        render_kw={"rows": 2},
        description=_l("Needed for a verdict and a restitution decision."),
    )
    attachment = SelectField(_l("Document among the attachments (optional)"), validate_choice=False)
    requested_at = StringField(
        _l("Time of the litmas request (WITA)"),
        render_kw={"type": "datetime-local"},
        description=_l("Bapas has 3x24 hours from then. Leave empty for now."),
    )

    def fill_choices(self, attachments: list[Attachment]) -> None:
        """Set the options in the current language; the documents are the case's attachments."""
        self.kind.choices = _choices(list(L.LEGAL_EVENT_KIND_LABELS.items()))
        self.attachment.choices = _choices(
            [
                (str(a.uuid), f"{L.label(L.ATTACHMENT_KIND_LABELS, a.kind)} · {a.name or ''}")
                for a in attachments
            ]
        )

    def to_body(self) -> dict[str, Any]:
        """Return the form's data in the API's shape (`LegalEventIn`)."""
        return {
            "kind": self.kind.data or "",
            "date": self.date.data or "",
            "reference": self.reference.data or "",
            "investigator": self.investigator.data or "",
            "outcome": self.outcome.data or "",
            "attachment": self.attachment.data or None,
            "requested_at": self._requested_at(),
        }

    def _requested_at(self) -> str | None:
        """The typed Kendari time as UTC ISO 8601 (what cannot be read goes on, and is refused there)."""
        typed = (self.requested_at.data or "").strip()
        if not typed:
            return None
        try:
            return localtime.from_input(typed).isoformat(timespec="seconds")
        except ValueError:
            return typed


class DiversionForm(FlaskForm):
    """Record an SPPA diversion attempt (or the under-12 decision) for a child in conflict with the law."""

    stage = SelectField(_l("Stage"), validate_choice=False)
    outcome = SelectField(_l("Outcome"), validate_choice=False)
    started_on = StringField(_l("Diversion started on"), render_kw={"type": "date"})
    victim_agreed = BooleanField(
        _l("The victim and their family agree (UU SPPA Pasal 9)"),
    )
    agreement_on = StringField(_l("Date of the diversion agreement"), render_kw={"type": "date"})
    court_approved_on = StringField(
        _l("Date of the court's approval (penetapan)"),
        render_kw={"type": "date"},
        description=_l("Settled needs the victim's agreement, the agreement and the court's approval."),
    )
    decision = SelectField(_l("Decision for a child under 12 (Pasal 21)"), validate_choice=False)

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.stage.choices = _choices(list(L.DIVERSION_STAGE_LABELS.items()))
        self.outcome.choices = _choices(list(L.DIVERSION_OUTCOME_LABELS.items()), blank=None)
        self.decision.choices = _choices(list(L.UNDER_12_DECISION_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the form's data in the API's shape (`DiversionIn`)."""
        return {
            "stage": self.stage.data or "",
            "outcome": self.outcome.data or "ongoing",
            "started_on": self.started_on.data or "",
            "victim_agreed": bool(self.victim_agreed.data),
            "agreement_on": self.agreement_on.data or None,
            "court_approved_on": self.court_approved_on.data or None,
            "decision": self.decision.data or None,
        }
