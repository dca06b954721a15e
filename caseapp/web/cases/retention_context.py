"""What the case page's retention block (`templates/cases/_retention.html`) needs: the legal hold in force,
when the case's identity is due to be removed, and the hold's form."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from caseapp.models import Case, User
from caseapp.services import retention


class LegalHoldForm(FlaskForm):
    """Place or lift a legal hold, with the reason."""

    reason = TextAreaField(
        _l("Reason"),
        description=_l("A court order, litigation or an inquiry; kept encrypted in the case file."),
        render_kw={"rows": 2, "maxlength": 2000},
    )

    def to_body(self) -> dict[str, Any]:
        """Return the input of `schemas.retention.LegalHoldIn`."""
        return {"reason": self.reason.data or ""}


def retention_context(actor: User, case: Case, form: LegalHoldForm | None = None) -> dict[str, Any]:
    """Return the case's retention state and the hold form (a refused one as the user left it)."""
    return {
        "retention": retention.retention_of(actor, case),
        "hold_form": form if form is not None else LegalHoldForm(formdata=None, prefix="hold"),
    }
