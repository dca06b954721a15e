"""Form pieces shared by every area."""

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST buttons (sign out, reset, ...)."""
