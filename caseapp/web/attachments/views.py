"""Attachment pages: upload on the case's attachments page, download, preview and delete (the pipeline
commits)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from caseapp.errors import TooLarge, ValidationFailed
from caseapp.http import transaction
from caseapp.http.context import acting_user
from caseapp.http.files import file_response
from caseapp.http.policy import require
from caseapp.http.uploads import accepts_upload
from caseapp.schemas.attachments import AttachmentDeleteIn, AttachmentIn
from caseapp.schemas.base import parse_data
from caseapp.security.permissions import Permission
from caseapp.services import attachments, cases
from caseapp.web.attachments.forms import AttachmentForm, DeleteAttachmentForm
from caseapp.web.cases.pages import CasePage, page_url, refused_on
from caseapp.web.forms import apply_field_errors

bp = Blueprint("attachments", __name__)


@bp.route("/cases/<case_uuid>/attachments", methods=["POST"])
@accepts_upload
@require(Permission.CASE_UPDATE, hide=True)
def upload(case_uuid: str) -> ResponseReturnValue:
    """Upload a file to the case; a refused one comes back on the case's attachments page with the reason
    (400/413)."""
    actor = acting_user()
    case = cases.get_case(actor, case_uuid)
    form = AttachmentForm(prefix="attachment")
    file = request.files.get("attachment-file")
    try:
        value = parse_data(AttachmentIn, form.to_body(), strict=False)
        if file is None or not file.filename:
            message = _("Choose a file to upload.")
            raise ValidationFailed(message, fields={"file": [message]})
        attachments.upload(actor, case, value, file.filename, file.stream)
    except (ValidationFailed, TooLarge) as exc:
        apply_field_errors(form, exc)
        if isinstance(exc, TooLarge):
            form.file.errors = [exc.message]
        return refused_on(case_uuid, form, exc.status)
    flash(_("File uploaded."), "success")
    return redirect(page_url(case, CasePage.ATTACHMENTS, "#attachments"))


@bp.route("/attachments/<attachment_id>/download")
@require(Permission.CASE_READ, hide=True)
def download(attachment_id: str) -> ResponseReturnValue:
    """Download a file (audited)."""
    row, data = attachments.download(acting_user(), attachment_id)
    return file_response(data, row.content_type, row.name or "dokumen")


@bp.route("/attachments/<attachment_id>/thumbnail")
@require(Permission.CASE_READ, hide=True)
def thumbnail(attachment_id: str) -> ResponseReturnValue:
    """The small preview of an image (audited)."""
    data = attachments.thumbnail(acting_user(), attachment_id)
    return file_response(data, "image/jpeg", "preview.jpg", inline_image=True)


@bp.route("/attachments/<attachment_id>/delete", methods=["POST"])
@require(Permission.ATTACHMENT_DELETE, hide=True)
def delete(attachment_id: str) -> ResponseReturnValue:
    """Delete a file with a reason (supervisors); back to the case's attachments page."""
    actor = acting_user()
    form = DeleteAttachmentForm()
    found = attachments.readable(actor, attachment_id)
    target = page_url(found.attachment.case, CasePage.ATTACHMENTS, "#attachments")
    try:
        attachments.delete(
            actor,
            attachment_id,
            parse_data(AttachmentDeleteIn, {"reason": form.reason.data or ""}, strict=False),
        )
    except ValidationFailed as exc:
        transaction.doom()
        flash(exc.message, "danger")
        return redirect(target)
    flash(_("Attachment deleted."), "success")
    return redirect(target)
