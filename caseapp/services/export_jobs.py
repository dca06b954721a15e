"""Large exports built in the background: asked for in a request, built by the `exports.build` job.

A request checks what the export itself would check (role, agency kind, the step-up), writes an
`ExportJob` row (kind, period, format, language: nothing identifying), audits `export.create` with the
job's id, and asks for `exports.build` after its commit. The job claims queued rows one at a time (a
guarded update, so several workers never build one twice), builds the file while recording how many rows
are done in short transactions of its own (the status page shows them), and stores it sealed under a data
key of its own. Only the requester downloads it, only while it is done and not expired (`export.download`,
audited); anyone else is answered 404, the attempt audited as a denial. Expired files lose their content and
their key (`expire`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, get_locale
from sqlalchemy import ColumnElement, and_, or_, select, update

from caseapp import audit, jobqueue
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import InvalidTransition
from caseapp.exports import ExportFormat, file_name, media_type, tables_file
from caseapp.extensions import db
from caseapp.models import ExportJob, User
from caseapp.models.export_job import ExportKind, ExportStatus
from caseapp.reports.periods import Period, parse_period
from caseapp.security import crypto
from caseapp.security.permissions import Permission
from caseapp.services import data_keys, reports
from caseapp.services.scoping import find_in_scope

log = logging.getLogger(__name__)
JOB = "exports.build"
# A failed build says this, never what failed on which row (the log has the exception's type only).
GENERIC_ERROR = "build_failed"


def request_simfoni(
    actor: User, period: Period, fmt: ExportFormat, password: str, code: str | None = None
) -> ExportJob:
    """Ask for the SIMFONI-PPA export of a period, built in the background, after the same checks as the
    export itself (`reports.confirm_simfoni`); audited as an export with the job's id."""
    reports.confirm_simfoni(actor, password, code)
    job = ExportJob(
        uuid=uuid.uuid4(),
        requested_by_id=actor.id,
        kind=ExportKind.SIMFONI.value,
        period=period.label,
        format=fmt.value,
        locale=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
        status=ExportStatus.QUEUED.value,
    )
    db.session.add(job)
    db.session.flush([job])
    audit.record(
        AuditAction.EXPORT_CREATE,
        actor=actor,
        object_type="export_job",
        object_id=str(job.uuid),
        details={"report": job.kind, "format": job.format, "period": job.period, "job": str(job.uuid)},
    )
    jobqueue.after_commit(JOB)
    return job


def get_own(actor: User, job_id: str) -> ExportJob:
    """Return one of the actor's own export jobs. Anything else (another user's job, an id that names none,
    one that is no id) answers the same NotFound and is an audited denial, as a case outside one's scope is
    (`find_in_scope`): whether a job exists shows neither in the answer nor in its cost."""

    def own(key: uuid.UUID) -> ExportJob | None:
        stmt = select(ExportJob).where(ExportJob.uuid == key, ExportJob.requested_by_id == actor.id)
        return db.session.scalar(stmt)

    return find_in_scope(actor, job_id, own, object_type="export_job", permission=Permission.REPORT_SIMFONI)


def recent(actor: User, limit: int = 10) -> list[ExportJob]:
    """Return the actor's latest export jobs, newest first."""
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.requested_by_id == actor.id)
            .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
            .limit(limit)
        )
    )


def downloadable(job: ExportJob, now: datetime | None = None) -> bool:
    """Say whether the job's file may be downloaded now (done, and not past its expiry)."""
    now = now or utcnow()
    return (
        job.status == ExportStatus.DONE
        and job.expires_at is not None
        and job.expires_at > now
        and job.data_key_id is not None
    )


def download(actor: User, job_id: str) -> tuple[ExportJob, bytes]:
    """Return the requester's finished file, decrypted; audited as `export.download`. Another user's job is
    NotFound; one not done (or expired) is refused with 409."""
    job = get_own(actor, job_id)
    if not downloadable(job):
        raise InvalidTransition("export_not_ready")
    sealed = db.session.scalar(select(ExportJob.content).where(ExportJob.id == job.id))
    if sealed is None or job.data_key is None:
        raise InvalidTransition("export_not_ready")
    data = b"".join(crypto.decrypt_chunks(job.data_key.plaintext(), _file_id(job), bytes(sealed)))
    audit.record(
        AuditAction.EXPORT_DOWNLOAD,
        actor=actor,
        object_type="export_job",
        object_id=str(job.uuid),
        details={"report": job.kind, "format": job.format, "period": job.period, "rows": job.rows_total},
    )
    return job, data


