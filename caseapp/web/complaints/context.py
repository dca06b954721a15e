"""What the case page's shelter and outreach sections need (one statement each)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from caseapp.database import utcnow
from caseapp.models import Case
from caseapp.services import outreach, shelter
from caseapp.web.complaints.forms import DischargeForm, OutreachForm, ShelterForm


def shelter_context(
    case: Case,
    shelter_form: FlaskForm | None = None,
    discharge_form: FlaskForm | None = None,
    outreach_form: FlaskForm | None = None,
) -> dict[str, Any]:
    """Return the case's shelter stays and outreach visits with their forms (blank unless refused)."""
    today = utcnow().date().isoformat()
    if shelter_form is None:
        shelter_form = ShelterForm(formdata=None, prefix="shelter")
        shelter_form.admitted_on.data = today
    if discharge_form is None:
        discharge_form = DischargeForm(formdata=None, prefix="discharge")
        discharge_form.discharged_on.data = today
    if outreach_form is None:
        outreach_form = OutreachForm(formdata=None, prefix="outreach")
        outreach_form.visit_date.data = today
    for form in (shelter_form, discharge_form, outreach_form):
        form.fill_choices()
    return {
        "shelter_stays": shelter.case_stays(case),
        "shelter_form": shelter_form,
        "discharge_form": discharge_form,
        "case_outreach": outreach.case_outreach(case),
        "outreach_form": outreach_form,
    }
