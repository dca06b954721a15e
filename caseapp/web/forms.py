"""Form pieces shared by every area."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice

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


def select_choices(pairs: list[tuple[str, str]], blank: str | None = "–") -> list[SelectChoice]:
    """Return select options from (code, label) pairs, with a blank first option unless blank is None."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(code, str(text)) for code, text in pairs]
