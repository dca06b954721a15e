"""Shapes of the export jobs of the API: what asks for one, and what a job says of itself."""

from __future__ import annotations

import uuid

from pydantic import Field

from caseapp.models.export_job import ExportJob, ExportKind, ExportStatus
from caseapp.schemas.base import Output
from caseapp.schemas.reports import SimfoniFormat, SimfoniIn
from caseapp.schemas.types import UtcTime


class ExportIn(SimfoniIn):
    """An export built in the background: the report, its period and file, and the user's password again
    (and a code of the authenticator app where enrolled), as for the download itself."""

    kind: ExportKind = Field(default=ExportKind.SIMFONI, description="The report: simfoni (SIMFONI-PPA)")


class ExportLinksOut(Output):
    """Where to follow the job and fetch its file."""

    self: str = Field(description="This job's status (poll it until `status` is done or failed)")
    file: str | None = Field(description="The finished file, while it can be downloaded; null otherwise")


class ExportOut(Output):
    """An export job: how far it got, and its file's link once done (the file itself never appears here)."""

    id: uuid.UUID
    kind: ExportKind
    period: str
    format: SimfoniFormat
    status: ExportStatus = Field(description="queued, running, done, failed or expired (file deleted)")
    rows_done: int = Field(description="Rows built so far")
    rows_total: int | None = Field(description="Rows the file will have, once known")
    percent: int = Field(ge=0, le=100)
    created_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    expires_at: UtcTime | None = Field(description="When the finished file is deleted")
    error: str | None = Field(description="A generic code (build_failed) when the build failed; never data")
    links: ExportLinksOut

    @classmethod
    def of(cls, job: ExportJob, self_url: str, file_url: str | None) -> ExportOut:
        """Shape a job, with the links the API built."""
        return cls(
            id=job.uuid,
            kind=ExportKind(job.kind),
            period=job.period,
            format=SimfoniFormat(job.format),
            status=ExportStatus(job.status),
            rows_done=job.rows_done,
            rows_total=job.rows_total,
            percent=job.percent,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            expires_at=job.expires_at,
            error=job.error,
            links=ExportLinksOut(self=self_url, file=file_url),
        )


class ExportListOut(Output):
    """The user's latest export jobs, newest first (at most ten; nobody sees another user's)."""

    items: list[ExportOut]
