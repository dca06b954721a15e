"""Retention: years after a case ends its child's identity is shredded for good; the statistics stay.

Each surface is tried on a real shredded case: registered (with a NIK, a referral to the police and an
attachment), closed by its supervisor, its closure moved back six years, and the job run. Every page and
answer that can show the case must answer without an error and without a word of what was sealed.
"""

from __future__ import annotations

import io
import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlalchemy as sa

from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.jobs.embedded import EmbeddedRunner
from caseapp.jobs.tasks import JOBS, SCHEDULE, run_job
from caseapp.models import Attachment, AuditEvent, Case, CaseNameToken, DataKey, LegalEvent, LegalHold, User
from caseapp.reports import recap, simfoni
from caseapp.reports.periods import parse_period
from caseapp.schemas.retention import LegalHoldIn
from caseapp.security import crypto
from caseapp.services import data_keys, retention
from caseapp.transaction import unit_of_work
from tests.casedata import CANARIES, CaseRef, body, nik, register
from tests.conftest import login
from tests.rawscan import scan_for
from tests.test_attachments import pdf
from tests.test_referrals import _refer, _token

CHILD_NIK = nik(7301)
NAME = "Siti Canary Aminah"
REMOVED = "identitas dihapus (retensi)"  # "identity removed (retention)", as the Indonesian pages say it
HOLD_REASON = "Gugatan Canary Hold No. 12/Pdt.G/2031"
EVERYTHING = [*CANARIES, CHILD_NIK, "Canary reason", "Ibu Canary", "visum Canary", HOLD_REASON]


@pytest.fixture
def people(make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "police": make_user("case_worker", "POLRESTA"),
        "analyst": make_user("analyst", "BAPPEDA"),
    }


def _step(client, headers, case_id, action, **extra):
    version = client.get(f"/api/v1/cases/{case_id}", headers=headers).json["version"]
    answer = client.post(
        f"/api/v1/cases/{case_id}/transition",
        json={"action": action, "version": version, **extra},
        headers=headers,
    )
    assert answer.status_code == 200, answer.json
    return answer


def _close(client, w, s, case_id) -> None:
    _step(client, w, case_id, "start_assessment")
    _step(client, w, case_id, "start_intervention")
    _step(client, w, case_id, "request_closure", reason="needs_met")
    _step(client, s, case_id, "approve_closure")


def _backdate(app, ref: CaseRef, years: float = 6) -> None:
    """Move the case's end back (the policy counts from `closed_at`)."""
    with app.app_context():
        db.session.execute(
            sa.update(Case)
            .where(Case.id == ref.id)
            .values(closed_at=utcnow() - timedelta(days=round(365.25 * years)))
        )
        db.session.commit()


def _closed(app, client, people, years: float = 6, **changes) -> CaseRef:
    with app.app_context():
        ref = register(people["worker"], **changes)
    _close(client, _token(app, people["worker"]), _token(app, people["spv"]), ref.uuid)
    _backdate(app, ref, years)
    return ref


def _shredded_now(app, ref: CaseRef) -> bool:
    with app.app_context():
        return db.session.get(Case, ref.id).shredded_at is not None


class Shredded(NamedTuple):
    ref: CaseRef
    referral_id: int
    task_id: str


