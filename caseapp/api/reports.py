"""Report resources of the JSON API (`?format=csv|xlsx` downloads the same tables as the pages)."""

from __future__ import annotations

from flask import Response

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.exports import MEDIA_TYPES, ExportFormat
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.reports import CaseloadOut, CaseloadQuery, RecapOut, RecapQuery, SimfoniIn
from caseapp.security.permissions import Permission
from caseapp.services import reports

DOWNLOADS = tuple(MEDIA_TYPES.values())


@bp.route("/reports/caseload")
@require(Permission.REPORT_CASELOAD)
@endpoint(query=CaseloadQuery, response=CaseloadOut, media_type=DOWNLOADS)
def caseload_report(query: CaseloadQuery) -> CaseloadOut | Response:
    """The supervisor's dashboard for their agency.

    Open cases by status and risk, per case manager and by age; referrals waiting; response times in
    the period. `format=csv|xlsx` downloads the same tables (audited as an export).
    """
    me = acting_user()
    if query.download:
        return reports.export_caseload(me, query.period, query.download)
    return CaseloadOut.of(reports.view_caseload(me, query.period))


@bp.route("/reports/recap")
@require(Permission.REPORT_AGGREGATE)
@endpoint(query=RecapQuery, response=RecapOut, media_type=DOWNLOADS)
def recap_report(query: RecapQuery) -> RecapOut | Response:
    """The task-force recap, counts 1-4 suppressed.

    Analysts see every agency or the one they name; a supervisor sees their own agency's.
    `format=csv|xlsx` downloads the same suppressed tables (audited as an export).
    """
    me = acting_user()
    if query.download:
        return reports.export_recap(me, query.period, query.agency, query.download)
    return RecapOut.of(reports.view_recap(me, query.period, query.agency))


@bp.route("/reports/simfoni", methods=["POST"])
@require(Permission.REPORT_SIMFONI)
@endpoint(body=SimfoniIn, media_type=DOWNLOADS, errors=(429,))
def simfoni_export(body: SimfoniIn) -> Response:
    """The exact, case-level SIMFONI-PPA export of a period (the reporting officer's).

    One row per case of every agency registered in the period, the fields SIMFONI-PPA takes
    (docs/SIMFONI-PPA.md); no names, NIK, addresses or chronology. The user's password is asked again:
    a wrong one answers 400 on `password` and counts like a failed sign-in (429 while held back).
    Audited as an export with its period.
    """
    return reports.export_simfoni(
        acting_user(), body.period, ExportFormat(body.format.value), body.password, body.code
    )
