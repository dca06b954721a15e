"""Large exports built in the background: the job, its progress, the file sealed at rest, who downloads it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook

from caseapp.database import utcnow
from caseapp.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from caseapp.exports import ExportFormat
from caseapp.extensions import db
from caseapp.jobs.tasks import SCHEDULE, run_job
from caseapp.models import AuditEvent, DataKey, ExportJob, User
from caseapp.reports import simfoni
from caseapp.reports.periods import parse_period
from caseapp.services import export_jobs
from caseapp.services.maintenance import prune
from tests.casedata import CANARIES, nik, register
from tests.conftest import PASSWORD, login
from tests.rawscan import scan_for

Q2 = parse_period("2026-Q2")
CHILD_NIK = nik(4242)


class _Recorder:
    """A job runner that only notes what was asked for (the test runs the job itself)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def dispatch(self, name: str) -> None:
        self.names.append(name)


def _cases(app, make_user, count: int = 3) -> None:
    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context(), time_machine.travel("2026-06-15 02:00:00", tick=False):
        register(worker, child__nik=CHILD_NIK, incident__date="2026-06-01")
        for _ in range(count - 1):
            register(worker, incident__date="2026-06-02")


def _asked(app, make_user, *args, **kwargs):
    """One case, a reporting officer, the job recorder and the officer's export asked for: (officer, id)."""
    _cases(app, make_user, count=1)
    officer = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    return officer, _ask(app, officer, *args, **kwargs)


def _ask(
    app, officer: User, fmt: ExportFormat = ExportFormat.CSV, period: str = "2026-Q2", lang: str = ""
) -> str:
    """Ask for an export through the service, committed; return the job's uuid."""
    headers = {"Cookie": f"caseapp_lang={lang}"} if lang else {}
    with app.test_request_context(headers=headers):
        me = db.session.get(User, officer.id)
        job = export_jobs.request_simfoni(me, parse_period(period), fmt, PASSWORD)
        db.session.commit()
        return str(job.uuid)


def _job(app, job_id: str) -> ExportJob:
    with app.app_context():
        job = db.session.scalar(db.select(ExportJob).where(ExportJob.uuid == uuid.UUID(job_id)))
        db.session.expunge(job)
        return job


def _csv_rows(data: bytes) -> list[list[str]]:
    lines = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
    header_at = next(i for i, line in enumerate(lines) if line and line[0] == "Nomor registrasi")
    return [line for line in lines[header_at + 1 :] if line]


# The service and the job ----------------------------------------------------------------------------------


def test_the_job_builds_the_file_with_progress_and_seals_it(app, make_user, monkeypatch):
    _cases(app, make_user, count=5)
    officer = make_user("reporting_officer", "DP3A")
    recorder = _Recorder()
    app.extensions["caseapp.jobs"] = recorder
    job_id = _ask(app, officer)
    assert recorder.names == ["exports.build"]  # asked for after the commit
    queued = _job(app, job_id)
    assert (queued.status, queued.rows_done, queued.rows_total) == ("queued", 0, None)

    # Progress is committed as the rows are built: another session sees it while the job runs.
    monkeypatch.setattr(simfoni, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int | None, str]] = []
    original = export_jobs._progress

    def watching(job_pk: int, attempt: int):
        record = original(job_pk, attempt)

        def both(done: int, total: int) -> None:
            record(done, total)
            with db.engine.connect() as other:  # a connection of its own: only committed rows
                row = other.execute(
                    db.select(ExportJob.rows_done, ExportJob.rows_total, ExportJob.status).where(
                        ExportJob.id == job_pk
                    )
                ).one()
                seen.append(tuple(row))

        return both

    monkeypatch.setattr(export_jobs, "_progress", watching)
    with app.app_context():
        assert run_job("exports.build").startswith("built 1, failed 0")
    assert seen == [(2, 5, "running"), (4, 5, "running"), (5, 5, "running")]
    done = _job(app, job_id)
    assert done.status == "done" and (done.rows_done, done.rows_total, done.percent) == (5, 5, 100)
    assert done.started_at and done.finished_at and done.expires_at
    assert done.expires_at - done.finished_at == timedelta(hours=24)
    assert done.filename == "simfoni-2026-Q2.csv" and done.media_type == "text/csv"

    with app.app_context():
        sealed = db.session.scalar(db.select(ExportJob.content).where(ExportJob.uuid == done.uuid))
    # At rest: neither the file's words nor the registered child's identifiers, anywhere in the database.
    assert sealed and b"Nomor registrasi" not in sealed and b"SIMFONI" not in sealed
    assert scan_for(app, ["Nomor registrasi", "Kasus SIMFONI-PPA", CHILD_NIK, *CANARIES]) == []
    with app.test_request_context():
        me = db.session.get(User, officer.id)
        _job_row, data = export_jobs.download(me, job_id)
    assert len(_csv_rows(data)) == 5  # what was sealed is the file


