"""Attachment resources of the JSON API: upload and list on a case, download, preview and delete one."""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.errors import ValidationFailed
from caseapp.http.context import acting_user
from caseapp.http.files import file_response
from caseapp.http.policy import require
from caseapp.http.uploads import accepts_upload
from caseapp.schemas.attachments import AttachmentDeleteIn, AttachmentIn, AttachmentListOut, AttachmentOut
from caseapp.security.permissions import Permission
from caseapp.services import attachments, cases


@bp.route("/cases/<case_id>/attachments", methods=["POST"])
@accepts_upload
@require(Permission.CASE_UPDATE, hide=True)
@endpoint(
    form=AttachmentIn, upload="file", response=AttachmentOut, status=201, errors=(413,), tag="attachments"
)
def upload_attachment(case_id: str, form: AttachmentIn) -> AttachmentOut:
    """Upload a file (multipart: `file`, `kind`, optional `description`): PDF, JPEG or PNG, by content.

    Images are re-encoded without their metadata. 413 over the size limit; 400 with the reason for a refused
    type or malware. `status` is `quarantined` when the malware scanner is configured but down.
    """
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    file = request.files.get("file")
    if file is None:
        message = _("Choose a file to upload.")
        raise ValidationFailed(message, fields={"file": [message]})
    return attachments.as_out(attachments.upload(actor, case, form, file.filename, file.stream))


@bp.route("/cases/<case_id>/attachments", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(response=AttachmentListOut, tag="attachments")
def list_attachments(case_id: str) -> AttachmentListOut:
    """List a case's attachments, newest first (the list is audited)."""
    actor = acting_user()
    case = cases.get_case(actor, case_id)
    return AttachmentListOut(items=[attachments.as_out(a) for a in attachments.list_for_api(actor, case)])


@bp.route("/attachments/<attachment_id>", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(media_type=("application/pdf", "image/jpeg", "image/png"), errors=(409,), tag="attachments")
def download_attachment(attachment_id: str) -> Response:
    """Download a file (always as an attachment; audited); 409 while it waits for the malware scan.

    Readable from the case's own scope, or by a referral's receiving supervisor or assignee when the
    referral shares the `attachments` section.
    """
    row, data = attachments.download(acting_user(), attachment_id)
    return file_response(data, row.content_type, row.name or "dokumen")


@bp.route("/attachments/<attachment_id>/thumbnail", methods=["GET"])
@require(Permission.CASE_READ, hide=True)
@endpoint(media_type="image/jpeg", errors=(409,), tag="attachments")
def attachment_thumbnail(attachment_id: str) -> Response:
    """A small JPEG preview of an image attachment (404 for other files; audited)."""
    data = attachments.thumbnail(acting_user(), attachment_id)
    return file_response(data, "image/jpeg", "preview.jpg", inline_image=True)


@bp.route("/attachments/<attachment_id>/delete", methods=["POST"])
@require(Permission.ATTACHMENT_DELETE, hide=True)
@endpoint(body=AttachmentDeleteIn, response=AttachmentOut, tag="attachments")
def delete_attachment(attachment_id: str, body: AttachmentDeleteIn) -> AttachmentOut:
    """Delete an attachment with a reason (supervisors of the owning agency; a soft delete, audited)."""
    return attachments.as_out(attachments.delete(acting_user(), attachment_id, body))
