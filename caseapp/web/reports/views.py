"""Report pages and downloads (the report services audit every view and every download)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from caseapp import labels as L
from caseapp import localtime
from caseapp.database import utcnow
from caseapp.errors import TooManyAttempts, ValidationFailed
from caseapp.exports import ExportFormat
from caseapp.http.context import acting_user
from caseapp.http.files import file_response
from caseapp.http.policy import require
from caseapp.reports import caseload
from caseapp.reports.caseload import Caseload
from caseapp.reports.tables import indicator_rows, recap_display
from caseapp.schemas.base import Input, parse_data
from caseapp.schemas.reports import CaseloadQuery, RecapQuery, SimfoniIn
from caseapp.security.permissions import Permission
from caseapp.services import export_jobs, reports
from caseapp.web.forms import apply_field_errors
from caseapp.web.reports.forms import SimfoniForm

bp = Blueprint("reports", __name__)

Q = TypeVar("Q", bound=Input)


def _query(schema: type[Q]) -> Q:
    """Read a report's query from the URL (the page's own parameters, such as `print`, are not its)."""
    return parse_data(
        schema, {k: v for k, v in request.args.items() if k in schema.model_fields}, strict=False
    )


def _refused(template: str, exc: ValidationFailed, **context: Any) -> ResponseReturnValue:
    """Show the report's form again with what was typed and why it was refused (400), and no figures."""
    messages = [message for messages in exc.fields.values() for message in messages] or [exc.message]
    return render_template(template, period=None, period_errors=messages, **context), 400


def caseload_context(report: Caseload) -> dict[str, Any]:
    """Return what the dashboard template needs."""
    today = localtime.today()
    # Registration dates of each ageing bucket, for the links to the case list.
    ageing_dates = {
        label: (
            (today - timedelta(days=high)).isoformat() if high is not None else "",
            (today - timedelta(days=low)).isoformat(),
        )
        for label, low, high in caseload.AGEING
    }
    return {"report": report, "period": report.period, "ageing_dates": ageing_dates}


@bp.route("/reports/caseload")
@require(Permission.REPORT_CASELOAD)
def caseload_page() -> ResponseReturnValue:
    """The supervisor's dashboard for their agency."""
    try:
        query = _query(CaseloadQuery)
    except ValidationFailed as exc:
        return _refused("reports/caseload.html", exc, report=None)
    me = acting_user()
    if query.download:
        return reports.export_caseload(me, query.period, query.download)
    report = reports.view_caseload(me, query.period)
    return render_template("reports/caseload.html", **caseload_context(report))


@bp.route("/reports/recap")
@require(Permission.REPORT_AGGREGATE)
def recap_page() -> ResponseReturnValue:
    """The task force's recap (suppressed counts only)."""
    me = acting_user()
    try:
        query = _query(RecapQuery)
    except ValidationFailed as exc:
        agencies = reports.recap_agencies(me)
        return _refused("reports/recap.html", exc, recap=None, agencies=agencies, selected_agency="")
    if query.download:
        return reports.export_recap(me, query.period, query.agency, query.download)
    data = reports.view_recap(me, query.period, query.agency)
    template = "reports/recap_print.html" if request.args.get("print") else "reports/recap.html"
    return render_template(
        template,
        recap=data,
        tables=recap_display(data),
        indicators=indicator_rows(data),
        period=query.period,
        agencies=reports.recap_agencies(me),
        selected_agency=query.agency or "",
    )


@bp.route("/reports/simfoni", methods=["GET", "POST"])
@require(Permission.REPORT_SIMFONI)
def simfoni_page() -> ResponseReturnValue:
    """The reporting officer's exact, case-level SIMFONI-PPA export (the password asked again): the file is
    prepared in the background, on its own page."""
    form = SimfoniForm()
    me = acting_user()
    if request.method == "GET":
        form.period.data = form.period.data or str(utcnow().year)
    if form.validate_on_submit():
        try:
            body = parse_data(SimfoniIn, form.to_body(), strict=False)
            job = export_jobs.request_simfoni(
                me, body.period, ExportFormat(body.format.value), body.password, body.code
            )
            return redirect(url_for("reports.export_page", export_id=job.uuid), 303)
        except ValidationFailed as exc:
            apply_field_errors(form, exc)
        except TooManyAttempts as exc:
            form.form_errors.append(exc.message)
            form.code.data = ""
            page = render_template("reports/simfoni.html", form=form, exports=export_jobs.recent(me))
            return page, 429, {"Retry-After": str(exc.retry_after)}
    form.code.data = ""  # a code is good once: never typed back into the page
    status = 400 if request.method == "POST" else 200
    return render_template("reports/simfoni.html", form=form, exports=export_jobs.recent(me)), status


@bp.route("/reports/exports/<export_id>")
@require(Permission.REPORT_SIMFONI, hide=True)
def export_page(export_id: str) -> ResponseReturnValue:
    """One of the user's exports: how far it got, refreshing itself, and the download once done."""
    job = export_jobs.get_own(acting_user(), export_id)
    return render_template("reports/export.html", job=job, ready=export_jobs.downloadable(job))


@bp.route("/reports/exports/<export_id>/status")
@require(Permission.REPORT_SIMFONI, hide=True)
def export_status(export_id: str) -> ResponseReturnValue:
    """What the export page polls: status, progress and (once done) the download link."""
    job = export_jobs.get_own(acting_user(), export_id)
    ready = export_jobs.downloadable(job)
    answer = {
        "status": job.status,
        "status_label": str(L.EXPORT_STATUS_LABELS[job.status]),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "download_url": url_for("reports.export_file", export_id=job.uuid) if ready else None,
    }
    return jsonify(answer), 200, {"Cache-Control": "no-store"}


@bp.route("/reports/exports/<export_id>/file")
@require(Permission.REPORT_SIMFONI, hide=True)
def export_file(export_id: str) -> ResponseReturnValue:
    """The finished file (the requester only, while it is kept; audited)."""
    job, data = export_jobs.download(acting_user(), export_id)
    return file_response(data, job.media_type or "application/octet-stream", job.filename or "export")
