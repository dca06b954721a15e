"""One place that turns errors into responses: JSON bodies for the API, pages for the browser.

Each handler first rolls the request's transaction back (`transaction.abort`), then answers. The API body
is `{"error": code, "message": text, "fields": {dotted.path: [messages]}}`; HTML pages are drawn by the
renderer the web front end registers (`set_page_renderer`), so this package knows no template.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, make_response
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from caseapp.errors import CaseappError, TooManyAttempts
from caseapp.extensions import limiter
from caseapp.http import transaction
from caseapp.http.context import wants_json
from caseapp.security.crypto import DecryptionError, KeyShredded
from caseapp.services.cases.rules import shredded_refusal

PageRenderer = Callable[[int, int, str, str], str]
_RENDERER = "caseapp.error_page"

PAGES = (400, 403, 404, 405, 409, 413, 422, 429, 500)


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This record has changed"),
        413: _("The file is too large"),
        422: _("Please check what you entered"),
        429: _("Too many requests"),
        500: _("Something went wrong"),
    }


def _respond(
    status: int, code: str, message: str, fields: dict | None = None, retry_after: int | None = None
) -> Any:
    if wants_json():
        response = jsonify({"error": code, "message": message, "fields": fields or {}})
        response.status_code = status
    else:
        page = status if status in PAGES else (500 if status >= 500 else 400)
        renderer: PageRenderer = current_app.extensions[_RENDERER]
        response = make_response(renderer(page, status, _titles()[page], message), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def set_page_renderer(app: Flask, renderer: PageRenderer) -> None:
    """Say how to draw an error page: `renderer(page, status, title, message)` returns HTML."""
    app.extensions[_RENDERER] = renderer


def register(app: Flask) -> None:
    """Install the handlers on the application."""

    @app.errorhandler(CaseappError)
    def _typed(exc: CaseappError) -> Any:
        transaction.abort()
        message = exc.message
        if exc.status == 404:
            message = ""  # never echo what was looked for
        if exc.status == 403:
            message = _("Your role does not allow this.")
        retry = exc.retry_after if isinstance(exc, TooManyAttempts) else None
        return _respond(exc.status, exc.code, message, exc.fields, retry)

    @app.errorhandler(DecryptionError)
    def _unreadable(exc: DecryptionError) -> Any:
        # Logged where it happened (without the ciphertext); the user learns only that it cannot be read.
        transaction.abort()
        return _respond(
            500,
            "record_unreadable",
            _(
                "This record cannot be read: its protected data failed an integrity check or its "
                "key is not available. The problem has been logged; tell your administrator."
            ),
        )

    @app.errorhandler(KeyShredded)
    def _shredded(exc: KeyShredded) -> Any:
        # Writing to a record whose key retention destroyed (a step the rules did not refuse first): it is
        # gone on purpose, not broken. Reads never get here (a shredded value reads as none).
        transaction.abort()
        return _respond(
            409,
            "record_shredded",
            shredded_refusal(),
        )

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        transaction.abort()
        return _respond(
            400,
            "csrf_failed",
            _(
                "The form has expired or was not sent from this site. "
                "Reload the page and send the form again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        transaction.abort()
        status = exc.code or 500
        retry = None
        message = ""
        if status == 429:
            retry = _retry_after_seconds(exc)
            message = _("Too many attempts. Wait %(n)d seconds and try again.", n=retry)
        elif status == 400:
            message = _("The request was incomplete or malformed.")
        response = _respond(status, exc.name.lower().replace(" ", "_"), message, retry_after=retry)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(500)
    def _server_error(exc: Exception) -> Any:
        transaction.abort()
        return _respond(500, "internal_error", _("The error has been logged. Please try again later."))


def _retry_after_seconds(exc: HTTPException) -> int:
    """Seconds until the rate limit that was hit resets."""

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
