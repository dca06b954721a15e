"""Form pieces shared by every area."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectChoice, SelectMultipleField, widgets
from wtforms import SelectField as _SelectField
from wtforms.widgets import html_params

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
    # A code that is a StrEnum member becomes the plain string it stands for (the same HTML, and the fast
    # option writer below takes only plain values).
    return head + [SelectChoice(_code(code), str(text)) for code, text in pairs]


def _code(code: Any) -> Any:
    return str(code) if isinstance(code, str) and type(code) is not str else code


# Faster option rendering. The case page renders a dozen forms with hundreds of options and checkboxes,
# and WTForms builds each one through its generic attribute writer: about a third of the page's time. These
# widgets write the same HTML (tests/test_widgets.py compares them with WTForms' own, byte for byte) for
# the plain case, and leave anything else (attributes on an option, required or disabled flags, optgroups,
# non-text values) to WTForms.


def _plain(value: Any) -> bool:
    return type(value) is str or type(value) is int  # not bool, not a str subclass such as Markup


class FastSelect(widgets.Select):
    """`widgets.Select`, with a plain option written directly."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or not _plain(choice.value):
            return super().render_option(choice, **kwargs)
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        value = escape(choice.value)
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704 - each part escaped


class FastCheckboxList(widgets.ListWidget):
    """`ListWidget(prefix_label=False)` of `CheckboxInput`s: each plain box and its label written directly."""

    def __init__(self) -> None:
        super().__init__(prefix_label=False)

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        flags = field.flags
        if field.render_kw or getattr(flags, "required", False) or getattr(flags, "disabled", False):
            return super().__call__(field, **kwargs)
        choices = list(field._iter_choices_normalized())
        if any(c.render_kw or not _plain(c.value) for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        name = escape(field.name)
        html = [f"<{self.html_tag} {html_params(**kwargs)}>"]
        for i, choice in enumerate(choices):
            box_id = escape(f"{field.id}-{i}")
            checked = "checked " if choice.selected else ""
            value, label = escape(choice.value), escape(choice.label or choice.value)
            html.append(
                f'<li><input {checked}id="{box_id}" name="{name}" type="checkbox" value="{value}"> '
                f'<label for="{box_id}">{label}</label></li>'
            )
        html.append(f"</{self.html_tag}>")
        return Markup("".join(html))  # noqa: S704 - each part escaped above


class SelectField(_SelectField):
    """A select whose plain options are written directly (see `FastSelect`)."""

    widget = FastSelect()


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (see `FastCheckboxList`)."""

    widget = FastCheckboxList()
    option_widget = widgets.CheckboxInput()


# The words of templates/_macros/ (pybabel does not look into folders whose name starts with "_"): named here
# so that `make extract-messages` finds them.
MACRO_MESSAGES = (_l("Please check:"),)


# One form field as the pages show it: its label, the input, its help and its errors, each error and help
# text tied to the input for screen readers (aria-describedby), a refused one marked invalid. Written here
# rather than as a Jinja macro: a page renders dozens of fields, and the macro's machinery cost about as much
# as the input itself (templates/_macros/forms.html `render_field` calls this; tests/test_widgets.py
# compares both with the macro it replaced).


def field_html(field: Any) -> Markup:
    """Return the markup of one form field (label, input, help, errors)."""
    fid = escape(field.id)
    errors = list(field.errors or ())
    description = field.description
    describedby = []
    if description:
        describedby.append(f"{fid}-help")
    if errors:
        describedby.append(f"{fid}-error")
    invalid = " is-invalid" if errors else ""
    error_div = (
        f'<div class="invalid-feedback" id="{fid}-error">{" ".join(escape(e) for e in errors)}</div>'
        if errors
        else ""
    )
    kwargs: dict[str, Any] = {}
    if describedby:
        kwargs["aria-describedby"] = " ".join(describedby)
    label = field.label
    if field.type == "BooleanField":
        box = _control(field, class_="form-check-input" + invalid, **kwargs)
        text = f'<label class="form-check-label" for="{escape(label.field_id)}">{escape(label.text)}</label>'
        return Markup(f'<div class="form-check mb-3">{box}{text}{error_div}</div>')  # noqa: S704 - escaped
    if describedby:
        kwargs["aria-invalid"] = "true" if errors else "false"
    css = "form-select" if field.type == "SelectField" else "form-control"
    control = _control(field, class_=css + invalid, **kwargs)
    text = f'<label class="form-label" for="{escape(label.field_id)}">{escape(label.text)}</label>'
    help_div = f'<div class="form-text" id="{fid}-help">{escape(description)}</div>' if description else ""
    return Markup(f'<div class="mb-3">{text}{control}{help_div}{error_div}</div>')  # noqa: S704 - escaped


# The input itself, as `field(**kwargs)` writes it (DefaultMeta.render_field, then the widget), for the
# widgets the pages use, without WTForms' generic steps that cost most of it: `dir()` over the field's
# flags, attributes written through `Markup.format`, a signature check per select. Any other widget, or
# anything unusual (a datalist, a multiple or grouped select), goes to WTForms.


def _attributes(attrs: dict[str, Any]) -> str:
    """`widgets.html_params`: sorted, `True` bare, `False` left out, each value escaped."""
    parts = []
    for key, value in sorted(attrs.items()):
        key = widgets.core.clean_key(key)
        if value is True:
            parts.append(key)
        elif value is not False:
            parts.append(f'{key}="{escape(value)}"')
    return " ".join(parts)


def _control(field: Any, **kwargs: Any) -> Markup:
    widget = field.widget
    kind = type(widget)
    plain_input = kind.__call__ is widgets.Input.__call__
    checkbox = kind.__call__ is widgets.CheckboxInput.__call__
    textarea = kind.__call__ is widgets.TextArea.__call__
    select = kind is FastSelect and not widget.multiple
    if not (plain_input or checkbox or textarea or select) or getattr(field, "_datalist", None) is not None:
        return Markup(field(**kwargs))  # noqa: S704 - what WTForms wrote, escaped there
    clean = widgets.core.clean_key
    attrs = {clean(k): v for k, v in kwargs.items()}
    if field.render_kw:
        attrs = dict({clean(k): v for k, v in field.render_kw.items()}, **attrs)
    attrs.setdefault("id", field.id)
    flags = vars(field.flags)
    for name in widget.validation_attrs:
        if name in flags and name not in attrs:
            value = flags[name]
            attrs[name] = value() if callable(value) and (plain_input or checkbox) else value
    if textarea:
        inner = escape(field._value())
        return Markup(f"<textarea {_attributes({'name': field.name, **attrs})}>\r\n{inner}</textarea>")  # noqa: S704
    if select:
        if field.has_groups():
            return Markup(field(**kwargs))  # noqa: S704 - what WTForms wrote, escaped there
        options = "".join(FastSelect.render_option(c) for c in field._iter_choices_normalized())
        return Markup(f"<select {_attributes({'name': field.name, **attrs})}>{options}</select>")  # noqa: S704
    if checkbox and getattr(field, "checked", field.data):
        attrs.setdefault("checked", True)
    attrs.setdefault("type", widget.input_type)
    if "value" not in attrs:
        attrs["value"] = field._value()
    return Markup(f"<input {_attributes({'name': field.name, **attrs})}>")  # noqa: S704 - each part escaped