def test_the_file_is_written_in_the_language_of_the_request(app, make_user):
    officer, job_id = _asked(app, make_user, ExportFormat.XLSX, lang="en")
    with app.app_context():
        run_job("exports.build")  # no request here: the job speaks the language the request spoke
    with app.test_request_context():
        _row, data = export_jobs.download(db.session.get(User, officer.id), job_id)
    assert load_workbook(io.BytesIO(data)).sheetnames == ["About this file", "SIMFONI-PPA cases"]


def test_two_runs_build_a_job_once(app, make_user):
    officer, job_id = _asked(app, make_user)
    with app.app_context():
        first = export_jobs._claim_next()
        assert first is not None
    with app.app_context():
        assert export_jobs._claim_next() is None  # the other worker finds nothing to claim
        assert run_job("exports.build").startswith("built 0")
    with app.app_context():
        assert export_jobs._build(db.session.get(ExportJob, first.id))
    with app.app_context():
        assert run_job("exports.build").startswith("built 0")
    job = _job(app, job_id)
    assert job.status == "done" and job.attempts == 1


def test_a_build_left_running_by_a_lost_worker_is_taken_up_again_then_given_up(app, make_user):
    officer = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    job_id = _ask(app, officer)
    with app.app_context():
        assert export_jobs._claim_next() is not None  # claimed, then the worker is lost
    later = utcnow() + timedelta(minutes=31)
    for attempt in (2, 3):
        with time_machine.travel(later, tick=False), app.app_context():
            job = export_jobs._claim_next()
            assert job is not None and job.attempts == attempt
        later += timedelta(minutes=31)
    with time_machine.travel(later, tick=False), app.app_context():
        assert export_jobs._claim_next() is None
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == "build_failed"


def test_a_failed_build_says_nothing_of_the_data(app, make_user, monkeypatch, caplog):
    officer, job_id = _asked(app, make_user)

    def broken(*args, **kwargs):
        raise RuntimeError(f"row of {CHILD_NIK}")

    monkeypatch.setattr(simfoni, "header", broken)
    with app.app_context():
        assert run_job("exports.build").startswith("built 0, failed 1")
    job = _job(app, job_id)
    assert job.status == "failed" and job.error == "build_failed" and job.data_key_id is None
    assert CHILD_NIK not in caplog.text and "RuntimeError" in caplog.text


def test_the_request_is_checked_like_the_download(app, make_user):
    app.extensions["caseapp.jobs"] = _Recorder()
    officer = make_user("reporting_officer", "DP3A")
    supervisor = make_user("supervisor", "DP3A")
    with app.test_request_context():
        with pytest.raises(ValidationFailed):
            export_jobs.request_simfoni(db.session.get(User, officer.id), Q2, ExportFormat.CSV, "wrong")
        db.session.rollback()
        with pytest.raises(PermissionDenied):
            export_jobs.request_simfoni(db.session.get(User, supervisor.id), Q2, ExportFormat.CSV, PASSWORD)
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count()).select_from(ExportJob)) == 0


def test_only_the_requester_downloads_and_each_download_is_audited(app, make_user):
    _cases(app, make_user, count=2)
    officer = make_user("reporting_officer", "DP3A")
    colleague = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    job_id = _ask(app, officer, ExportFormat.XLSX)
    with app.test_request_context():
        with pytest.raises(InvalidTransition):  # not built yet
            export_jobs.download(db.session.get(User, officer.id), job_id)
    with app.app_context():
        run_job("exports.build")
    with app.test_request_context():
        with pytest.raises(NotFound):
            export_jobs.download(db.session.get(User, colleague.id), job_id)
        with pytest.raises(NotFound):
            export_jobs.get_own(db.session.get(User, colleague.id), job_id)
        with pytest.raises(NotFound):
            export_jobs.get_own(db.session.get(User, officer.id), "not-a-uuid")
        job, data = export_jobs.download(db.session.get(User, officer.id), job_id)
        db.session.commit()
        assert job.filename == "simfoni-2026-Q2.xlsx"
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[1] == "Kasus SIMFONI-PPA" and book["Kasus SIMFONI-PPA"].max_row == 4
    with app.app_context():
        events = list(db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.seq)))
    created = [e for e in events if e.action == "export.create" and e.object_id == job_id]
    downloaded = [e for e in events if e.action == "export.download"]
    assert len(created) == 1 and '"period": "2026-Q2"' in created[0].details
    assert len(downloaded) == 1 and downloaded[0].actor_id == officer.id and downloaded[0].object_id == job_id
    assert CHILD_NIK not in created[0].details + downloaded[0].details