@pytest.fixture
def shredded(app, client, people) -> Shredded:
    """A case with a NIK, a completed referral to the police, an attachment and one of every other record,
    closed six years ago and shredded by the job."""
    with app.app_context():
        ref = register(people["worker"], child__nik=CHILD_NIK)
    extra = _fill(app, ref, people)
    w, s, police = (_token(app, people[k]) for k in ("worker", "spv", "police_spv"))
    rid = _refer(client, w, ref.uuid).json["id"]
    assert client.post(f"/api/v1/referrals/{rid}/accept", headers=police).status_code == 200
    done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=police)
    assert done.status_code == 200
    upload = client.post(
        f"/api/v1/cases/{ref.uuid}/attachments",
        data={"file": (io.BytesIO(pdf()), "visum Canary Aminah.pdf"), "kind": "visum"},
        headers=w,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    _close(client, w, s, ref.uuid)
    _backdate(app, ref)
    with app.app_context():
        assert run_job("retention.shred_due") == "shredded 1"
    return Shredded(ref, rid, extra["task_id"])


def _page(client, user, method: str, url: str, **kwargs) -> str:
    client.post("/logout")
    assert login(client, user.username).status_code == 302
    answer = getattr(client, method)(url, **kwargs)
    assert answer.status_code == 200, (url, answer.status_code)
    return answer.get_data(as_text=True)


def _none_of(text: str, words: list[str] = EVERYTHING) -> None:
    assert [w for w in words if w in text] == [], text[:3000]


# The policy --------------------------------------------------------------------------------------------


def test_due_after_the_retention_years_unless_held_reopened_or_in_proceedings(app, client, people):
    old = _closed(app, client, people, years=6)
    recent = _closed(app, client, people, years=4)
    held = _closed(app, client, people, years=7)
    in_court = _closed(app, client, people, years=8)
    with app.app_context():
        open_case = register(people["worker"])  # never closed
    with app.app_context():
        spv = db.session.get(User, people["spv"].id)
        retention.place_hold(spv, held.load(), LegalHoldIn(reason=HOLD_REASON))
        # A police report with no verdict: the proceedings are open, whatever the age of the closure.
        db.session.add(
            LegalEvent(
                case_id=in_court.id,
                kind="police_report",
                event_date=(utcnow() - timedelta(days=3000)).date(),
                agency_id=spv.agency_id,
                recorded_by_id=spv.id,
            )
        )
        db.session.commit()
        assert retention.count_due() == 1
        assert [retention.is_due(r.load()) for r in (old, recent, held, in_court, open_case)] == [
            True,
            False,
            False,
            False,
            False,
        ]
        assert retention.shred_due() == 1
    assert [_shredded_now(app, r) for r in (old, recent, held, in_court, open_case)] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_a_cancelled_case_is_due_too_and_a_reopened_one_is_not(app, client, people):
    with app.app_context():
        cancelled = register(people["worker"])
        reopened = register(people["worker"])
    s = _token(app, people["spv"])
    _step(client, s, cancelled.uuid, "cancel", reason="not_a_case")
    _backdate(app, cancelled)
    _close(client, _token(app, people["worker"]), s, reopened.uuid)
    _backdate(app, reopened)
    _step(client, s, reopened.uuid, "reopen", reason="new_incident")  # closed_at goes with the reopening
    with app.app_context():
        assert retention.shred_due() == 1
    assert (_shredded_now(app, cancelled), _shredded_now(app, reopened)) == (True, False)


def test_zero_years_turns_retention_off(app_factory, people, client, app):
    ref = _closed(app, client, people, years=30)
    off = app_factory(CASE_RETENTION_YEARS=0)
    with off.app_context():
        assert run_job("retention.shred_due") == "skipped: CASE_RETENTION_YEARS is 0"
        assert retention.count_due() == 0
    assert not _shredded_now(app, ref)


# The job and the command -------------------------------------------------------------------------------


def test_the_job_runs_in_batches_is_idempotent_and_audits_each_case_as_the_system(app, client, people):
    refs = [_closed(app, client, people) for _ in range(5)]
    with app.app_context():
        assert retention.shred_due(batch_size=2) == 5  # three batches, each its own transaction
        assert retention.shred_due(batch_size=2) == 0  # nothing twice
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.shred")).all()
    assert sorted(e.object_id for e in events) == sorted(str(r.uuid) for r in refs)
    assert {(e.actor_id, e.actor_username) for e in events} == {(None, "system:retention")}
    assert "retention.shred_due" in JOBS and SCHEDULE["retention.shred_due"] == 86400


def test_the_embedded_schedule_runs_retention(app, client, people):
    """`make run` (no broker): the web process's job thread runs the daily job with the others."""
    ref = _closed(app, client, people)
    app.extensions["caseapp.jobs"] = EmbeddedRunner(app, schedule=True)
    app.extensions["caseapp.jobs"]._run_due()  # the thread's turn: every job is due at its first
    assert _shredded_now(app, ref)


def test_the_command_counts_with_dry_run_then_shreds(app, client, people):
    ref = _closed(app, client, people)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and "due for shredding" in dry.output and ": 1" in dry.output, dry.output
    assert "Dry run" in dry.output and not _shredded_now(app, ref)
    real = runner.invoke(args=["retention", "run"])
    assert real.exit_code == 0 and "Shredded 1 cases." in real.output, real.output
    assert _shredded_now(app, ref)
    again = runner.invoke(args=["retention", "run"])
    assert ": 0" in again.output and "Shredded 0 cases." in again.output


def test_postgresql_skips_a_case_another_transaction_holds(app, client, people, database_url):
    """Two workers at once: the rows one of them holds are skipped by the other, never waited for."""
    busy, free = _closed(app, client, people), _closed(app, client, people)
    with app.app_context():
        if not database_url.startswith("postgresql"):
            assert retention.shred_due() == 2  # SQLite: one writer at a time and no row locks to skip
            return
        with db.engine.connect() as other:
            other.execute(sa.text("SELECT id FROM case_file WHERE id = :id FOR UPDATE"), {"id": busy.id})
            assert retention.shred_due() == 1  # at once: the held row is not waited for
            other.rollback()
        assert retention.shred_due() == 1  # the next run takes it
    assert _shredded_now(app, busy) and _shredded_now(app, free)


# One case that cannot be shredded ----------------------------------------------------------------------


def _closed_with_file(app, client, people) -> CaseRef:
    """A case with an attachment, closed six years ago (due)."""
    with app.app_context():
        ref = register(people["worker"])
    w = _token(app, people["worker"])
    upload = client.post(
        f"/api/v1/cases/{ref.uuid}/attachments",
        data={"file": (io.BytesIO(pdf()), "visum.pdf"), "kind": "visum"},
        headers=w,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    _close(client, w, _token(app, people["spv"]), ref.uuid)
    _backdate(app, ref)
    return ref


def _files_of(app, ref: CaseRef) -> list[Path]:
    """The stored files of the case's attachments that are on disk."""
    root = Path(app.config["ATTACHMENT_DIR"])
    with app.app_context():
        rows = db.session.scalars(sa.select(Attachment).where(Attachment.case_id == ref.id)).all()
        assert rows
        return [root / row.object_key for row in rows if (root / row.object_key).is_file()]


def _fail_on_the_key_of(patch: pytest.MonkeyPatch, ref: CaseRef, app) -> None:
    """Make shredding the case's own data key fail (the last step of `shred_case`: its attachments' keys are
    shredded and audited, and their files named for deletion, before it)."""
    with app.app_context():
        key_id = db.session.get(Case, ref.id).data_key_id
    real = data_keys.shred

    def shred(row, actor=None):
        if row.id == key_id:
            raise RuntimeError(f"KMS unavailable for {NAME}")  # a message the log must not carry
        real(row, actor)

    patch.setattr(data_keys, "shred", shred)


def test_a_case_that_fails_is_skipped_alone_and_the_batch_goes_on(app, client, people, monkeypatch, caplog):
    """Found by review: one case whose shredding raised rolled its whole batch back, and the next run took
    the same rows first, so retention stopped for good."""
    refs = [_closed_with_file(app, client, people) for _ in range(4)]
    failing = refs[1]  # in the middle of the first batch of three
    with app.app_context():
        keys = {r.id: db.session.get(Case, r.id).data_key_id for r in refs}
        file_keys = db.session.scalars(
            sa.select(Attachment.data_key_id).where(Attachment.case_id == failing.id)
        ).all()
    failure = monkeypatch.context()
    _fail_on_the_key_of(failure.__enter__(), failing, app)
    with (
        app.app_context(),
        caplog.at_level(logging.ERROR, logger="caseapp.services.retention"),
        unit_of_work(),
    ):
        assert retention.shred_batch(limit=3) == retention.Batch(
            looked=3, shredded=2, failed=1, last_id=refs[2].id
        )
    assert [_shredded_now(app, r) for r in refs] == [True, False, True, False]
    # Logged by its id and the error's type, nothing of the child's data nor the error's message.
    assert str(failing.uuid) in caplog.text and "RuntimeError" in caplog.text
    assert NAME not in caplog.text and "KMS" not in caplog.text
    with app.app_context():
        failed: list[int] = []
        assert retention.shred_due(batch_size=3, on_failed=failed.append) == 1  # it passes over it, goes on
        assert failed == [1]
        assert retention.shred_due(batch_size=1) == 0  # alone in its batch, it stops nothing either
    assert [_shredded_now(app, r) for r in refs] == [True, False, True, True]
    # The failing case is whole: its key, its attachment's key and its file, and no trace of the attempt
    # but the failure itself in the audit log.
    with app.app_context():
        assert db.session.get(DataKey, keys[failing.id]).wrapped is not None
        assert [db.session.get(DataKey, k).wrapped is not None for k in file_keys] == [True]
        events = db.session.execute(
            sa.select(
                AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.outcome
            ).where(AuditEvent.action.in_(["case.shred", "keys.shred"]))
        ).all()
    assert len(_files_of(app, failing)) == 1
    for ref in refs:
        if ref is not failing:
            assert _files_of(app, ref) == []
    shreds = sorted((e.object_id, e.outcome) for e in events if e.action == "case.shred")
    assert shreds == sorted(
        [(str(r.uuid), "success") for r in refs if r is not failing]
        + [(str(failing.uuid), "error")] * 3  # once for each run that tried it
    )
    shredded_keys = {e.object_id for e in events if e.action == "keys.shred"}
    assert str(keys[failing.id]) not in shredded_keys
    assert not shredded_keys & {str(k) for k in file_keys}
    assert str(keys[refs[0].id]) in shredded_keys
    # The operator hears of it: the command says so and fails, the job's result counts it.
    run = app.test_cli_runner().invoke(args=["retention", "run"])
    assert run.exit_code == 1 and "1 cases could not be shredded" in run.output
    with app.app_context():
        assert run_job("retention.shred_due") == "shredded 0, failed 1"
    # Once whatever failed is mended, the next run shreds it.
    failure.__exit__(None, None, None)
    with app.app_context():
        assert retention.shred_due() == 1
    assert _shredded_now(app, failing) and _files_of(app, failing) == []


def test_a_case_whose_shredding_fails_in_the_database_keeps_its_files_and_leaves_no_false_audit(
    app, client, people, monkeypatch
):
    """Found by review: a savepoint that a failed flush rolled back is only closed when its block ends (no
    rollback event comes), so it kept what it had collected: the batch's commit removed the failing case's
    files, whose keys it had not shredded, and audited `keys.shred` for them."""
    failing, other = _closed_with_file(app, client, people), _closed_with_file(app, client, people)
    with app.app_context():
        key_id = db.session.get(Case, failing.id).data_key_id
        taken = db.session.get(DataKey, db.session.get(Case, other.id).data_key_id).uuid
        file_keys = db.session.scalars(
            sa.select(Attachment.data_key_id).where(Attachment.case_id == failing.id)
        ).all()
    real = data_keys.shred

    def shred(row, actor=None):
        if row.id == key_id:
            row.uuid = taken  # the database refuses the flush: a unique key taken
        real(row, actor)

    monkeypatch.setattr(data_keys, "shred", shred)
    with app.app_context(), unit_of_work():
        assert retention.shred_batch(limit=1) == retention.Batch(
            looked=1, shredded=0, failed=1, last_id=failing.id
        )
    assert not _shredded_now(app, failing)
    assert len(_files_of(app, failing)) == 1
    with app.app_context():
        assert [db.session.get(DataKey, k).wrapped is not None for k in file_keys] == [True]
        shredded_keys = set(
            db.session.scalars(sa.select(AuditEvent.object_id).where(AuditEvent.action == "keys.shred"))
        )
    assert not shredded_keys & {str(k) for k in file_keys}
    download = _download(app, client, people, failing)
    assert download.status_code == 200 and download.data == pdf()


def test_files_are_deleted_only_once_the_shredding_commits(app, client, people):
    """Found by review: the files went before the commit, so a rolled-back shredding left rows naming files
    that were gone."""
    ref = _closed_with_file(app, client, people)
    with app.app_context():
        with pytest.raises(RuntimeError), unit_of_work():
            assert retention.shred_case(ref.load())
            assert len(_files_of(app, ref)) == 1  # still there before the commit
            raise RuntimeError("the commit never comes")
        assert db.session.get(Case, ref.id).shredded_at is None
    assert len(_files_of(app, ref)) == 1
    with app.app_context():  # the job's way: the case's savepoint is released, then the batch rolls back
        with pytest.raises(RuntimeError), unit_of_work():
            assert retention.shred_batch().shredded == 1
            raise RuntimeError("the commit never comes")
        assert db.session.get(Case, ref.id).shredded_at is None
    assert len(_files_of(app, ref)) == 1
    download = _download(app, client, people, ref)
    assert download.status_code == 200 and download.data == pdf()
    with app.app_context(), unit_of_work():
        assert retention.shred_case(ref.load())
    assert _shredded_now(app, ref) and _files_of(app, ref) == []


def _download(app, client, people, ref: CaseRef):
    w = _token(app, people["worker"])
    listed = client.get(f"/api/v1/cases/{ref.uuid}/attachments", headers=w)
    assert listed.status_code == 200, listed.json
    (item,) = listed.json["items"]
    return client.get(f"/api/v1/attachments/{item['id']}", headers=w)


# What is left, in the database ------------------------------------------------------------------------


def test_nothing_linkable_or_readable_is_left_in_the_database(app, shredded):
    ref = shredded.ref
    assert scan_for(app, EVERYTHING) == []
    with app.app_context():
        case = db.session.get(Case, ref.id)
        key = db.session.get(DataKey, case.data_key_id)
        # The case's key is destroyed: no sealed value of the case, its parties or notes can be opened again.
        assert key.wrapped is None and key.kek_id is None and key.shredded_at is not None
        with pytest.raises(crypto.KeyShredded):
            key.plaintext()
        raw = db.session.execute(
            sa.text(
                "SELECT child_name, child_nik, child_nik_bidx, child_identity_bidx, narrative"
                " FROM case_file WHERE id = :id"
            ),
            {"id": ref.id},
        ).one()
        assert tuple(raw) == (None, None, None, None, None)
        party_names = db.session.execute(
            sa.text("SELECT name FROM case_party WHERE case_id = :id"), {"id": ref.id}
        ).scalars()
        assert all(blob is not None for blob in party_names)  # sealed under a key that is gone
        assert case.parties[0].name is None  # and so they read as nothing
        tokens = db.session.scalar(
            sa.select(sa.func.count()).select_from(CaseNameToken).where(CaseNameToken.case_id == ref.id)
        )
        assert tokens == 0
        # The attachment's own key is gone and so is its file.
        files = db.session.execute(
            sa.text(
                "SELECT k.wrapped FROM attachment a JOIN data_key k ON k.id = a.data_key_id"
                " WHERE a.case_id = :id"
            ),
            {"id": ref.id},
        ).scalars()
        assert list(files) == [None]
        # The statistics stay.
        assert (case.child_sex, case.child_age_group, case.kecamatan, case.status) == (
            "F",
            "6-12",
            "74.71.01",
            "closed",
        )
    root = Path(app.config["ATTACHMENT_DIR"])
    assert not [p for p in root.rglob("*") if p.is_file()]


# Every surface that can show the case -----------------------------------------------------------------


def test_the_case_list_shows_the_number_and_says_the_identity_was_removed(app, client, people, shredded):
    ref = shredded.ref
    page = _page(client, people["spv"], "get", "/cases/")
    assert ref.case_number in page and REMOVED in page
    _none_of(page)


def test_the_case_page_shows_the_statistics_the_date_and_the_access_log(app, client, people, shredded):
    ref = shredded.ref
    page = _page(client, people["spv"], "get", f"/cases/{ref.uuid}")
    assert 'data-testid="shredded"' in page and 'data-testid="shredded-at"' in page
    assert f"/cases/{ref.uuid}/access-log" in page
    assert f'action="/cases/{ref.uuid}' not in page  # no form of the case page
    _none_of(page)
    log = _page(client, people["spv"], "get", f"/cases/{ref.uuid}/access-log")
    assert "case.shred" in log or "retensi" in log
    # The pages that re-render the case page, and the edit form, do not fail either.
    assert client.post(f"/cases/{ref.uuid}/nik").status_code == 200
    edit = client.get(f"/cases/{ref.uuid}/edit")
    assert edit.status_code in (200, 302, 409)
    _none_of(edit.get_data(as_text=True))


def test_search_by_name_or_nik_skips_it_and_by_number_finds_it(app, client, people, shredded):
    ref = shredded.ref
    by_name = _page(client, people["spv"], "post", "/cases/search", data={"query": "Siti", "by": "name"})
    assert ref.case_number not in by_name
    by_nik = client.post("/cases/search", data={"query": CHILD_NIK, "by": "nik"})
    assert by_nik.status_code == 200 and ref.case_number not in by_nik.get_data(as_text=True)
    by_number = client.post("/cases/search", data={"query": ref.case_number, "by": "number"})
    text = by_number.get_data(as_text=True)
    assert by_number.status_code == 200 and ref.case_number in text and REMOVED in text
    _none_of(text)
    api = client.post(
        "/api/v1/cases/search", json={"query": "Siti", "by": "name"}, headers=_token(app, people["spv"])
    )
    assert api.status_code == 200 and api.json["items"] == []


def test_the_duplicate_check_passes_over_it(app, client, people, shredded):
    again = client.post(
        "/api/v1/cases",
        json=body(child__nik=CHILD_NIK),
        headers=_token(app, people["worker"]),
    )
    assert again.status_code == 201, again.json
    assert again.json["warnings"] == {"nik_exists_at": [], "possible_same_child": []}


def test_the_dashboard_recap_and_simfoni_still_count_it_without_its_identity(app, client, people, shredded):
    ref = shredded.ref
    year = parse_period(str(utcnow().year))
    home = _page(client, people["spv"], "get", "/")
    _none_of(home)
    with app.app_context():
        built = recap.build(year)
        assert built.cases.n == 1 and built.children.n == 1
        (row,) = simfoni.rows(year)
    assert row[0] == ref.case_number
    columns = dict(zip(simfoni_header(app), row, strict=True))
    assert columns["Date of incident"] == "" and columns["Age of the victim at the incident"] is None
    assert columns["Kelurahan of residence"] == "" and columns["Age group of the victim"] == "6-12"
    assert columns["Main form of violence"] and columns["Case status"]
    _none_of(" ".join(str(c) for c in row))
    recap_page = _page(client, people["analyst"], "get", f"/reports/recap?period={utcnow().year}")
    _none_of(recap_page)


def simfoni_header(app) -> list[str]:
    with app.test_request_context(headers={"Cookie": "caseapp_lang=en"}):
        return simfoni.header()


def test_the_referral_pages_of_both_sides_answer_without_its_identity(app, client, people, shredded):
    ref, rid = shredded.ref, shredded.referral_id
    for who in ("worker", "police_spv"):
        page = _page(client, people[who], "get", f"/referrals/{rid}")
        assert ref.case_number in page
        _none_of(page)
        listed = _page(
            client, people[who], "get", "/referrals/?box=" + ("outgoing" if who == "worker" else "incoming")
        )
        _none_of(listed)
        api = client.get(f"/api/v1/referrals/{rid}", headers=_token(app, people[who]))
        assert api.status_code == 200 and api.json.get("case") is None
        _none_of(api.get_data(as_text=True))


def test_the_api_flags_it_and_answers_null_for_what_was_sealed(app, client, people, shredded):
    ref = shredded.ref
    s = _token(app, people["spv"])
    read = client.get(f"/api/v1/cases/{ref.uuid}", headers=s)
    assert read.status_code == 200, read.json
    body = read.json
    assert body["shredded"] is True and body["shredded_at"] and body["child_label"] is None
    assert body["child"]["name"] is None and body["child"]["address"] is None
    assert body["incident"]["narrative"] is None and body["incident"]["date"] is None
    assert {p["name"] for p in body["parties"]} == {None}
    assert body["actions"] == [] and body["child_sex"] == "F"
    _none_of(read.get_data(as_text=True))
    listed = client.get("/api/v1/cases", headers=s).json["items"]
    assert [(c["case_number"], c["shredded"], c["child_label"]) for c in listed] == [
        (ref.case_number, True, None)
    ]


def test_nothing_can_be_added_to_it(app, client, people, shredded):
    ref = shredded.ref
    s = _token(app, people["spv"])
    note = client.post(f"/api/v1/cases/{ref.uuid}/notes", json={"kind": "call", "body": "x"}, headers=s)
    assert note.status_code == 409
    version = client.get(f"/api/v1/cases/{ref.uuid}", headers=s).json["version"]
    reopen = client.post(
        f"/api/v1/cases/{ref.uuid}/transition",
        json={"action": "reopen", "version": version, "reason": "new_incident"},
        headers=s,
    )
    assert reopen.status_code == 409
    hold = client.post(f"/api/v1/cases/{ref.uuid}/legal-hold", json={"reason": HOLD_REASON}, headers=s)
    assert hold.status_code == 409


# The legal hold --------------------------------------------------------------------------------------------


def test_a_supervisor_holds_a_closed_case_on_its_page_and_the_job_leaves_it(app, client, people):
    ref = _closed(app, client, people)
    page = _page(client, people["spv"], "get", f"/cases/{ref.uuid}")
    assert 'data-testid="hold-form"' in page
    blank = client.post(f"/cases/{ref.uuid}/legal-hold", data={"hold-reason": "  "})
    assert blank.status_code == 400 and 'data-testid="error-summary"' in blank.get_data(as_text=True)
    placed = client.post(f"/cases/{ref.uuid}/legal-hold", data={"hold-reason": HOLD_REASON})
    assert placed.status_code == 302
    page = client.get(f"/cases/{ref.uuid}").get_data(as_text=True)
    assert 'data-testid="legal-hold"' in page and HOLD_REASON in page
    with app.app_context():
        assert retention.shred_due() == 0
    lifted = client.post(f"/cases/{ref.uuid}/legal-hold/lift", data={"hold-reason": "Perkara selesai"})
    assert lifted.status_code == 302
    with app.app_context():
        assert retention.shred_due() == 1
        actions = list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_id == str(ref.uuid))
                .order_by(AuditEvent.seq)
            )
        )
        details = " ".join(str(d) for d in db.session.scalars(sa.select(AuditEvent.details)))
    assert actions[-3:] == ["case.legal_hold", "case.legal_hold_lift", "case.shred"] or (
        "case.legal_hold" in actions and "case.legal_hold_lift" in actions and actions[-1] == "case.shred"
    )
    assert "Canary" not in details and "Perkara" not in details
    assert scan_for(app, [HOLD_REASON, "Perkara selesai"]) == []


