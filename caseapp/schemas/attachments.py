"""Attachments: the upload form's fields, the deletion and the answers."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

from caseapp.models.attachment import AttachmentKind, AttachmentStatus
from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.types import Text, UtcTime

MAX_DESCRIPTION = 500
MAX_REASON = 500


def _say(message: Any) -> WrapValidator:
    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError as exc:
            if all(error["type"] == "string_too_long" for error in exc.errors()):
                raise
            raise fail(str(message)) from None

    return WrapValidator(check)


_REASON_MESSAGE = _l("Say why the attachment is deleted.")


def _filled(value: str) -> str:
    if not value:
        raise fail(str(_REASON_MESSAGE))
    return value


if TYPE_CHECKING:
    Description = str
    Reason = str
else:
    Description = Text(MAX_DESCRIPTION)
    Reason = Annotated[Text(MAX_REASON, filled=True), AfterValidator(_filled), _say(_REASON_MESSAGE)]


class AttachmentIn(Input):
    """The fields sent with a file (multipart/form-data, beside the `file` part)."""

    kind: Annotated[AttachmentKind, Field(strict=False), _say(_l("Choose what kind of document this is."))]
    description: Description = Field(default="", description="Encrypted at rest")


class AttachmentDeleteIn(Input):
    """Why an attachment is deleted (a supervisor's step)."""

    reason: Reason


class AttachmentOut(Output):
    """An attachment of a case (never its content: download it)."""

    id: uuid.UUID
    kind: AttachmentKind
    name: str | None = Field(description="The uploaded file's name (encrypted at rest)")
    description: str | None
    content_type: str = Field(description="Decided from the content: application/pdf, image/jpeg, image/png")
    size: int = Field(description="Bytes, as stored after images were re-encoded")
    status: AttachmentStatus = Field(description="quarantined: waiting for the malware scan, not served")
    has_thumbnail: bool
    uploaded_by: str
    uploaded_at: UtcTime


class AttachmentListOut(Output):
    """A case's attachments, newest first (deleted ones are not listed)."""

    items: list[AttachmentOut]
