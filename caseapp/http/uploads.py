"""File uploads: a larger body limit for the routes that take a file, and uploads kept in memory.

The application's MAX_CONTENT_LENGTH stays small for every other route. A route marked `@accepts_upload`
gets ATTACHMENT_MAX_BYTES plus room for the form's other fields, set before anything reads the body (a URL
value preprocessor runs before the CSRF check parses the form). Werkzeug spools large uploads to a
temporary file; ours stay in memory (at most the limit), so the plaintext never touches the disk.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Flask, Request, current_app, request

F = TypeVar("F", bound=Callable[..., Any])
_UPLOAD_ATTR = "_caseapp_accepts_upload"
FORM_ROOM = 256 * 1024  # the multipart framing and the form's text fields


def accepts_upload(view: F) -> F:
    """Mark a view as taking one uploaded file (its body may reach the attachment size limit)."""
    setattr(view, _UPLOAD_ATTR, True)
    return view


class InMemoryUploadRequest(Request):
    """A request whose uploaded files are read into memory, never into a temporary file."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def _raise_limit(endpoint: str | None, values: dict[str, Any] | None) -> None:
    view = current_app.view_functions.get(endpoint or "")
    if view is not None and getattr(view, _UPLOAD_ATTR, False):
        request.max_content_length = int(current_app.config["ATTACHMENT_MAX_BYTES"]) + FORM_ROOM


def install(app: Flask) -> None:
    """Use the in-memory request class and raise the body limit on upload routes."""
    app.request_class = InMemoryUploadRequest
    app.url_value_preprocessor(_raise_limit)
