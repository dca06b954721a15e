"""The fast option widgets write exactly what WTForms writes (caseapp/web/forms.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from wtforms import Form, SelectChoice, SelectMultipleField, validators, widgets
from wtforms import SelectField as WtSelectField

from caseapp.web.forms import FastCheckboxList, FastSelect, MultiCheckboxField, SelectField

CHOICES = [
    SelectChoice("", "–"),
    SelectChoice("a&b", 'Kekerasan "fisik" <1>'),
    SelectChoice("psychological", "Psikis"),
    SelectChoice("x", ""),  # no label: the value is shown
    SelectChoice("7", "Tujuh"),
]


class _WtList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _forms(data: dict, **field_kw):
    one_kw = {"choices": CHOICES, **field_kw}
    many_kw = {"choices": CHOICES[1:], **field_kw}

    class Fast(Form):
        one = SelectField("One", **one_kw)
        many = MultiCheckboxField("Many", **many_kw)

    class Reference(Form):
        one = WtSelectField("One", **one_kw)
        many = _WtList("Many", **many_kw)

    return Fast(data=data, prefix="p"), Reference(data=data, prefix="p")


@pytest.mark.parametrize(
    "data",
    [{}, {"one": "a&b", "many": ["a&b", "7"]}, {"one": "", "many": []}, {"one": "7", "many": ["x"]}],
)
@pytest.mark.parametrize("render_kw", [{}, {"class_": "form-select is-invalid", "aria-invalid": "true"}])
def test_the_fast_widgets_write_what_wtforms_writes(data, render_kw):
    fast, reference = _forms(data)
    assert isinstance(fast.one.widget, FastSelect) and isinstance(fast.many.widget, FastCheckboxList)
    assert fast.one(**render_kw) == reference.one(**render_kw)
    assert fast.many(**render_kw) == reference.many(**render_kw)
    assert isinstance(fast.one(), Markup) and "&amp;b" in fast.many() and "&lt;1&gt;" in fast.one()


@pytest.mark.parametrize(
    "field_kw",
    [
        {"validators": [validators.InputRequired()]},  # a required flag on every box
        {"render_kw": {"data-x": "1"}},  # the field's attributes on every box
        {"choices": [SelectChoice("a", "A", render_kw={"disabled": True}), SelectChoice("b", "B")]},
        {"choices": [SelectChoice("a", "A", optgroup="G"), SelectChoice("b", "B", optgroup="H")]},
        {"choices": [SelectChoice(True, "Yes"), SelectChoice(False, "No")]},
    ],
)
def test_what_the_fast_widgets_leave_to_wtforms_is_still_the_same(field_kw):
    fast, reference = _forms({}, **field_kw)
    fast.validate(), reference.validate()  # errors and flags as a refused form has them
    assert fast.one() == reference.one()
    assert fast.many() == reference.many()


def test_enum_codes_become_plain_values_written_by_the_fast_path(monkeypatch):
    from enum import StrEnum

    from caseapp.web.forms import select_choices

    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"

    choices = select_choices([(Colour.RED, "Merah"), (Colour.BLUE, "Biru")])
    assert [type(c.value) for c in choices] == [str, str, str]

    class Fast(Form):
        one = SelectField("One", choices=choices)

    class Reference(Form):
        one = WtSelectField(
            "One", choices=[SelectChoice(Colour.RED, "Merah"), SelectChoice(Colour.BLUE, "Biru")]
        )

    slow = []
    monkeypatch.setattr(widgets.Select, "render_option", classmethod(lambda cls, *a, **k: slow.append(a)))
    fast = Fast(data={"one": "blue"}).one()
    assert slow == []  # every option written directly
    monkeypatch.undo()
    assert fast.replace('<option value="">–</option>', "") == Reference(data={"one": "blue"}).one()


# The Jinja macro `render_field` was before `field_html` took its place (templates/_macros/forms.html):
# the same markup, but for the whitespace between tags.
_MACRO = (Path(__file__).parent / "render_field_macro.html").read_text()


def _fields_to_render():
    from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField

    class Sample(Form):
        name = StringField(
            "Nama <anak>", description='Seperti di akta "kelahiran"', render_kw={"maxlength": 200}
        )
        note = TextAreaField("Catatan", render_kw={"rows": 3})
        when = DateField("Tanggal", render_kw={"type": "date"})
        agree = BooleanField("Setuju & lanjut")
        kind = SelectField("Jenis", choices=CHOICES, description="Pilih satu")
        required = StringField("Wajib", validators=[validators.InputRequired()])
        short = StringField("Pendek", validators=[validators.Length(min=2, max=5)], render_kw={"data_x": "1"})
        story = TextAreaField("Cerita", validators=[validators.InputRequired(), validators.Length(max=9)])
        due = DateField("Batas", validators=[validators.InputRequired()])
        count = IntegerField("Jumlah", render_kw={"min": 0})  # its widget is WTForms' own: the slow path
        must = SelectField("Wajib pilih", choices=CHOICES, validators=[validators.InputRequired()])
        team = MultiCheckboxField("Tim", choices=CHOICES[1:])
        grouped = SelectField(
            "Kelompok",
            choices=[SelectChoice("a", "A", optgroup="G"), SelectChoice("b", "B <b>", optgroup="H")],
        )

    clean = Sample(
        prefix="s", data={"name": 'Siti "A" <b>', "agree": True, "kind": "7", "story": "<x>\n", "team": ["7"]}
    )
    refused = Sample(prefix="r", data={"name": "x"})
    refused.validate()
    for form in (clean, refused):
        form.name.errors = ['Terlalu <pendek> & "salah"', "Kedua"]
        form.agree.errors = ["Harus dicentang"]
        form.kind.errors = ["Pilih"]
        yield from form


@pytest.mark.parametrize("index", range(26))
def test_field_html_writes_what_the_macro_wrote(index):
    import re

    from jinja2 import Environment

    from caseapp.web.forms import field_html

    field = list(_fields_to_render())[index]
    macro = Environment(autoescape=True).from_string(_MACRO + "{{ render_field(f) }}").render(f=field)
    squeeze = lambda html: re.sub(r">\s+<", "><", str(html).strip())  # noqa: E731
    assert squeeze(field_html(field)) == squeeze(macro)
