"""Report forms: shape only; the report services check the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length

from caseapp.web.forms import SelectField


class SimfoniForm(FlaskForm):
    """The period and file of the SIMFONI-PPA export, and the user's password again."""

    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("A year (2026), a quarter (2026-Q3) or a month (2026-11)."),
    )
    format = SelectField(
        _l("File"),
        choices=[
            SelectChoice("xlsx", "XLSX (Excel)"),
            SelectChoice("csv-id", _l("CSV for Excel in Indonesian (semicolons, decimal comma)")),
            SelectChoice("csv", "CSV"),
        ],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
        description=_l("Asked again because this file holds exact, case-level figures."),
    )
    code = StringField(
        _l("Code from your authenticator app"),
        validators=[Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )

    def to_body(self) -> dict[str, Any]:
        """Return the export's input (checked by `SimfoniIn`)."""
        return {
            "period": self.period.data,
            "format": self.format.data,
            "password": self.password.data,
            "code": self.code.data or None,
        }