def test_an_expired_file_is_deleted_and_its_key_shredded(app, make_user):
    officer, job_id = _asked(app, make_user)
    with app.app_context():
        run_job("exports.build")
    built = _job(app, job_id)
    after = built.expires_at + timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        with app.test_request_context():
            with pytest.raises(InvalidTransition):  # refused at once, before any sweep
                export_jobs.download(db.session.get(User, officer.id), job_id)
        with app.app_context():
            counts = prune()
            db.session.commit()
    assert counts["export_files"] == 1
    with app.app_context():
        job = db.session.scalar(db.select(ExportJob).where(ExportJob.uuid == built.uuid))
        assert job.status == "expired" and job.content is None
        key = db.session.get(DataKey, built.data_key_id)
        assert key.wrapped is None and key.shredded_at is not None
    # The build job's sweep expires files too (it runs every minute).
    assert SCHEDULE["exports.build"] == 60


def test_the_embedded_runner_builds_what_a_request_asked_for(app, client, make_user):
    _cases(app, make_user, count=2)
    officer = make_user("reporting_officer", "DP3A")
    login(client, officer.username)
    response = client.post(
        "/api/v1/exports", json={"period": "2026-Q2", "password": PASSWORD, "format": "csv"}
    )
    assert response.status_code == 202, response.json
    app.extensions["caseapp.jobs"].drain()  # the embedded runner's thread ran the job
    answer = client.get(response.headers["Location"])
    assert answer.status_code == 200 and answer.json["status"] == "done"
    assert answer.json["rows_done"] == answer.json["rows_total"] == 2


# HTTP ---------------------------------------------------------------------------------------------------


def test_the_api_asks_follows_and_downloads_an_export(app, client, make_user):
    _cases(app, make_user, count=2)
    officer = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    login(client, officer.username)
    wrong = client.post("/api/v1/exports", json={"period": "2026-Q2", "password": "not it"})
    assert wrong.status_code == 400 and list(wrong.json["fields"]) == ["password"]
    response = client.post(
        "/api/v1/exports", json={"period": "2026-Q2", "password": PASSWORD, "format": "csv"}
    )
    assert response.status_code == 202
    job = response.json
    assert job["status"] == "queued" and job["links"]["file"] is None and job["kind"] == "simfoni"
    assert response.headers["Location"] == job["links"]["self"] == f"/api/v1/exports/{job['id']}"
    assert "password" not in str(job)
    not_ready = client.get(f"/api/v1/exports/{job['id']}/file")
    assert not_ready.status_code == 409
    with app.app_context():
        run_job("exports.build")
    status = client.get(job["links"]["self"]).json
    assert status["status"] == "done" and status["percent"] == 100 and status["created_at"].endswith("Z")
    file = client.get(status["links"]["file"])
    assert file.status_code == 200 and file.mimetype == "text/csv"
    assert file.headers["Cache-Control"] == "no-store"
    assert len(_csv_rows(file.data)) == 2

    other = app.test_client()
    login(other, make_user("reporting_officer", "DP3A").username)
    assert other.get(job["links"]["self"]).status_code == 404
    assert other.get(status["links"]["file"]).status_code == 404
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "DP3A").username)
    assert supervisor.get(job["links"]["self"]).status_code == 403  # no export role at all: refused, audited
    assert (
        supervisor.post("/api/v1/exports", json={"period": "2026", "password": PASSWORD}).status_code == 403
    )


def _denials(app) -> list[tuple[str | None, str | None, str, str | None, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.outcome,
                AuditEvent.details,
                AuditEvent.actor_id,
            )
            .where(AuditEvent.action == "authz.deny")
            .order_by(AuditEvent.seq)
        ).all()
    return [tuple(row) for row in rows]