def test_the_hold_through_the_api_and_who_may_place_it(app, client, people):
    ref = _closed(app, client, people)
    s, w = _token(app, people["spv"]), _token(app, people["worker"])
    url = f"/api/v1/cases/{ref.uuid}/legal-hold"
    assert client.post(url, json={"reason": HOLD_REASON}, headers=w).status_code == 403
    assert client.post(url, json={"reason": ""}, headers=s).status_code == 400
    placed = client.post(url, json={"reason": HOLD_REASON}, headers=s)
    assert placed.status_code == 201 and placed.json["held"] is True
    assert placed.json["hold"]["placed_by"] == people["spv"].username
    assert client.post(url, json={"reason": HOLD_REASON}, headers=s).status_code == 409  # held already
    read = client.get(f"/api/v1/cases/{ref.uuid}", headers=s).json
    assert read["legal_hold"]["reason"] == HOLD_REASON and read["shredded"] is False
    police = _token(app, people["police_spv"])
    assert client.post(url + "/lift", json={"reason": "x"}, headers=police).status_code == 404
    lifted = client.post(url + "/lift", json={"reason": "Perkara selesai"}, headers=s)
    assert lifted.status_code == 200 and lifted.json == {
        "case_id": str(ref.uuid),
        "case_number": ref.case_number,
        "held": False,
        "hold": None,
    }
    assert client.post(url + "/lift", json={"reason": "again"}, headers=s).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalHold)) == 1


