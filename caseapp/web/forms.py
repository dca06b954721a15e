"""Form pieces shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm

from caseapp.errors import CaseappError, ValidationFailed


class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST buttons (sign out, reset, ...)."""


def apply_field_errors(form: FlaskForm, exc: CaseappError) -> None:
    """Show a service's errors beside the fields they name (or above the form)."""
    fields = exc.fields if isinstance(exc, ValidationFailed) else {}
    for name, messages in fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages)
        else:
            form.form_errors.extend(messages)
    if not fields and exc.message:
        form.form_errors.append(exc.message)
