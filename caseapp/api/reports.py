"""Report resources of the JSON API (`?format=csv|xlsx` downloads the same tables)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from caseapp import audit
from caseapp.api.views import bp
from caseapp.audit import AuditAction
from caseapp.http.policy import require
from caseapp.reports import caseload, recap
from caseapp.reports.periods import parse_period
from caseapp.security.permissions import Permission
from caseapp.web.reports.tables import caseload_sheets, recap_display, recap_sheets
from caseapp.web.reports.views import export, recap_scope


@bp.route("/reports/caseload")
@require(Permission.REPORT_CASELOAD)
def caseload_report():  # type: ignore[no-untyped-def]
    """The supervisor's dashboard for their agency: `?period=YYYY|YYYY-Qn|YYYY-MM&format=json|csv|xlsx`."""
    me = current_user._get_current_object()
    period = parse_period(request.args.get("period"))
    report = caseload.current(me.agency_id, period)
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return export(
            "caseload", fmt, caseload_sheets(report), {"period": period.label, "agency": me.agency.code}
        )
    audit.record(
        AuditAction.REPORT_VIEW, object_type="report", object_id="caseload", details={"period": period.label}
    )
    return jsonify(caseload.as_json(report))


@bp.route("/reports/recap")
@require(Permission.REPORT_AGGREGATE)
def recap_report():  # type: ignore[no-untyped-def]
    """The task-force recap, suppressed: `?period=...&agency=CODE&format=json|csv|xlsx`."""
    me = current_user._get_current_object()
    period = parse_period(request.args.get("period"))
    data = recap.current(period, recap_scope(me, request.args.get("agency")))
    filters = {"period": period.label, "agency": data.agency_code or "all"}
    fmt = request.args.get("format", "json")
    if fmt != "json":
        return export("recap", fmt, recap_sheets(data), filters)
    audit.record(AuditAction.REPORT_VIEW, object_type="report", object_id="recap", details=filters)
    tables = {
        key: {"title": title, "rows": shown.row_labels, "columns": shown.column_labels, "cells": shown.cells}
        for key, title, shown, _rows, _cols in recap_display(data)
    }
    children = data.children if data.children == 0 or data.children >= 5 else "<5"
    return jsonify(
        period=period.label,
        agency=data.agency_code,
        children=children,
        tables=tables,
        suppression="counts 1-4 shown as <5; a second cell shown as × where one could be recovered",
    )