def test_another_users_export_is_a_404_and_an_audited_denial(app, client, make_user):
    """Found by review: an export job that exists but is another user's answered 404 with nothing on record.
    Now it is an audited denial, and so is an id that names no job or is no id: the same answer and the same
    cost whether the job exists (a second review measured the difference)."""
    officer, job_id = _asked(app, make_user)
    with app.app_context():
        run_job("exports.build")
    other_user = make_user("reporting_officer", "DP3A")
    other = app.test_client()
    login(other, other_user.username)
    urls = [
        f"/api/v1/exports/{job_id}",
        f"/api/v1/exports/{job_id}/file",
        f"/reports/exports/{job_id}",
        f"/reports/exports/{job_id}/status",
        f"/reports/exports/{job_id}/file",
    ]
    assert [other.get(url).status_code for url in urls] == [404] * 5
    denials = _denials(app)
    assert [(d[0], d[1], d[2], d[4]) for d in denials] == [
        ("export_job", job_id, "denied", other_user.id)
    ] * 5
    assert all('"permission": "report:simfoni"' in (d[3] or "") for d in denials)
    unknown = str(uuid.uuid4())
    mine = other.get(f"/api/v1/exports/{job_id}")
    for asked in (unknown, "not-a-uuid"):
        answer = other.get(f"/api/v1/exports/{asked}")
        assert answer.status_code == 404 and answer.json == mine.json
        assert other.get(f"/reports/exports/{asked}").status_code == 404
    later = [(d[0], d[1]) for d in _denials(app)[6:]]
    assert later == [("export_job", unknown)] * 2 + [("export_job", "not-a-uuid")] * 2
    login(client, officer.username)
    assert client.get(f"/api/v1/exports/{job_id}").status_code == 200  # the requester: no denial
    assert len(_denials(app)) == 10


def test_the_api_lists_the_users_own_exports_newest_first(app, client, make_user):
    _cases(app, make_user, count=1)
    officer = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    login(client, officer.username)
    assert client.get("/api/v1/exports").json == {"items": []}
    ids = [
        client.post("/api/v1/exports", json={"period": period, "password": PASSWORD}).json["id"]
        for period in ("2026-Q1", "2026-Q2")
    ]
    listed = client.get("/api/v1/exports")
    assert listed.status_code == 200
    assert [job["id"] for job in listed.json["items"]] == ids[::-1]
    assert listed.json["items"][0]["links"]["self"] == f"/api/v1/exports/{ids[1]}"
    other = app.test_client()
    login(other, make_user("reporting_officer", "DP3A").username)
    assert other.get("/api/v1/exports").json == {"items": []}  # nobody sees another's exports
    supervisor = app.test_client()
    login(supervisor, make_user("supervisor", "DP3A").username)
    assert supervisor.get("/api/v1/exports").status_code == 403


def test_the_page_asks_for_the_export_and_shows_its_progress_and_download(app, client, make_user):
    _cases(app, make_user, count=2)
    officer = make_user("reporting_officer", "DP3A")
    app.extensions["caseapp.jobs"] = _Recorder()
    login(client, officer.username)
    refused = client.post("/reports/simfoni", data={"period": "2026-Q2", "format": "xlsx", "password": "no"})
    assert refused.status_code == 400 and "Kata sandi saat ini salah." in refused.get_data(as_text=True)
    asked = client.post(
        "/reports/simfoni", data={"period": "2026-Q2", "format": "xlsx", "password": PASSWORD}
    )
    assert asked.status_code == 303 and "/reports/exports/" in asked.headers["Location"]
    page_url = asked.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert 'role="progressbar"' in page and 'aria-valuenow="0"' in page and "Menunggu dimulai" in page
    assert 'data-testid="export-download"' not in page
    status = client.get(f"{page_url}/status")
    assert status.json["status"] == "queued" and status.json["download_url"] is None
    assert status.headers["Cache-Control"] == "no-store"
    with app.app_context():
        run_job("exports.build")
    page = client.get(page_url).get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and 'data-testid="export-download"' in page
    file = client.get(client.get(f"{page_url}/status").json["download_url"])
    assert file.status_code == 200 and file.headers["Cache-Control"] == "no-store"
    assert load_workbook(io.BytesIO(file.data))["Kasus SIMFONI-PPA"].max_row == 4
    listing = client.get("/reports/simfoni").get_data(as_text=True)
    assert 'data-testid="recent-exports"' in listing and "Siap diunduh" in listing

    other = app.test_client()
    login(other, make_user("reporting_officer", "DP3A").username)
    assert other.get(page_url).status_code == 404
    assert other.get(f"{page_url}/file").status_code == 404
    assert 'data-testid="recent-exports"' not in other.get("/reports/simfoni").get_data(as_text=True)