def test_an_open_case_takes_no_hold(app, client, people):
    with app.app_context():
        ref = register(people["worker"])
    s = _token(app, people["spv"])
    refused = client.post(f"/api/v1/cases/{ref.uuid}/legal-hold", json={"reason": HOLD_REASON}, headers=s)
    assert refused.status_code == 409
    page = _page(client, people["spv"], "get", f"/cases/{ref.uuid}")
    assert 'data-testid="hold-form"' not in page and 'data-testid="retention"' not in page


def test_the_complaint_it_came_from_is_shredded_with_it(app, client, people):
    w = _token(app, people["worker"])
    report = {
        "channel": "sapa129",
        "urgency": "emergency",
        "reporter_name": "Pelapor Canary",
        "reporter_contact": "0812 7777 1111",
        "report": "Laporan Canary: anak dipukul.",
    }
    complaint = client.post("/api/v1/complaints", json=report, headers=w).json["id"]
    with app.app_context():
        ref = register(people["worker"])
    accepted = client.post(
        f"/api/v1/complaints/{complaint}/triage",
        json={"decision": "accepted", "case_id": str(ref.uuid)},
        headers=w,
    )
    assert accepted.status_code == 200
    _close(client, w, _token(app, people["spv"]), ref.uuid)
    _backdate(app, ref)
    with app.app_context():
        assert retention.shred_due() == 1
    words = ["Pelapor Canary", "0812 7777 1111", "Laporan Canary"]
    page = _page(client, people["worker"], "get", f"/complaints/{complaint}")
    assert REMOVED in page
    _none_of(page, words)
    api = client.get(f"/api/v1/complaints/{complaint}", headers=w)
    assert api.status_code == 200 and api.json["report"] == ""
    _none_of(api.get_data(as_text=True), words)


