"""The attachment forms of the case page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, StringField, TextAreaField

from caseapp import labels as L
from caseapp.web.forms import SelectField
from caseapp.web.forms import select_choices as _choices


class AttachmentForm(FlaskForm):
    """Upload a document or photo to a case."""

    file = FileField(_l("File (PDF, JPEG or PNG)"))
    kind = SelectField(_l("Kind of document"), validate_choice=False)
    description = TextAreaField(_l("Description (optional)"), render_kw={"rows": 2})

    def fill_choices(self) -> None:
        """Set the options in the current language."""
        self.kind.choices = _choices(list(L.ATTACHMENT_KIND_LABELS.items()))

    def to_body(self) -> dict[str, Any]:
        """Return the text fields in the API's shape (`AttachmentIn`)."""
        return {"kind": self.kind.data or "", "description": self.description.data or ""}


class DeleteAttachmentForm(FlaskForm):
    """Delete an attachment, saying why."""

    reason = StringField(_l("Reason for deleting"))
