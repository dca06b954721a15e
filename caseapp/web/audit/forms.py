"""Audit log filter form (GET)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, StringField
from wtforms.validators import Length, Optional

from caseapp.audit import AuditAction, Outcome
from caseapp.audit.labels import AUDIT_ACTION_LABELS, OUTCOME_LABELS
from caseapp.web.forms import SelectField


class AuditFilterForm(FlaskForm):
    """Filters of the audit log; read from the query string, no CSRF (nothing changes)."""

    class Meta:
        csrf = False

    actor = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    agency = SelectField(_l("Agency"), choices=[], validators=[Optional()])
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", "–")]
        + [SelectChoice(a.value, AUDIT_ACTION_LABELS[a]) for a in AuditAction],
        validators=[Optional()],
    )
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=40)])
    object_id = StringField(_l("Object id"), validators=[Optional(), Length(max=64)])
    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", "–")] + [SelectChoice(o.value, OUTCOME_LABELS[o]) for o in Outcome],
        validators=[Optional()],
    )
    date_from = DateField(_l("From (WITA)"), validators=[Optional()])
    date_to = DateField(_l("To (WITA)"), validators=[Optional()])
