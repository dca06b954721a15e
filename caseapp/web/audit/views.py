"""Browse, verify and export the audit log (auditors only)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from caseapp import audit
from caseapp.audit import AuditAction, Outcome, queries
from caseapp.audit.checkpoint import CheckpointError, last_checkpoint, verify_anchored
from caseapp.audit.verify import VerifyResult
from caseapp.exports import csv_response
from caseapp.extensions import db
from caseapp.http.policy import require
from caseapp.models import Agency
from caseapp.security.keys import KeyConfigError
from caseapp.security.permissions import Permission
from caseapp.web.audit.forms import AuditFilterForm
from caseapp.web.forms import CsrfForm

bp = Blueprint("audit", __name__)

CSV_HEADER = (
    "seq",
    "occurred_at_utc",
    "actor",
    "role",
    "agency",
    "source_ip",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "changed_fields",
    "details",
    "request_id",
    "mac",
)


def _form() -> tuple[AuditFilterForm, queries.AuditFilter | None]:
    form = AuditFilterForm(request.args)
    agencies = db.session.scalars(db.select(Agency.code).order_by(Agency.code)).all()
    form.agency.choices = [SelectChoice("", "–")] + [SelectChoice(code) for code in agencies]
    if request.args and not form.validate():
        return form, None
    return form, queries.AuditFilter(
        actor=form.actor.data or "",
        agency=form.agency.data or "",
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        object_id=form.object_id.data or "",
        outcome=form.outcome.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _bad_filters(form: AuditFilterForm) -> tuple[str, int]:
    """Show the filter form again with its errors (400)."""
    page = render_template(
        "audit/list.html",
        form=form,
        events=[],
        next_before=None,
        verification=queries.last_verification(),
        checkpoint=last_checkpoint(),
        csrf_form=CsrfForm(),
    )
    return page, 400


@bp.route("/")
@require(Permission.AUDIT_READ)
def event_list() -> ResponseReturnValue:
    """List events, newest first, filtered and paginated."""
    form, flt = _form()
    if flt is None:
        return _bad_filters(form)
    before = request.args.get("before", type=int)
    events, next_before = queries.page(flt, before)
    audit.record(AuditAction.AUDIT_VIEW, object_type="audit_log", details=flt.as_details() or None)
    return render_template(
        "audit/list.html",
        form=form,
        events=events,
        next_before=next_before,
        verification=queries.last_verification(),
        checkpoint=last_checkpoint(),
        csrf_form=CsrfForm(),
    )


@bp.route("/verify", methods=["POST"])
@require(Permission.AUDIT_READ)
def verify() -> ResponseReturnValue:
    """Recompute the whole chain now and record the result."""
    try:
        result = verify_anchored()
    except (CheckpointError, KeyConfigError) as exc:
        result = VerifyResult(False, 0, None, str(exc))
    audit.record(
        AuditAction.AUDIT_VERIFY,
        object_type="audit_log",
        outcome=Outcome.SUCCESS if result.ok else Outcome.ERROR,
        details={"checked": result.checked, "bad_seq": result.bad_seq, "problem": result.problem},
    )
    if result.ok:
        flash(_("The audit chain is intact: %(n)d events verified.", n=result.checked), "success")
    else:
        flash(
            _(
                "The audit chain is BROKEN at event %(seq)s: %(problem)s",
                seq=result.bad_seq,
                problem=result.problem,
            ),
            "danger",
        )
    return redirect(url_for("audit.event_list"))


@bp.route("/export.csv")
@require(Permission.AUDIT_READ)
def export_csv() -> ResponseReturnValue:
    """Download the filtered log as CSV (the export itself is audited)."""
    form, flt = _form()
    if flt is None:
        return _bad_filters(form)
    audit.record(
        AuditAction.EXPORT_CREATE,
        object_type="audit_log",
        details={"report": "audit", "format": "csv", **flt.as_details()},
    )
    stmt = queries.filtered(flt).order_by(queries.AuditEvent.seq)

    def rows() -> Iterator[tuple[Any, ...]]:
        for e in db.session.scalars(stmt.execution_options(yield_per=1000)):
            yield (
                e.seq,
                e.occurred_at.isoformat(),
                e.actor_username,
                e.actor_role,
                e.actor_agency,
                e.source_ip,
                e.action,
                e.object_type,
                e.object_id,
                e.outcome,
                e.changed_fields,
                e.details,
                e.request_id,
                e.mac,
            )

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return csv_response(f"audit-log-{stamp}.csv", CSV_HEADER, rows(), _("No events match these filters."))
