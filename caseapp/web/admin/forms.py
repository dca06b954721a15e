"""Administration forms: shape only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from caseapp.labels import ROLE_LABELS
from caseapp.web.forms import SelectField


def role_choices() -> list[SelectChoice]:
    """Return (value, label) pairs for the role select."""
    return [SelectChoice(role.value, str(label)) for role, label in ROLE_LABELS.items()]


class UserEditForm(FlaskForm):
    """Profile, role, agency and status of a user."""

    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("E-mail"), validators=[Optional(), Length(max=254), Email(check_deliverability=False)]
    )
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    agency = SelectField(_l("Agency"), choices=[], validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)


class UserCreateForm(UserEditForm):
    """A new user with their first password."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=64),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes or underscores.")),
        ],
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "new-password"},
        description=_l("The user must change it at first sign-in."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class AgencyForm(FlaskForm):
    """An agency's editable fields."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    accepts_referrals = BooleanField(_l("Accepts referrals"))
    active = BooleanField(_l("Active"))