# Every page and answer that takes the case, or a record of it --------------------------------------------

RECORDS = "Canary record"  # in every sealed field written below


def _fill(app, ref: CaseRef, people) -> dict[str, str]:
    """Give the case one of each record that hangs off it, each with sealed text (before it is closed)."""
    from caseapp.models import (
        Assessment,
        CarePlan,
        CarePlanGoal,
        CaseNote,
        Conference,
        OutreachVisit,
        ServiceRecord,
        ShelterStay,
        Task,
    )

    with app.app_context():
        case = db.session.get(Case, ref.id)
        worker = db.session.get(User, people["worker"].id)
        police = db.session.get(User, people["police"].id)
        today = utcnow().date()
        rows: list = []
        note = CaseNote(case=case, kind="visit", author_id=worker.id)
        service = ServiceRecord(
            case=case,
            service_type="health",
            provider_agency_id=worker.agency_id,
            service_date=today,
            outcome="provided",
            created_by_id=worker.id,
        )
        assessment = Assessment(
            case=case, perpetrator_has_access="no", safe_tonight="yes", risk_level="low", author_id=worker.id
        )
        plan = CarePlan(case=case, status="approved", review_date=today, author_id=worker.id)
        goal = CarePlanGoal(plan=plan, position=0, agency_id=worker.agency_id, due_date=today)
        conference = Conference(case=case, held_on=today, author_id=worker.id)
        task = Task(
            conference=conference, case=case, position=0, owner_id=police.id, due_date=today, status="done"
        )
        stay = ShelterStay(
            case=case,
            shelter_agency_id=worker.agency_id,
            admitted_on=today - timedelta(days=9),
            discharged_on=today,
            discharge_reason="returned_home",
            recorded_by_id=worker.id,
        )
        visit = OutreachVisit(case=case, visit_date=today, outcome="met_child", author_id=worker.id)
        verdict = LegalEvent(
            case=case,
            kind="verdict",
            event_date=today - timedelta(days=400),  # the proceedings ended long ago
            agency_id=worker.agency_id,
            recorded_by_id=worker.id,
        )
        rows = [note, service, assessment, plan, goal, conference, task, stay, visit, verdict]
        db.session.add_all(rows)
        db.session.flush()
        note.body = service.note = f"{RECORDS} note"
        assessment.summary = assessment.risk_reasons = f"{RECORDS} assessment"
        plan.safety_plan = goal.goal = f"{RECORDS} plan"
        conference.people = conference.decisions = f"{RECORDS} conference"
        task.description = task.completion_note = f"{RECORDS} task"
        stay.shelter_place = f"{RECORDS} shelter"
        visit.place = visit.note = f"{RECORDS} outreach"
        verdict.reference = verdict.outcome = f"{RECORDS} verdict"
        db.session.commit()
        return {"task_id": str(task.uuid)}


