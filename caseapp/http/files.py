"""Answers that carry an attachment's bytes: always a download (or an image preview), never a page.

`Content-Disposition: attachment` (the browser saves, never renders), `X-Content-Type-Options: nosniff`
(the type we detected is the type), and a CSP of its own, `sandbox; default-src 'none'`, so that even a
file opened directly runs nothing and loads nothing. The app's security headers keep this CSP.
"""

from __future__ import annotations

import io

from flask import Response, send_file

FILE_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def file_response(
    data: bytes, content_type: str, download_name: str, *, inline_image: bool = False
) -> Response:
    """Return the bytes as a download (or, for a thumbnail, an inline image) with the protective headers."""
    response = send_file(
        io.BytesIO(data),
        mimetype=content_type,
        as_attachment=not inline_image,
        download_name=download_name,
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
