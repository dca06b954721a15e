"""Locale selection: the user's saved choice, else the language cookie, else Bahasa Indonesia."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user


def select_locale() -> str:
    """Return the locale for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and jobs speak the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    cookie = request.cookies.get(current_app.config["LOCALE_COOKIE_NAME"])
    if cookie in languages:
        return str(cookie)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
