"""Export jobs of the JSON API: ask for a large export, follow it, fetch the finished file.

`POST /reports/simfoni` still answers with the file itself, built in the request; `POST /exports` builds
the same file in the background and answers 202 with the job (and its URL in `Location`).
"""

from __future__ import annotations

from flask import Response, url_for

from caseapp.api.endpoint import endpoint
from caseapp.api.reports import DOWNLOADS
from caseapp.api.views import bp
from caseapp.exports import ExportFormat
from caseapp.http.context import acting_user
from caseapp.http.files import file_response
from caseapp.http.policy import require
from caseapp.models import ExportJob
from caseapp.schemas.exports import ExportIn, ExportListOut, ExportOut
from caseapp.security.permissions import Permission
from caseapp.services import export_jobs


def _out(job: ExportJob) -> ExportOut:
    ready = export_jobs.downloadable(job)
    file_url = url_for("api.export_file", export_id=job.uuid) if ready else None
    return ExportOut.of(job, url_for("api.get_export", export_id=job.uuid), file_url)


@bp.route("/exports", methods=["POST"])
@require(Permission.REPORT_SIMFONI)
@endpoint(body=ExportIn, response=ExportOut, status=202, errors=(429,), tag="exports")
def create_export(body: ExportIn) -> tuple[ExportOut, int, dict[str, str]]:
    """Ask for the SIMFONI-PPA export of a period, built in the background (the reporting officer's).

    The same checks as `POST /reports/simfoni`: the user's password again (400 on `password` when wrong,
    counted like a failed sign-in; 429 while held back) and a code where enrolled. Audited as an export with
    the job's id. Answers 202 with the job; poll `links.self` until `status` is `done`, then fetch
    `links.file` (only the requester can, until `expires_at`).
    """
    job = export_jobs.request_simfoni(
        acting_user(), body.period, ExportFormat(body.format.value), body.password, body.code
    )
    out = _out(job)
    return out, 202, {"Location": out.links.self}


@bp.route("/exports")
@require(Permission.REPORT_SIMFONI)
@endpoint(response=ExportListOut, tag="exports")
def list_exports() -> ExportListOut:
    """The user's latest export jobs, newest first (at most ten): what is still building, what can be
    downloaded and until when. Another user's exports are never listed."""
    return ExportListOut(items=[_out(job) for job in export_jobs.recent(acting_user())])


@bp.route("/exports/<export_id>")
@require(Permission.REPORT_SIMFONI, hide=True)
@endpoint(response=ExportOut, tag="exports")
def get_export(export_id: str) -> ExportOut:
    """One of the user's export jobs: status, progress and links (anyone else's is 404)."""
    return _out(export_jobs.get_own(acting_user(), export_id))


@bp.route("/exports/<export_id>/file")
@require(Permission.REPORT_SIMFONI, hide=True)
@endpoint(media_type=DOWNLOADS, errors=(409,), tag="exports")
def export_file(export_id: str) -> Response:
    """The finished file of one of the user's exports (audited; `Cache-Control: no-store`).

    409 while it is not done or after it expired; another user's is 404.
    """
    job, data = export_jobs.download(acting_user(), export_id)
    return file_response(data, job.media_type or "application/octet-stream", job.filename or "export")