def test_no_page_or_answer_about_the_case_fails_or_shows_what_was_sealed(app, client, people, shredded):
    """Every GET route of a case, its records, its referral, its attachment and its task, for each side."""
    ref, rid = shredded.ref, shredded.referral_id
    with app.app_context():
        attachment = db.session.execute(
            sa.text("SELECT uuid FROM attachment WHERE case_id = :id"), {"id": ref.id}
        ).scalar_one()
    ids = {
        "case_uuid": str(ref.uuid),
        "case_id": str(ref.uuid),
        "referral_id": str(rid),
        "attachment_id": str(uuid.UUID(str(attachment))),
        "task_id": shredded.task_id,
    }
    routes = [
        rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.arguments
        and rule.arguments <= set(ids)
        and rule.arguments != {"id"}
    ]
    assert len(routes) >= 20, [r.rule for r in routes]
    for who in ("spv", "worker", "police_spv", "police"):
        headers = _token(app, people[who])
        client.post("/logout")
        login(client, people[who].username)
        for rule in routes:
            url = rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]
            answer = client.get(url, headers=headers if url.startswith("/api/") else {})
            assert answer.status_code < 500, (who, url, answer.status_code)  # a refusal, never a failure
            if answer.status_code == 200 and not url.startswith("/api/"):
                assert ">None<" not in answer.get_data(as_text=True), (who, url)  # a gone value is not "None"
            _none_of(answer.get_data(as_text=True), [*EVERYTHING, RECORDS])