# The job ------------------------------------------------------------------------------------------------


def build_pending(limit: int = 20) -> tuple[int, int]:
    """Build what is queued (and what a lost worker left running), one claimed job at a time; return how
    many were built and how many failed. Commits per step: the caller owns no transaction."""
    built = failed = 0
    for _ in range(limit):
        job = _claim_next()
        if job is None:
            break
        if _build(job):
            built += 1
        else:
            failed += 1
    return built, failed


def _claimable(now: datetime) -> ColumnElement[bool]:
    stale = now - timedelta(minutes=int(current_app.config.get("EXPORT_STALE_MINUTES", 30)))
    return or_(
        ExportJob.status == ExportStatus.QUEUED.value,
        and_(ExportJob.status == ExportStatus.RUNNING.value, ExportJob.started_at < stale),
    )


def _claim_next() -> ExportJob | None:
    """Claim the oldest claimable job with a guarded update (committed), or give up a job tried too often."""
    max_attempts = int(current_app.config.get("EXPORT_MAX_ATTEMPTS", 3))
    while True:
        now = utcnow()
        row = db.session.execute(
            select(ExportJob.id, ExportJob.attempts)
            .where(_claimable(now))
            .order_by(ExportJob.created_at, ExportJob.id)
            .limit(1)
        ).first()
        db.session.commit()
        if row is None:
            return None
        give_up = row.attempts >= max_attempts
        values: dict[str, object] = (
            {"status": ExportStatus.FAILED.value, "finished_at": now, "error": GENERIC_ERROR}
            if give_up
            else {
                "status": ExportStatus.RUNNING.value,
                "started_at": now,
                "attempts": row.attempts + 1,
                "rows_done": 0,
            }
        )
        claimed = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == row.id, ExportJob.attempts == row.attempts, _claimable(now))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if getattr(claimed, "rowcount", 0) != 1 or give_up:
            continue  # another worker took it (or it was given up): look for the next one
        job = db.session.get(ExportJob, row.id, populate_existing=True)
        if job is not None:
            return job


def _progress(job_id: int, attempt: int) -> Callable[[int, int], None]:
    def record(done: int, total: int) -> None:
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.attempts == attempt)
            .values(rows_done=done, rows_total=total)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()  # a short transaction of its own: the status page sees it at once

    return record


def _file_id(job: ExportJob) -> str:
    return f"export_job|{job.uuid}"


def _build(job: ExportJob) -> bool:
    """Build one claimed job's file and store it sealed; mark it failed (no data logged) on an error."""
    job_id, attempt = job.id, job.attempts
    try:
        fmt = ExportFormat(job.format)
        with force_locale(job.locale):
            period = parse_period(job.period)
            sheets, about, count = reports.simfoni_tables(period, _progress(job_id, attempt))
            plain = tables_file(fmt, sheets, reports.empty_note(), about)
            key = data_keys.create_data_key()
            sealed = b"".join(crypto.encrypt_chunks(key.plaintext(), _file_id(job), plain))
        now = utcnow()
        done = db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.attempts == attempt)
            .values(
                status=ExportStatus.DONE.value,
                rows_done=count,
                rows_total=count,
                finished_at=now,
                expires_at=now + timedelta(hours=int(current_app.config.get("EXPORT_RETENTION_HOURS", 24))),
                filename=file_name(f"{job.kind}-{job.period}", fmt),
                media_type=media_type(fmt),
                size=len(sealed),
                data_key_id=key.id,
                content=sealed,
                error=None,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:  # taken over meanwhile (it ran past the stale limit)
            db.session.rollback()
            return False
        db.session.commit()
        return True
    except Exception as exc:  # noqa: BLE001 - one failed export must not stop the others
        db.session.rollback()
        log.error("export job %s failed: %s", job_id, type(exc).__name__)  # the type only: no data
        db.session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.attempts == attempt)
            .values(status=ExportStatus.FAILED.value, finished_at=utcnow(), error=GENERIC_ERROR)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        return False


def expire(now: datetime | None = None) -> int:
    """Delete the content of finished files past their expiry and shred their data keys; return how many.
    Runs in the caller's transaction (the build job's sweep, and `maintenance.prune`)."""
    now = now or utcnow()
    jobs = list(
        db.session.scalars(
            select(ExportJob).where(ExportJob.status == ExportStatus.DONE.value, ExportJob.expires_at <= now)
        )
    )
    for job in jobs:
        job.status = ExportStatus.EXPIRED.value
        job.content = None
        if job.data_key is not None:
            data_keys.shred(job.data_key)
    db.session.flush()
    return len(jobs)
