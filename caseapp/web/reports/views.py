"""Report pages and downloads (every download is audited with its report and filters)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import ValidationFailed
from caseapp.exports import stacked_csv_response, xlsx_response
from caseapp.extensions import db
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import Agency, User
from caseapp.reports import caseload, recap
from caseapp.reports.periods import Period, parse_period
from caseapp.reports.suppression import PRIMARY, SECONDARY
from caseapp.security.permissions import Permission, Role
from caseapp.web.reports.tables import caseload_sheets, recap_display, recap_sheets

bp = Blueprint("reports", __name__)


def recap_scope(actor: User, agency_code: str | None) -> int | None:
    """Analysts see every agency (or one they pick); a supervisor only their own."""
    if actor.role == Role.ANALYST.value:
        if not agency_code:
            return None
        agency_id = db.session.scalar(db.select(Agency.id).where(Agency.code == agency_code))
        if agency_id is None:
            msg = _("Unknown agency %(code)s.", code=agency_code[:32])
            raise ValidationFailed(msg, fields={"agency": [msg]})
        return int(agency_id)
    return actor.agency_id


def export(report: str, fmt: str, sheets: list, filters: dict[str, Any]) -> Any:
    """Send the tables as CSV or XLSX and audit the export."""
    if fmt not in ("csv", "xlsx"):
        msg = _("Unknown format %(f)s: use csv or xlsx.", f=fmt[:10])
        raise ValidationFailed(msg, fields={"format": [msg]})
    audit.record(
        AuditAction.EXPORT_CREATE,
        object_type="report",
        object_id=report,
        details={"report": report, "format": fmt, **filters},
    )
    name = f"{report}-{filters.get('period', '')}".strip("-")
    note = _("No data for this period.")
    if fmt == "csv":
        return stacked_csv_response(f"{name}.csv", sheets, note)
    return xlsx_response(f"{name}.xlsx", sheets, note)


def caseload_context(actor: User, period: Period) -> dict[str, Any]:
    """Return what the dashboard template needs."""
    report = caseload.current(actor.agency_id, period)
    today = utcnow().date()
    # Registration dates of each ageing bucket, for the links to the case list.
    ageing_dates = {
        label: (
            (today - timedelta(days=high)).isoformat() if high is not None else "",
            (today - timedelta(days=low)).isoformat(),
        )
        for label, low, high in caseload.AGEING
    }
    return {"report": report, "period": period, "ageing_dates": ageing_dates}


@bp.route("/reports/caseload")
@require(Permission.REPORT_CASELOAD)
def caseload_page():  # type: ignore[no-untyped-def]
    """The supervisor's dashboard for their agency."""
    period = parse_period(request.args.get("period"))
    me = acting_user()
    fmt = request.args.get("format")
    if fmt:
        return export(
            "caseload",
            fmt,
            caseload_sheets(caseload.current(me.agency_id, period)),
            {"period": period.label, "agency": me.agency.code},
        )
    audit.record(
        AuditAction.REPORT_VIEW, object_type="report", object_id="caseload", details={"period": period.label}
    )
    page = render_template("reports/caseload.html", **caseload_context(me, period))
    return page


@bp.route("/reports/recap")
@require(Permission.REPORT_AGGREGATE)
def recap_page():  # type: ignore[no-untyped-def]
    """The task force's recap (suppressed counts only)."""
    period = parse_period(request.args.get("period"))
    me = acting_user()
    agency_id = recap_scope(me, request.args.get("agency"))
    data = recap.current(period, agency_id)
    filters = {"period": period.label, "agency": data.agency_code or "all"}
    fmt = request.args.get("format")
    if fmt:
        return export("recap", fmt, recap_sheets(data), filters)
    audit.record(AuditAction.REPORT_VIEW, object_type="report", object_id="recap", details=filters)
    agencies = (
        db.session.scalars(db.select(Agency).order_by(Agency.code)).all()
        if me.role == Role.ANALYST.value
        else []
    )
    template = "reports/recap_print.html" if request.args.get("print") else "reports/recap.html"
    page = render_template(
        template,
        recap=data,
        tables=recap_display(data),
        period=period,
        agencies=agencies,
        primary=PRIMARY,
        secondary=SECONDARY,
        selected_agency=request.args.get("agency", ""),
    )
    return page
