"""The legal milestone form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from caseapp import labels as L
from caseapp.models import Attachment
from caseapp.web.forms import select_choices as _choices


class LegalEventForm(FlaskForm):
    """Record a legal milestone of a case."""

    kind = SelectField(_l("Milestone"), validate_choice=False)
    date = StringField(_l("Date"), render_kw={"type": "date"})
    reference = StringField(_l("Reference (LP, BAP, P21, verdict number)"))
    investigator = StringField(
        _l("Requesting investigator"), description=_l("Needed for a visum request (KUHAP Pasal 133).")
    )
    outcome = TextAreaField(
        _l("Sentence or outcome"),
        render_kw={"rows": 2},
        description=_l("Needed for a verdict and a restitution decision."),
    )
    attachment = SelectField(_l("Document among the attachments (optional)"), validate_choice=False)

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
        }
