"""What the case page's attachments block (`templates/cases/_attachments.html`) needs."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm

from caseapp.models import Attachment, Case
from caseapp.services import attachments
from caseapp.web.attachments.forms import AttachmentForm, DeleteAttachmentForm


def attachment_context(
    case: Case, form: FlaskForm | None = None, files: list[Attachment] | None = None
) -> dict[str, Any]:
    """Return the case's attachments (`files` when the caller has read them), the upload form (a refused
    one as the user left it) and the limit."""
    if form is None:
        form = AttachmentForm(formdata=None, prefix="attachment")
    if isinstance(form, AttachmentForm):
        form.fill_choices()
    return {
        "attachments": attachments.case_attachments(case) if files is None else files,
        "attachment_form": form,
        "delete_attachment_form": DeleteAttachmentForm(formdata=None),
        "attachment_max_mb": int(current_app.config["ATTACHMENT_MAX_BYTES"]) // (1024 * 1024),
    }
