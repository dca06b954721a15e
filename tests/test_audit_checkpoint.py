"""The anchored audit log: signed checkpoints outside the database detect the newest events removed."""

from __future__ import annotations

import json
import os
import stat

import pytest

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.extensions import db
from caseapp.models import AuditEvent
from caseapp.security.keys import new_signing_key
from tests.conftest import login, make_app
from tests.test_audit import _as_dba


@pytest.fixture
def anchored(app, tmp_path):
    """The app with a checkpoint file of its own and a few events in the log."""
    app.config["CASEAPP_AUDIT_CHECKPOINT_FILE"] = str(tmp_path / "anchor" / "checkpoints.jsonl")
    with app.app_context():
        for n in range(5):
            audit.record(AuditAction.AUDIT_VIEW, object_type="audit_log", object_id=n, actor_username="t")
        db.session.commit()
    return app


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["audit", *args])


def _head(app) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.max(AuditEvent.seq))))


def test_a_checkpoint_is_signed_kept_outside_the_database_and_verified(anchored, tmp_path):
    result = _run(anchored, "checkpoint")
    assert result.exit_code == 0, result.output
    path = tmp_path / "anchor" / "checkpoints.jsonl"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    line = json.loads(path.read_text().splitlines()[0])
    assert line["seq"] == 5 and set(line) == {"seq", "mac", "at", "key_id", "signature"}
    verified = _run(anchored, "verify")
    assert verified.exit_code == 0 and "1 checkpoints hold, up to seq 5" in verified.output
    with anchored.app_context():  # the checkpoint itself is audited
        last = db.session.scalar(db.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        assert last.action == "audit.checkpoint" and last.seq == 6


def test_removing_the_newest_events_after_a_checkpoint_fails_verification(anchored):
    assert _run(anchored, "checkpoint").exit_code == 0
    head = _head(anchored)
    # Remove the newest events, the checkpointed one included: the chain alone still verifies.
    _as_dba(anchored, "DELETE FROM audit_event WHERE seq >= 5")
    with anchored.app_context():
        from caseapp.audit import verify_chain

        assert verify_chain().ok
    result = _run(anchored, "verify")
    assert result.exit_code == 1
    assert "events removed" in result.output and f"the log ends at seq {4}" in result.output
    assert head == 6


def test_replacing_the_checkpointed_event_fails_verification(anchored):
    assert _run(anchored, "checkpoint").exit_code == 0
    # Someone holding the MAC key could rewrite the tail consistently; here event 5's MAC is replaced.
    _as_dba(
        anchored,
        "DELETE FROM audit_event WHERE seq > 5",
        "UPDATE audit_event SET mac = 'forged' WHERE seq = 5",
    )
    result = _run(anchored, "verify")
    assert result.exit_code == 1 and "FAILED at seq 5" in result.output


def test_a_tampered_checkpoint_file_or_another_key_fails(anchored, tmp_path):
    assert _run(anchored, "checkpoint").exit_code == 0
    public = _run(anchored, "public-key").output
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    pem = tmp_path / "public.pem"
    pem.write_text(public)
    assert _run(anchored, "verify", "--public-key", str(pem)).exit_code == 0  # an outside party's check
    path = tmp_path / "anchor" / "checkpoints.jsonl"
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "seq": 4}) + "\n")  # moved back to hide event 5
    result = _run(anchored, "verify")
    assert result.exit_code == 1 and "not signed by this key" in result.output
    path.write_text(json.dumps(line) + "\n")
    other = make_app(anchored.config["SQLALCHEMY_DATABASE_URI"], CASEAPP_AUDIT_SIGNING_KEY=new_signing_key())
    other.config["CASEAPP_AUDIT_CHECKPOINT_FILE"] = str(path)
    assert _run(other, "verify").exit_code == 1
    with other.app_context():
        db.engine.dispose()


def test_without_a_signing_key_checkpoint_says_what_to_do(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/x.db", CASEAPP_AUDIT_SIGNING_KEY=None)
    app.config["CASEAPP_AUDIT_CHECKPOINT_FILE"] = str(tmp_path / "c.jsonl")
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1 and "CASEAPP_AUDIT_SIGNING_KEY" in result.output


def test_the_auditor_sees_the_last_checkpoint(anchored, client, make_user):
    auditor = make_user("auditor", "INSPEKTORAT")
    login(client, auditor.username)
    assert "Belum ada checkpoint" in client.get("/audit/").get_data(as_text=True)
    assert _run(anchored, "checkpoint").exit_code == 0
    head = _head(anchored)
    page = client.get("/audit/").get_data(as_text=True)
    assert f"Checkpoint bertanda tangan terakhir: peristiwa {head - 1}," in page  # before its own event
    # Verifying from the page checks the anchor too.
    _as_dba(anchored, "DELETE FROM audit_event WHERE seq >= 5")
    answer = client.post("/audit/verify", follow_redirects=True).get_data(as_text=True)
    assert f"Rantai audit RUSAK pada peristiwa {head - 1}" in answer and "events removed" in answer


def test_the_hourly_job_writes_a_checkpoint(anchored, tmp_path):
    from caseapp.jobs.tasks import SCHEDULE, run_job

    assert SCHEDULE["audit.checkpoint"] == 3600
    with anchored.app_context():
        assert run_job("audit.checkpoint") == "checkpoint of seq 5"
    assert _run(anchored, "verify").exit_code == 0
    assert len((tmp_path / "anchor" / "checkpoints.jsonl").read_text().splitlines()) == 1
