"""Form pieces shared by every area."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice

from caseapp.errors import CaseappError, ValidationFailed


class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST buttons (sign out, reset, ...)."""


def apply_field_errors(form: FlaskForm, exc: CaseappError, aliases: Mapping[str, str] | None = None) -> None:
    """Show a schema's or service's errors beside the fields they name (or above the form).

    `aliases` maps an input's field path to the form field that holds it (`date` -> `service_date`); an
    error on a hidden field, or on a path the form has no field for, is shown above the form.
    """
    fields = exc.fields if isinstance(exc, ValidationFailed) else {}
    for path, messages in fields.items():
        name = (aliases or {}).get(path, path)
        field = getattr(form, name, None) if name.isidentifier() else None
        if field is not None and hasattr(field, "errors") and not isinstance(field, HiddenField):
            field.errors = list(messages)
        else:
            form.form_errors.extend(messages)
    if not fields and exc.message:
        form.form_errors.append(exc.message)


def select_choices(pairs: list[tuple[str, str]], blank: str | None = "–") -> list[SelectChoice]:
    """Return select options from (code, label) pairs, with a blank first option unless blank is None."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(code, str(text)) for code, text in pairs]


# The words of templates/_macros/ (pybabel does not look into folders whose name starts with "_"): named here
# so that `make extract-messages` finds them.
MACRO_MESSAGES = (_l("Please check:"),)