def test_no_step_reaches_a_shredded_case_through_its_records_or_another_case(app, client, people, shredded):
    """Found by review: reviewing its assessment, deciding its care plan, or linking a live child's case to
    its incident (a new link between a shredded case and an identified child) were accepted."""
    from caseapp.models import Assessment, CarePlan

    ref = shredded.ref
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment.uuid).where(Assessment.case_id == ref.id))
        worker = db.session.get(User, people["worker"].id)
        plan = CarePlan(case_id=ref.id, status="pending", review_date=utcnow().date(), author_id=worker.id)
        db.session.add(plan)
        db.session.commit()
        plan_id = plan.uuid
        live = register(people["worker"])
    spv, w = _token(app, people["spv"]), _token(app, people["worker"])
    review = client.post(f"/api/v1/assessments/{assessment}/review", headers=spv)
    assert review.status_code == 409, review.json
    approve = client.post(f"/api/v1/care-plans/{plan_id}/approve", headers=spv)
    assert approve.status_code == 409, approve.json
    link = client.post(
        f"/api/v1/cases/{live.uuid}/incident", json={"incident_of": ref.case_number}, headers=w
    )
    assert link.status_code == 409, link.json
    with app.app_context():
        assert db.session.get(Case, live.id).incident_id is None
        assert db.session.scalar(sa.select(Case.incident_id).where(Case.id == ref.id)) is None


def test_a_milestone_on_a_shredded_case_is_refused_not_denied(app, client, people, shredded):
    """Found by review: the case's own worker got a 404 and an `authz.deny` in the audit log."""
    w = _token(app, people["worker"])
    with app.app_context():
        denials = db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "authz.deny")
        )
    answer = client.post(
        f"/api/v1/cases/{shredded.ref.uuid}/legal-events",
        json={"kind": "police_report", "date": "2026-11-01"},
        headers=w,
    )
    assert answer.status_code == 409, answer.json
    with app.app_context():
        assert denials == db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "authz.deny")
        )
